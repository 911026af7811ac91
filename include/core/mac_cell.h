/* SPDX-License-Identifier: MIT */
/*
 * Derived MAC addresses, as the kernel's "mac-base" cells give them: a
 * read-only cell whose value is another cell's MAC address plus an
 * index, carried over all 48 bits (02:00:5e:10:20:ff + 1 is
 * 02:00:5e:10:21:00), so that one base address in an EEPROM names every
 * interface of a board.
 */
#ifndef NVMEMFS_MAC_CELL_H
#define NVMEMFS_MAC_CELL_H

#include <stdint.h>

#include "core/cell.h"

/* The largest index: the addresses of one base never wrap around. */
#define MAC_CELL_INDEX_MAX	0xffffffffffffULL

/* @out = @base + @index, modulo 2^48. */
void mac_add(const uint8_t base[6], uint64_t index, uint8_t out[6]);

/*
 * Make @cell (named already) the address @index past the cell named
 * @base of the same device, which must be a mac cell when it is read
 * (-ENOENT if it is not there, -EINVAL if it holds no MAC address).
 * Sets ops, priv, format and read_only. 0 or -ENOMEM.
 */
int mac_cell_init(struct nvmem_cell *cell, const char *base, uint64_t index);

/* The base and index of a cell made by mac_cell_init(), else NULL. */
const char *mac_cell_base(const struct nvmem_cell *cell, uint64_t *index);

#endif
