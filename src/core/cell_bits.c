// SPDX-License-Identifier: MIT
/*
 * Bit-field math of cells, as the kernel's nvmem core defines it: the
 * field starts at bit @bit_offset of the first byte, bits are numbered
 * least significant first across bytes (byte 0 is the least significant
 * byte), and the value read is shifted down to bit 0 with every bit
 * above the field cleared.
 */
#include <string.h>

#include "core/cell.h"

size_t cell_raw_size(const struct nvmem_cell *cell)
{
	if (cell->nbits)
		return (cell->nbits + 7) / 8;
	return cell->bytes;
}

static unsigned int get_bit(const uint8_t *p, unsigned int bit)
{
	return (p[bit / 8] >> (bit % 8)) & 1;
}

void cell_bits_extract(const uint8_t *in, unsigned int bit_offset,
		       unsigned int nbits, uint8_t *out)
{
	unsigned int n = (nbits + 7) / 8;
	unsigned int in_len = (bit_offset + nbits + 7) / 8, i;

	/* Byte-wise shift: each output byte takes the top of one input byte
	 * and the bottom of the next (if the field reaches into it). */
	for (i = 0; i < n; i++) {
		unsigned int v = in[i] >> bit_offset;

		if (bit_offset && i + 1 < in_len)
			v |= (unsigned int)in[i + 1] << (8 - bit_offset);
		out[i] = (uint8_t)v;
	}
	if (nbits % 8)
		out[n - 1] &= (1u << (nbits % 8)) - 1;
}

void cell_bits_insert(uint8_t *dev_bytes, unsigned int bit_offset,
		      unsigned int nbits, const uint8_t *val)
{
	unsigned int i;

	for (i = 0; i < nbits; i++) {
		unsigned int dst = bit_offset + i;
		uint8_t mask = 1u << (dst % 8);

		if (get_bit(val, i))
			dev_bytes[dst / 8] |= mask;
		else
			dev_bytes[dst / 8] &= ~mask;
	}
}
