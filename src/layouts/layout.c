// SPDX-License-Identifier: MIT
/*
 * Layouts applied to a device: the parsers (onie_tlv.c, sl28_vpd.c,
 * uboot_env.c) read a buffer; this file reads the device and turns the
 * result into cells. sl28 cells are fixed cells at the offsets the parser
 * found; an ONIE TlvInfo is served by onie_cells.c, a U-Boot environment
 * by uboot_cells.c, both as cells that can be edited.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout_priv.h"
#include "base/log.h"
#include "core/nvmem.h"

#define SL28_SIZE	64

/*
 * Why a layout cell is not served. A name a configured cell already has
 * is the device's data, not a configuration mistake (fw_setenv can add
 * such a variable any day), so it must not take the device down: the
 * configured cell wins and the layout's is skipped.
 */
void layout_skipped(struct nvmem_device *dev, const char *name, int err)
{
	if (err == -EEXIST)
		log_warn("%s: layout cell '%s' not served: a configured cell has that name",
			 nvmem_device_name(dev), name);
	else
		log_warn("%s: layout cell '%s' not served: %s",
			 nvmem_device_name(dev), name, strerror(-err));
}

int layout_sync_found(struct nvmem_device *dev, const char *name,
		      ssize_t idx, uint64_t sync, bool initial)
{
	if (idx == -ENOMEM)
		return -ENOMEM;
	if (idx >= NVMEM_CELL_DYN_BASE)
		nvmem_device_sync_mark(dev, idx, sync);
	else if (initial)	/* a configured cell has the name, or no room */
		layout_skipped(dev, name, idx < 0 ? idx : -EEXIST);
	return 0;
}

ssize_t layout_add_dyn(struct nvmem_device *dev, const struct nvmem_cell *cell)
{
	ssize_t ret = nvmem_device_add_dyn_cell(dev, cell);

	if (ret >= 0)
		return ret;
	if (ret == -EEXIST)	/* added by a sync meanwhile */
		ret = nvmem_device_find_cell(dev, cell->name);
	cell->ops->priv_free(cell->priv);	/* not taken by the device */
	return ret;
}

ssize_t layout_find_hidden(struct nvmem_device *dev, const char *name)
{
	ssize_t idx = nvmem_device_find_cell(dev, name);

	if (idx < 0)
		return -ENOENT;
	return idx < NVMEM_CELL_DYN_BASE ||
	       nvmem_device_cell_present(dev, idx) ? -EEXIST : idx;
}

/* Add one cell; only running out of memory is an error. */
static int layout_add(struct nvmem_device *dev, struct nvmem_cell *cell)
{
	int ret = nvmem_device_add_cell(dev, cell);

	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		layout_skipped(dev, cell->name, ret);
	return 0;
}

