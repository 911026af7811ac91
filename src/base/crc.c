// SPDX-License-Identifier: MIT
/* Bitwise CRCs: the layouts checksum at most a few KiB, once per parse or
 * write, so tables would buy nothing but static state. */
#include "base/crc.h"

uint32_t crc_32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1u));
	}
	return crc ^ 0xffffffffu;
}

uint8_t crc_8(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint8_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 0x80) ? (uint8_t)(crc << 1 ^ 0x07) : (uint8_t)(crc << 1);
	}
	return crc;
}
