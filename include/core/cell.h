/* SPDX-License-Identifier: MIT */
/*
 * Cells: named pieces of a device, with the nvmem core's bit-field rules.
 *
 * A cell covers @bytes bytes at byte @offset. A bit-field cell (nbits > 0)
 * holds @nbits bits starting at bit @bit_offset (0..7) of the byte at
 * @offset, least significant bit first, spanning bytes as needed; its raw
 * value is ceil(nbits / 8) bytes, shifted down so that the field's first
 * bit is bit 0 of byte 0 and the bits above the field are zero - exactly
 * what the kernel's nvmem_cell_read() returns.
 */
#ifndef NVMEMFS_CELL_H
#define NVMEMFS_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/format.h"
#include "core/perm.h"

struct nvmem_device;
struct nvmem_cell;

/*
 * Cells whose bytes are not at a fixed place (e.g. U-Boot environment
 * variables) bring their own ops; fixed cells have ops == NULL.
 * Both are called outside any SRCU section and go through the
 * nvmem_device_read()/write() API themselves.
 */
struct nvmem_cell_ops {
	/* Fill @buf with the raw value; returns its length or -errno. */
	ssize_t (*read)(struct nvmem_device *dev, const struct nvmem_cell *cell,
			uint8_t *buf, size_t size);
	/* Replace the raw value; returns 0 or -errno. */
	int (*write)(struct nvmem_device *dev, const struct nvmem_cell *cell,
		     const uint8_t *raw, size_t len);
	/* Largest raw value (for buffer sizes and st_size bounds). */
	size_t max_raw;
	/* Frees a cell's priv with the cell; NULL: nothing to free. Here,
	 * not in every cell: a board may have thousands of them. */
	void (*priv_free)(void *priv);
};

/*
 * Immutable once the device is registered; owned by the device and freed
 * with it, so a cell pointer is valid as long as a device reference is.
 */
struct nvmem_cell {
	char *name;
	uint64_t offset;
	uint32_t bytes;		/* bytes covered on the device */
	uint32_t nbits;		/* 0: whole bytes */
	enum cell_format format;
	uint8_t bit_offset;	/* 0..7, only with nbits */
	bool read_only;
	/* What the configuration sets instead of the device's mode, owner
	 * or group (perm.h); zeroed, the device's. */
	struct perm_override perm;
	const struct nvmem_cell_ops *ops;	/* NULL: fixed cell */
	void *priv;		/* for ops, freed with the cell (ops->priv_free) */
};

/* Raw length of a cell's value: ceil(nbits/8) for bit fields, else bytes. */
size_t cell_raw_size(const struct nvmem_cell *cell);

/* Pure bit math, as the kernel's nvmem core does it (tested on its own). */
/* @in holds ceil((bit_offset + nbits) / 8) bytes; @out gets ceil(nbits/8). */
void cell_bits_extract(const uint8_t *in, unsigned int bit_offset,
		       unsigned int nbits, uint8_t *out);
/* Insert @val (ceil(nbits/8) bytes, low bits used) into @dev_bytes, leaving
 * every bit outside the field untouched. */
void cell_bits_insert(uint8_t *dev_bytes, unsigned int bit_offset,
		      unsigned int nbits, const uint8_t *val);

/* Raw value of @cell from one read of the device; returns length or -errno. */
ssize_t cell_read_raw(struct nvmem_device *dev, const struct nvmem_cell *cell,
		      uint8_t *buf, size_t size);
/* Write the raw value (exactly cell_raw_size() bytes); bit fields are
 * read-modify-written under the device's content lock. 0 or -errno. */
int cell_write_raw(struct nvmem_device *dev, const struct nvmem_cell *cell,
		   const uint8_t *raw, size_t len);

/* The formatted value, as a read of the cell file returns it. Returns the
 * text length or -errno. */
ssize_t cell_read_text(struct nvmem_device *dev, const struct nvmem_cell *cell,
		       char *buf, size_t size);
/* Parse @len bytes written to the cell file and store them. 0 or -errno
 * (-EINVAL for text that does not parse or does not fit). */
int cell_write_text(struct nvmem_device *dev, const struct nvmem_cell *cell,
		    const char *text, size_t len);
/* Upper bound of cell_read_text()'s length. */
size_t cell_max_text(const struct nvmem_cell *cell);

#endif
