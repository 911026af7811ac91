/* SPDX-License-Identifier: MIT */
/*
 * Provider "file": a regular file (an image), a block device (an eMMC
 * boot partition, a loop device) or an MTD character device (/dev/mtdN).
 */
#ifndef NVMEMFS_PROVIDER_FILE_H
#define NVMEMFS_PROVIDER_FILE_H

#include <stdbool.h>

#include "core/provider.h"

/*
 * Open @path; read-write unless @read_only or the file is not writable
 * (then info->read_only is set). Returns 0 or -errno (-ENOENT when the
 * path does not exist, which callers treat as "not plugged in yet").
 */
int file_provider_open(const char *path, bool read_only, void **priv,
		       struct nvmem_provider_info *info);

extern const struct nvmem_provider_ops file_provider_ops;

#endif
