// SPDX-License-Identifier: MIT
/*
 * Kontron sl28 vital product data, version 1 (24 bytes):
 *   0  magic 'V'
 *   1  version 1
 *   2  serial number, 15 bytes of text
 *  17  base MAC address, 6 bytes
 *  23  CRC-8 (poly 0x07, init 0) of bytes 0..22
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

#define SL28_VPD_MAGIC		'V'
#define SL28_VPD_V1_LEN		24
#define SL28_VPD_SERIAL_OFF	2
#define SL28_VPD_SERIAL_LEN	15
#define SL28_VPD_MAC_OFF	17
#define SL28_VPD_MAC_LEN	6
#define SL28_VPD_CRC_OFF	23

static int sl28_fail(char *why, size_t whylen, int err, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
	return err;
}

int sl28_vpd_parse(const uint8_t *buf, size_t len, struct layout_cells *out,
		   char *why, size_t whylen)
{
	struct layout_cell *cells;

	out->cells = NULL;
	out->n = 0;
	if (!buf || len < 2)
		return sl28_fail(why, whylen, -EINVAL,
				 "shorter than the sl28 VPD header");
	if (buf[0] != SL28_VPD_MAGIC)
		return sl28_fail(why, whylen, -EBADMSG, "no sl28 VPD magic 'V'");
	if (buf[1] != 1)
		return sl28_fail(why, whylen, -EBADMSG,
				 "sl28 VPD version is not 1");
	if (len < SL28_VPD_V1_LEN)
		return sl28_fail(why, whylen, -EINVAL,
				 "shorter than sl28 VPD version 1");
	if (crc_8(buf, SL28_VPD_CRC_OFF) != buf[SL28_VPD_CRC_OFF])
		return sl28_fail(why, whylen, -EBADMSG, "sl28 VPD CRC-8 mismatch");

	cells = calloc(2, sizeof(*cells));
	if (!cells)
		return sl28_fail(why, whylen, -ENOMEM, "out of memory");
	snprintf(cells[0].name, sizeof(cells[0].name), "serial-number");
	cells[0].offset = SL28_VPD_SERIAL_OFF;
	cells[0].len = SL28_VPD_SERIAL_LEN;
	cells[0].format = CELL_FORMAT_STRING;
	snprintf(cells[1].name, sizeof(cells[1].name), "base-mac-address");
	cells[1].offset = SL28_VPD_MAC_OFF;
	cells[1].len = SL28_VPD_MAC_LEN;
	cells[1].format = CELL_FORMAT_MAC;
	out->cells = cells;
	out->n = 2;
	return 0;
}
