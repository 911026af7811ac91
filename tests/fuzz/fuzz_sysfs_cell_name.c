// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the name of a kernel cell file (cells/NAME@OFFSET,BIT).
 * The parser must never crash or overrun its name buffer, and what it
 * accepts must be what the kernel would print for the values it found.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t name_size = size % 32 + 1;	/* small buffers too */
	char *file, *name, *again, name2[32];
	unsigned int bit, bit2;
	uint64_t off, off2;
	size_t len;

	file = malloc(size + 1);
	name = malloc(name_size);
	again = malloc(size + 32);
	if (!file || !name || !again)
		abort();
	memcpy(file, data, size);
	file[size] = '\0';
	if (sysfs_cell_name_parse(file, name, name_size, &off, &bit) == 0) {
		len = strlen(name);
		if (len >= name_size || bit > 7 || strncmp(file, name, len) ||
		    file[len] != '@')
			abort();
		/* Printed the kernel's way, it names the same cell. */
		snprintf(again, size + 32, "%s@%" PRIx64 ",%x", name, off, bit);
		if (sysfs_cell_name_parse(again, name2, sizeof(name2), &off2,
					  &bit2) ||
		    strcmp(name, name2) || off != off2 || bit != bit2)
			abort();
	}
	free(file);
	free(name);
	free(again);
	return 0;
}
