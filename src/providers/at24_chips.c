// SPDX-License-Identifier: MIT
/*
 * The AT24 family, from the datasheets (the same chips the kernel's at24
 * driver knows). 8-bit parts address 256 bytes per I2C address and spread
 * larger arrays over consecutive addresses; 16-bit parts address 64 KiB
 * per address. The 24cs and 24mac parts answer at a second address with a
 * factory-programmed, read-only serial number or EUI.
 */
#include <string.h>

#include "providers/at24.h"

#define CHIP(n, sz, pg, aw, na) { .name = n, .size = sz, .page_size = pg, \
				  .addr_width = aw, .naddr = na }
#define SERIAL(n, sz, aw, off) { .name = n, .size = sz, .page_size = 1, \
				 .addr_width = aw, .naddr = 1, .offset = off, \
				 .read_only = true }

static const struct at24_chip at24_chips[] = {
	CHIP("24c00", 16, 1, 8, 8),	/* answers on 8 addresses */
	CHIP("24c01", 128, 8, 8, 1),
	SERIAL("24cs01", 16, 8, 0x80),
	CHIP("24c02", 256, 8, 8, 1),
	SERIAL("24cs02", 16, 8, 0x80),
	SERIAL("24mac402", 6, 8, 0x9a),	/* EUI-48 */
	SERIAL("24mac602", 8, 8, 0x98),	/* EUI-64 */
	{ .name = "spd", .size = 256, .page_size = 16, .addr_width = 8,
	  .naddr = 1, .read_only = true },
	CHIP("24c04", 512, 16, 8, 2),
	SERIAL("24cs04", 16, 8, 0x80),
	CHIP("24c08", 1024, 16, 8, 4),
	SERIAL("24cs08", 16, 8, 0x80),
	CHIP("24c16", 2048, 16, 8, 8),
	SERIAL("24cs16", 16, 8, 0x80),
	CHIP("24c32", 4096, 32, 16, 1),
	SERIAL("24cs32", 16, 16, 0x800),
	CHIP("24c64", 8192, 32, 16, 1),
	SERIAL("24cs64", 16, 16, 0x800),
	CHIP("24c128", 16384, 64, 16, 1),
	CHIP("24c256", 32768, 64, 16, 1),
	CHIP("24c512", 65536, 128, 16, 1),
	CHIP("24c1024", 131072, 256, 16, 2),
	{ .name = "24c1025", .size = 131072, .page_size = 128,
	  .addr_width = 16, .naddr = 2, .addr_shift = 2 },
	CHIP("24c2048", 262144, 256, 16, 4),
};

const struct at24_chip *at24_chip_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(at24_chips) / sizeof(at24_chips[0]); i++)
		if (!strcmp(at24_chips[i].name, name))
			return &at24_chips[i];
	return NULL;
}

const char *at24_chip_names(void)
{
	return "24c00, 24c01, 24cs01, 24c02, 24cs02, 24mac402, 24mac602, spd, "
	       "24c04, 24cs04, 24c08, 24cs08, 24c16, 24cs16, 24c32, 24cs32, "
	       "24c64, 24cs64, 24c128, 24c256, 24c512, 24c1024, 24c1025, 24c2048";
}
