/* SPDX-License-Identifier: MIT */
/*
 * Checksums used by on-flash layouts.
 *
 *  crc32  IEEE 802.3: reflected, poly 0xedb88320, init and final xor
 *         0xffffffff (ONIE TlvInfo, U-Boot environment)
 *  crc8   poly 0x07, MSB first, init 0, no final xor (Kontron sl28 VPD)
 */
#ifndef NVMEMFS_CRC_H
#define NVMEMFS_CRC_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc_32(const void *buf, size_t len);
uint8_t crc_8(const void *buf, size_t len);

#endif
