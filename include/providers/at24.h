/* SPDX-License-Identifier: MIT */
/*
 * Provider "at24": AT24-family I2C EEPROMs driven from user space through
 * an I2C adapter (i2c.h), with no kernel EEPROM driver involved.
 */
#ifndef NVMEMFS_AT24_H
#define NVMEMFS_AT24_H

#include <stdbool.h>
#include <stdint.h>

#include "core/provider.h"

struct i2c_adapter;
struct wp_gpio;

/* One chip of the family, as its datasheet describes it. */
struct at24_chip {
	const char *name;
	uint32_t size;		/* bytes served */
	uint16_t page_size;	/* write page */
	uint8_t addr_width;	/* word address bits: 8 or 16 */
	uint8_t naddr;		/* I2C addresses the array spreads over */
	uint8_t addr_shift;	/* which address bit the block number
				 * starts at (2 on the 24c1025) */
	uint16_t offset;	/* word address of the data (serial number
				 * and EUI areas of 24cs / 24mac parts) */
	bool read_only;
};

/* NULL for a name not in the table. */
const struct at24_chip *at24_chip_find(const char *name);
/* For messages: "24c00, 24c01, ..." */
const char *at24_chip_names(void);

/* What the configuration asks for; zeros mean "the chip's own". */
struct at24_params {
	const struct at24_chip *chip;
	uint16_t address;
	uint32_t size;
	uint32_t page_size;
	uint8_t addr_width;
	uint32_t io_limit;
	uint32_t write_timeout_ms;
	uint32_t bus_timeout_ms;
	bool read_only;
	/* The chip's write-protect line, NULL: none. Released around each
	 * page write only; the provider owns it from at24_provider_open()
	 * on, also when that fails. */
	struct wp_gpio *wp;
};

#define AT24_DEFAULT_IO_LIMIT		128	/* as the kernel driver */
#define AT24_MAX_PAGE_SIZE		256	/* the largest AT24 page */
#define AT24_MAX_IO_LIMIT		8192	/* Linux's I2C_RDWR message limit */
#define AT24_DEFAULT_WRITE_TIMEOUT_MS	25
/* How long a bus that does not answer (a bridge's transfer timeout, a
 * lost answer) is retried before EIO: well past the 50 ms a CP2112's
 * driver waits for an answer, so that a transient one is ridden over. */
#define AT24_DEFAULT_BUS_TIMEOUT_MS	1000

/*
 * Open the chip at @p->address on @ad (the provider takes its own
 * reference on @ad). Probes the chip once so that a wrong address fails
 * here rather than at the first read. 0 or -errno.
 */
int at24_provider_open(const struct at24_params *p, struct i2c_adapter *ad,
		       void **priv, struct nvmem_provider_info *info);

extern const struct nvmem_provider_ops at24_provider_ops;

#endif
