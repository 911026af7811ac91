// SPDX-License-Identifier: MIT
/*
 * Configuration, the checks of a device as a whole, once its cells are
 * attached: cells that share bits, cells past the device's end where its
 * size is known before it is opened (a size key, an AT24's chip), and an
 * AT24 geometry the chip does not have.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config_parse.h"
#include "providers/at24.h"

static int cell_cmp(const void *a, const void *b)
{
	const struct config_cell *x = *(const struct config_cell *const *)a;
	const struct config_cell *y = *(const struct config_cell *const *)b;
	uint64_t xs = x->offset * 8 + x->bit_offset;
	uint64_t ys = y->offset * 8 + y->bit_offset;

	return xs < ys ? -1 : xs > ys;
}

static uint64_t cell_end_bit(const struct config_cell *c)
{
	return c->offset * 8 + c->bit_offset +
	       (c->nbits ? c->nbits : (uint64_t)c->size * 8);
}

/* Overlaps (by bits, so disjoint fields in one byte are fine) and cells
 * beyond a size known now (@size 0: not known before the device opens;
 * @what says where it comes from). */
static void check_cells(struct parser *p, struct config_device *d,
			uint64_t size, const char *what)
{
	struct config_cell **sorted;
	char title[CONFIG_NAME_MAX * 2 + 8];
	size_t i, n;

	if (!d->ncells)
		return;
	sorted = malloc(d->ncells * sizeof(*sorted));
	if (!sorted) {
		p->errors++;
		return;
	}
	/* Derived MAC addresses have no bytes of their own. */
	for (i = n = 0; i < d->ncells; i++)
		if (!d->cells[i].mac_base)
			sorted[n++] = &d->cells[i];
	qsort(sorted, n, sizeof(*sorted), cell_cmp);
	for (i = 0; i < n; i++) {
		struct config_cell *c = sorted[i];

		snprintf(title, sizeof(title), "cell %s/%s", c->device, c->name);
		if (i && cell_end_bit(sorted[i - 1]) > c->offset * 8 + c->bit_offset) {
			const struct config_cell *o = sorted[i - 1];
			const struct config_cell *later = o->line > c->line ? o : c;
			const struct config_cell *earlier = later == c ? o : c;

			snprintf(title, sizeof(title), "cell %s/%s",
				 later->device, later->name);
			config_perr(p, config_cell_line(later, "offset"), title,
				    "offset", "overlaps cell '%s' (line %d)",
				    earlier->name, earlier->line);
		}
		if (size && (c->offset > size || c->size > size - c->offset))
			config_perr(p, config_cell_line(c, "offset"), title,
				    "offset",
				    "cell (0x%llx + %u bytes) does not fit in the device (%s)",
				    (unsigned long long)c->offset, c->size, what);
	}
	free(sorted);
}

/*
 * The geometry an at24 device's keys give must be one its chip has: more
 * bytes than the chip holds, or word addresses narrower than its own,
 * would spread the array over I2C addresses where other chips answer.
 * Reports the first mistake found against its key.
 */
static void check_at24(struct parser *p, const struct config_device *d,
		       const struct at24_chip *chip, uint64_t size)
{
	char section[CONFIG_NAME_MAX + 8];
	unsigned int width = d->address_width ? d->address_width :
			     chip->addr_width;
	uint64_t blocks = (size + (1u << width) - 1) >> width;
	unsigned int last;

	snprintf(section, sizeof(section), "device %s", d->name);
	if (size > chip->size) {
		config_perr(p, config_device_line(d, "size"), section, "size",
			    "%llu bytes is more than a %s holds (%u)",
			    (unsigned long long)size, chip->name, chip->size);
		return;
	}
	if (blocks > chip->naddr) {
		config_perr(p, config_device_line(d, "address-width"), section,
			    "address-width",
			    "%u-bit word addresses would spread a %s over %llu I2C addresses; it answers on %u",
			    width, chip->name, (unsigned long long)blocks,
			    chip->naddr);
		return;
	}
	last = d->address + ((unsigned int)(blocks - 1) << chip->addr_shift);
	if (last > 0x77)
		config_perr(p, config_device_line(d, "address"), section,
			    "address", "a %s at 0x%02x also answers at 0x%02x, past 0x77",
			    chip->name, d->address, last);
}

/* Write bits on a cell that can never be written would promise what a
 * write then refuses. */
static void check_cell_modes(struct parser *p, const struct config_device *d)
{
	char title[CONFIG_NAME_MAX * 2 + 8];
	size_t i;

	for (i = 0; i < d->ncells; i++) {
		const struct config_cell *c = &d->cells[i];

		if (!(c->perm.set & PERM_SET_MODE) ||
		    !(c->perm.mode & PERM_WRITE_BITS) ||
		    (!c->read_only && d->read_only != 1))
			continue;
		snprintf(title, sizeof(title), "cell %s/%s", c->device, c->name);
		config_perr(p, config_cell_line(c, "mode"), title, "mode",
			    "%04o has write bits, but %s",
			    (unsigned int)c->perm.mode, c->read_only ?
			    "the cell is read-only" : "its device is read-only");
	}
}

void config_check_device(struct parser *p, struct config_device *d)
{
	char what[64], section[CONFIG_NAME_MAX + 8];
	const struct at24_chip *chip;
	uint64_t size;

	check_cell_modes(p, d);
	if (d->provider != CONFIG_PROVIDER_AT24 || !d->chip) {
		snprintf(what, sizeof(what), "size = %llu",
			 (unsigned long long)d->size);
		check_cells(p, d, d->size, what);
		return;
	}
	chip = at24_chip_find(d->chip);
	if (!chip) {
		snprintf(section, sizeof(section), "device %s", d->name);
		config_perr(p, config_device_line(d, "chip"), section, "chip",
			    "unknown chip '%s' (known: %s)", d->chip,
			    at24_chip_names());
		check_cells(p, d, d->size, "");
		return;
	}
	/* The chip's size is known before it is plugged in: check the
	 * geometry and the cells now, not at the first plug. */
	size = d->size ? d->size : chip->size;
	check_at24(p, d, chip, size);
	snprintf(what, sizeof(what), "%llu bytes", (unsigned long long)size);
	check_cells(p, d, size, what);
}
