/* SPDX-License-Identifier: MIT */
/*
 * Provider "sysfs": a kernel nvmem device, through its sysfs attributes
 * (/sys/bus/nvmem/devices/NAME/nvmem, type, force_ro, cells/).
 */
#ifndef NVMEMFS_PROVIDER_SYSFS_H
#define NVMEMFS_PROVIDER_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cell.h"
#include "core/provider.h"

#define SYSFS_NVMEM_ROOT "/sys/bus/nvmem/devices"

/* @root is SYSFS_NVMEM_ROOT; tests give a directory of their own. */
int sysfs_provider_open(const char *root, const char *name, bool read_only,
			void **priv, struct nvmem_provider_info *info);

/*
 * The kernel's own cells (Linux >= 6.7: files cells/NAME@OFFSET[,BIT]).
 * Each comes back with ops that read the kernel's cell file, so the
 * kernel does its own bit math; they are read-only. Free the array with
 * sysfs_provider_cells_free(), which also frees each cell's priv: set it
 * to NULL once nvmem_device_add_cell() has taken it.
 *
 * The kernel sends a device's add uevent before it creates cells/: for
 * a device just announced, pass a @wait_ms for cells/ to appear (it is
 * looked for every SYSFS_CELLS_POLL_MS); 0 for one found by a scan.
 * May sleep that long.
 */
#define SYSFS_CELLS_POLL_MS 10
int sysfs_provider_cells(const char *root, const char *name,
			 unsigned int wait_ms, struct nvmem_cell **cells,
			 size_t *n);
void sysfs_provider_cells_free(struct nvmem_cell *cells, size_t n);

/* A kernel cell file's name, "NAME@OFFSET" or "NAME@OFFSET,BIT" in hex
 * (BIT 0-7), into @name (@size bytes), @off and @bit. 0 or -EINVAL. */
int sysfs_cell_name_parse(const char *file, char *name, size_t size,
			  uint64_t *off, unsigned int *bit);

extern const struct nvmem_provider_ops sysfs_provider_ops;

#endif