static int layout_fixed_cells(struct nvmem_device *dev,
			      const struct layout_cells *cells)
{
	size_t i;
	int ret;

	for (i = 0; i < cells->n; i++) {
		struct nvmem_cell cell = {
			.name = cells->cells[i].name,
			.offset = cells->cells[i].offset,
			.bytes = cells->cells[i].len,
			.format = cells->cells[i].format,
			.read_only = true,	/* the CRC covers them */
		};

		ret = layout_add(dev, &cell);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int layout_table(struct nvmem_device *dev, enum layout_kind kind)
{
	struct layout_cells cells = { 0 };
	size_t len = SL28_SIZE;
	char why[160] = "";
	uint8_t *buf;
	ssize_t n;
	int ret;

	if (len > nvmem_device_size(dev))
		len = nvmem_device_size(dev);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	n = nvmem_device_read(dev, 0, buf, len);
	if (n < 0) {
		snprintf(why, sizeof(why), "cannot read the device: %s", strerror(-n));
		ret = -EIO;
	} else {
		ret = sl28_vpd_parse(buf, n, &cells, why, sizeof(why));
	}
	free(buf);
	if (ret < 0) {
		/* Bad data: no cells from it; the raw device stays served. */
		log_warn("%s: %s layout not applied: %s", nvmem_device_name(dev),
			 layout_name(kind), why);
		nvmem_device_set_layout_status(dev, "layout: %s\nlayout-state: not applied: %s\n",
					       layout_name(kind), why);
		return 0;
	}
	nvmem_device_set_layout_status(dev, "layout: %s\nlayout-state: applied\n",
				       layout_name(kind));
	ret = layout_fixed_cells(dev, &cells);
	layout_cells_free(&cells);
	return ret;
}

static const char *const layout_names[LAYOUT_KINDS] = {
	[LAYOUT_FIXED] = "fixed",
	[LAYOUT_ONIE_TLV] = "onie-tlv",
	[LAYOUT_U_BOOT_ENV] = "u-boot-env",
	[LAYOUT_SL28_VPD] = "sl28-vpd",
};

const char *layout_name(enum layout_kind kind)
{
	return (unsigned int)kind < LAYOUT_KINDS ? layout_names[kind] : "?";
}

int layout_kind_parse(const char *name, enum layout_kind *kind)
{
	unsigned int i;

	for (i = 0; i < LAYOUT_KINDS; i++) {
		if (!strcmp(name, layout_names[i])) {
			*kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A CRC, a flags byte and one empty variable's terminator. */
#define LAYOUT_UBOOT_MIN	8

int layout_uboot_geometry(const struct layout_params *p, uint64_t dev_size,
			  uint64_t *sizep, const char **key, char *why,
			  size_t whylen)
{
	bool redundant = p->env_redundant_offset >= 0;
	uint64_t off[2] = { p->env_offset, redundant ? p->env_redundant_offset : 0 };
	uint64_t size = p->env_size, apart;
	unsigned int i;

	if (!size && dev_size) {
		uint64_t end = dev_size;

		if (redundant && off[1] > off[0])
			end = off[1];
		size = end > off[0] ? end - off[0] : 0;
	}
	*sizep = size;
	if (!size && !dev_size)
		return 0;	/* decided once the device is open */
	if (size < LAYOUT_UBOOT_MIN) {
		*key = "env-size";
		snprintf(why, whylen, "%llu bytes cannot hold an environment (at least %d)",
			 (unsigned long long)size, LAYOUT_UBOOT_MIN);
		return -EINVAL;
	}
	apart = off[0] < off[1] ? off[1] - off[0] : off[0] - off[1];
	if (redundant && apart < size) {
		*key = "env-redundant-offset";
		snprintf(why, whylen, "the copies at 0x%llx and 0x%llx overlap (env-size %llu)",
			 (unsigned long long)off[0], (unsigned long long)off[1],
			 (unsigned long long)size);
		return -EINVAL;
	}
	/* Checked before any buffer is sized from them: the numbers come
	 * from the user. */
	for (i = 0; dev_size && i < (redundant ? 2u : 1u); i++) {
		if (off[i] > dev_size || size > dev_size - off[i] ||
		    size > SIZE_MAX / 2) {
			*key = i ? "env-redundant-offset" : "env-offset";
			snprintf(why, whylen, "copy %u (0x%llx + %llu bytes) lies beyond the device (%llu bytes)",
				 i, (unsigned long long)off[i],
				 (unsigned long long)size,
				 (unsigned long long)dev_size);
			return -EINVAL;
		}
	}
	return 0;
}

int layout_apply(struct nvmem_device *dev, const struct layout_params *p)
{
	switch (p->kind) {
	case LAYOUT_ONIE_TLV:
		return layout_onie(dev);
	case LAYOUT_SL28_VPD:
		return layout_table(dev, p->kind);
	case LAYOUT_U_BOOT_ENV:
		return layout_uboot(dev, p);
	default:
		nvmem_device_set_layout_status(dev, "layout: %s\n",
					       layout_name(LAYOUT_FIXED));
		return 0;
	}
}
