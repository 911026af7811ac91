/* SPDX-License-Identifier: MIT */
/*
 * Whether a mount may be served from the kernel's page cache with no
 * OPEN requests (fs_set_cache_all(), fs/pagecache.c): the kernel keeps
 * that choice for the whole connection, so it must hold for every device
 * that can ever be registered, not only for those present at mount time.
 */
#ifndef NVMEMFS_CACHEMOUNT_H
#define NVMEMFS_CACHEMOUNT_H

#include <stdbool.h>

#include <fuse_lowlevel.h>

#include "daemon/config.h"

/*
 * True when the FUSE arguments @args mount read-only (the last of "ro"
 * and "rw" among the -o options is "ro"), kernel-devices is off, and
 * every [device] section says read-only = yes and cache = yes. Logs the
 * decision for a read-only mount.
 */
bool cachemount_qualifies(const struct fuse_args *args,
			  const struct config *cfg);

#endif
