/* SPDX-License-Identifier: MIT */
/*
 * Private to the layouts: what layout.c (the layouts applied to a
 * device) and uboot_cells.c (a U-Boot environment as cells) share.
 */
#ifndef NVMEMFS_LAYOUT_PRIV_H
#define NVMEMFS_LAYOUT_PRIV_H

#include "layouts/layout.h"

struct nvmem_device;

/* Log why layout cell @name is not served (-EEXIST: a configured cell
 * has the name; the configured one wins). */
void layout_skipped(struct nvmem_device *dev, const char *name, int err);

/* layout_apply() for u-boot-env. */
int layout_uboot(struct nvmem_device *dev, const struct layout_params *p);

#endif
