// SPDX-License-Identifier: MIT
/*
 * Derived MAC addresses (mac_cell.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mac_cell.h"
#include "core/nvmem.h"

struct mac_cell {
	uint64_t index;
	char base[];		/* the base cell's name */
};

void mac_add(const uint8_t base[6], uint64_t index, uint8_t out[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | base[i];
	v = (v + index) & 0xffffffffffffULL;
	for (i = 5; i >= 0; i--, v >>= 8)
		out[i] = v & 0xff;
}

static ssize_t mac_cell_read(struct nvmem_device *dev,
			     const struct nvmem_cell *cell, uint8_t *buf,
			     size_t size)
{
	const struct mac_cell *m = cell->priv;
	const struct nvmem_cell *base;
	uint8_t raw[64];
	ssize_t i, n;

	if (size < 6)
		return -ENOSPC;
	i = nvmem_device_find_cell(dev, m->base);
	if (i < 0)
		return -ENOENT;
	base = nvmem_device_cell(dev, i);
	if (base->format != CELL_FORMAT_MAC || base->ops == cell->ops)
		return -EINVAL;	/* no address, or derived itself */
	n = cell_read_raw(dev, base, raw, sizeof(raw));
	if (n < 0)
		return n;
	if (n != 6)
		return -EIO;
	mac_add(raw, m->index, buf);
	return 6;
}

static const struct nvmem_cell_ops mac_cell_ops = {
	.read = mac_cell_read,
	.max_raw = 6,
	.priv_free = free,
};

int mac_cell_init(struct nvmem_cell *cell, const char *base, uint64_t index)
{
	struct mac_cell *m = malloc(sizeof(*m) + strlen(base) + 1);

	if (!m)
		return -ENOMEM;
	m->index = index;
	strcpy(m->base, base);
	cell->ops = &mac_cell_ops;
	cell->priv = m;
	cell->format = CELL_FORMAT_MAC;
	cell->read_only = true;
	return 0;
}

const char *mac_cell_base(const struct nvmem_cell *cell, uint64_t *index)
{
	const struct mac_cell *m = cell->priv;

	if (cell->ops != &mac_cell_ops)
		return NULL;
	*index = m->index;
	return m->base;
}
