// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the reading of -o mount options that decides whether
 * a mount is read-only, and so may be a page-cache mount (cachemount.h).
 * The input is split at NUL bytes into argument words. It must never
 * crash or overrun, and must agree with a plain reference reading.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "base/log.h"
#include "daemon/cachemount.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: the last of the whole words "ro" and "rw" in the
 * comma-separated lists of the -o arguments. */
static bool reference_ro(int argc, char **argv)
{
	bool ro = false;

	for (int i = 1; i < argc; i++) {
		const char *opts;
		char *copy, *tok, *save;

		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			opts = argv[++i];
		else if (!strncmp(argv[i], "-o", 2))
			opts = argv[i] + 2;
		else
			continue;
		copy = strdup(opts);
		if (!copy)
			abort();
		for (tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "ro"))
				ro = true;
			else if (!strcmp(tok, "rw"))
				ro = false;
		}
		free(copy);
	}
	return ro;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg = { .path = "fuzz", .kernel_devices = false };
	char *text = malloc(size + 1), *argv[64] = { "nvmemfs" };
	struct fuse_args args;
	int argc = 1;
	size_t i = 0;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	log_set_level(LOG_ERR);
	while (i <= size && argc < 64) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	/* No devices: the answer is whether the options say read-only. */
	if (cachemount_qualifies(&args, &cfg) != reference_ro(argc, argv))
		abort();
	free(text);
	return 0;
}
