/* SPDX-License-Identifier: MIT */
/*
 * --check-config --probe: read each present device and say what its
 * bytes and its chip suggest about the configuration (a U-Boot
 * environment's size and place, an ONIE TlvInfo header, how an AT24
 * takes its word address), each finding with its evidence and the key
 * to change. Read-only I/O only: the bus probes use combined transfers
 * whose only STOP follows a read (probe.c says why that never writes).
 * The analyses are pure functions, unit-tested on their own.
 */
#ifndef NVMEMFS_PROBE_H
#define NVMEMFS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/config.h"

struct nvmem_device;
struct i2c_adapter;

/* Environment sizes tried: powers of two from this up. */
#define PROBE_ENV_MIN_SIZE	0x400

/* Is the U-Boot environment copy at @off of @size bytes in @buf (@len
 * bytes) intact: its stored CRC-32 (*@stored) equal to that of its data
 * (*@computed), after a flags byte if @redundant? False also when the
 * copy does not fit in @buf. */
bool probe_env_crc(const uint8_t *buf, size_t len, uint64_t off,
		   uint64_t size, bool redundant, uint32_t *stored,
		   uint32_t *computed);

struct probe_env_match {
	uint64_t offset, size;
	bool redundant;		/* a flags byte after the CRC */
};

/*
 * Every intact copy of a size that is a power of two from
 * PROBE_ENV_MIN_SIZE to @max_size, at an offset that is a multiple of
 * its size or at @at, in either form, by size then offset: at most @max
 * in @m; returns how many there are in all.
 */
size_t probe_env_scan(const uint8_t *buf, size_t len, uint64_t max_size,
		      uint64_t at, struct probe_env_match *m, size_t max);

/* Bytes read by each of the four reads the AT24 width probe makes. */
#define PROBE_AT24_LEN	16

enum probe_width {
	PROBE_WIDTH_UNKNOWN,
	PROBE_WIDTH_8,
	PROBE_WIDTH_16,
};

/*
 * How the chip took its word address, from four combined reads
 * (address write, repeated start, PROBE_AT24_LEN bytes read): a 16-bit
 * address 0x0000 (@r16_0000) and 0x0040 (@r16_0040), an 8-bit address
 * 0x00 (@r8_00) and 0x01 (@r8_01). A 16-bit part reads where the two
 * bytes point, so the first two differ unless its bytes repeat there; an
 * 8-bit part takes the second address byte as data (latched, never
 * written: no STOP follows it) and reads on from one past the first,
 * so both return what the 8-bit read at 0x01 does (a part that ignored
 * the second byte would return what the read at 0x00 does: 8-bit too).
 * The evidence goes to @why.
 */
enum probe_width probe_width_verdict(const uint8_t *r16_0000,
				     const uint8_t *r16_0040,
				     const uint8_t *r8_00,
				     const uint8_t *r8_01, char *why,
				     size_t whylen);

/* Print the findings about @cd's device @dev (built by the factory);
 * @ad: its I2C bus when the chip is driven over one, else NULL. */
void probe_device(const struct config_device *cd, struct nvmem_device *dev,
		  struct i2c_adapter *ad, FILE *out);

#endif
