/* SPDX-License-Identifier: MIT */
/*
 * One U-Boot environment copy, as the format lays it out: CRC-32 of the
 * data area (little-endian), the flags byte of a redundant copy, then
 * the data ("a=b\0c=d\0\0"), padded to the copy's size.
 */
#ifndef NVMEMFS_TEST_UBOOT_COPY_H
#define NVMEMFS_TEST_UBOOT_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/crc.h"

/* @size bytes at @copy: @dlen bytes of @data, the rest @pad. */
static inline void uboot_copy_build(uint8_t *copy, size_t size,
				    bool redundant, uint8_t flags,
				    const void *data, size_t dlen, uint8_t pad)
{
	size_t hdr = redundant ? 5 : 4;
	uint32_t crc;

	memset(copy, pad, size);
	memcpy(copy + hdr, data, dlen);
	if (redundant)
		copy[4] = flags;
	crc = crc_32(copy + hdr, size - hdr);
	copy[0] = (uint8_t)crc;
	copy[1] = (uint8_t)(crc >> 8);
	copy[2] = (uint8_t)(crc >> 16);
	copy[3] = (uint8_t)(crc >> 24);
}

#endif
