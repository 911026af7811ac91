// SPDX-License-Identifier: MIT
/*
 * Which mounts are served from the kernel's page cache (cachemount.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "daemon/cachemount.h"

/* Update @ro from one -o argument: a comma-separated list, the last of
 * "ro" and "rw" winning, as mount(8) reads it. */
static void cachemount_scan(const char *opts, bool *ro)
{
	const char *p = opts;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == 2 && !strncmp(p, "ro", 2))
			*ro = true;
		else if (len == 2 && !strncmp(p, "rw", 2))
			*ro = false;
		p += len;
		if (*p == ',')
			p++;
	}
}

static bool cachemount_ro(const struct fuse_args *args)
{
	bool ro = false;

	for (int i = 1; i < args->argc; i++) {
		const char *a = args->argv[i];

		if (!strcmp(a, "-o") && i + 1 < args->argc)
			cachemount_scan(args->argv[++i], &ro);
		else if (!strncmp(a, "-o", 2))
			cachemount_scan(a + 2, &ro);
	}
	return ro;
}

bool cachemount_qualifies(const struct fuse_args *args,
			  const struct config *cfg)
{
	if (!cachemount_ro(args))
		return false;
	if (cfg->kernel_devices) {
		log_info("read-only mount with kernel-devices = yes: files are read through the daemon, not kept in the page cache");
		return false;
	}
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct config_device *d = &cfg->devices[i];

		if (d->read_only != 1 || d->cache != 1) {
			log_info("read-only mount, but [device %s] is not read-only = yes and cache = yes: files are read through the daemon, not kept in the page cache",
				 d->name);
			return false;
		}
	}
	log_info("read-only mount of read-only, cached devices: files are kept in the page cache");
	return true;
}
