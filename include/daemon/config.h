/* SPDX-License-Identifier: MIT */
/*
 * The configuration file (/etc/nvmemfs.conf), parsed with libinih.
 *
 * Every mistake is reported as one line
 *     FILE:LINE: [SECTION] KEY: what is wrong
 * and makes loading fail as a whole: the daemon never starts half
 * configured. The parsed result is plain data, immutable after loading,
 * and keeps the line of every key so that later checks (chip names,
 * device sizes, layouts) can report errors the same way.
 */
#ifndef NVMEMFS_CONFIG_H
#define NVMEMFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strpool.h"
#include "core/format.h"
#include "layouts/layout.h"
#include "core/perm.h"
#include "core/provider.h"

struct at24_chip;

#define CONFIG_DEFAULT_PATH "/etc/nvmemfs.conf"

enum config_provider {
	CONFIG_PROVIDER_FILE,
	CONFIG_PROVIDER_AT24,
	CONFIG_PROVIDER_SYSFS,
};

/* Key/line pairs of one section, for error messages after parsing. */
struct config_keyline {
	char *key;
	int line;
};

/* offset size bits format read-only mode owner group mac-base mac-index */
#define CONFIG_CELL_NKEYS	10

/* A board may configure thousands of cells and keeps them all: the
 * fields are packed, and the names live in the configuration's pool. */
struct config_cell {
	char *device;		/* "board" of [cell board/mac-address] */
	char *name;		/* "mac-address" */
	uint64_t offset;
	uint32_t size;		/* bytes; for bit fields the bytes covered */
	unsigned int nbits;	/* 0: byte cell */
	enum cell_format format;
	uint8_t bit_offset;	/* 0..7 after normalisation */
	bool read_only;
	struct perm_override perm;	/* keys mode, owner, group */
	/* A derived MAC address (mac_cell.h): the base cell's name, NULL
	 * for a cell of bytes of its own, and the index past it. */
	char *mac_base;
	uint64_t mac_index;
	int line;		/* of the section header */
	/* Line of each key after @line, 0 if absent (or more than 65535
	 * lines below it: then @line is named), in the order of
	 * config_cell.c's cell_keys[]. */
	uint16_t key_lines[CONFIG_CELL_NKEYS];
};

struct config_device {
	char *name;
	enum config_provider provider;
	int line;		/* of the section header */

	/* provider = file */
	char *path;

	/* provider = at24: exactly one of adapter / bus / usb_serial */
	char *adapter;		/* glob on the i2c adapter name */
	int bus;		/* -1 unset */
	char *usb_serial;
	unsigned int address;	/* 7-bit, 0x03..0x77 */
	char *chip;		/* "24c512"; checked against the chip table */
	uint64_t size;		/* 0: from the chip / the backing */
	unsigned int page_size;		/* 0: from the chip */
	unsigned int address_width;	/* 0: from the chip, else 8 or 16 */
	unsigned int io_limit;		/* 0: default */
	unsigned int write_timeout_ms;	/* 0: default */
	unsigned int bus_timeout_ms;	/* 0: default */
	/* key kernel-driver: what to do when a kernel driver has bound a
	 * client at the address (factory.c) */
	enum config_kernel_driver {
		CONFIG_KDRIVER_USE,	/* serve its nvmem device (default) */
		CONFIG_KDRIVER_REFUSE,
	} kernel_driver;
	/* Emulated chip instead of an adapter (demo, tests): the image
	 * file it starts from, its bus clock, and optionally the byte
	 * count after which it behaves as if unplugged. */
	char *emulate;
	unsigned int emulate_clock;	/* Hz, default 100000 */
	int64_t emulate_unplug_at;	/* -1: never */
	/* key emulate-chip: the part the emulated bus carries, when it is
	 * not the configured chip (NULL: @chip), for --probe's tests */
	const struct at24_chip *emulate_chip;
	/* wp-gpio = CHIP LINE, cut at the blank: @wp_gpio is the chip,
	 * @wp_gpio_line points behind it; wp-gpio-active = high | low */
	char *wp_gpio;
	const char *wp_gpio_line;
	char *wp_gpio_active;
	bool wp_gpio_active_low;

	/* provider = sysfs */
	char *kernel_name;	/* key "name" */

	int read_only;		/* -1 unset, 0, 1 */
	int cache;		/* -1 unset, 0, 1 */
	/* keys mode, owner, group: the device's files and the default
	 * for its cells, instead of the backing's */
	struct perm_override perm;
	bool type_set;
	enum nvmem_type type;	/* key "type" */
	/* keys layout, env-offset, env-size, env-redundant-offset, env-lock
	 * (layout.env_lock points into @env_lock, the key's text) */
	struct layout_params layout;
	char *env_lock;

	struct config_cell *cells;	/* the [cell NAME/...] sections */
	size_t ncells;

	struct config_keyline *keys;
	size_t nkeys;
};

struct config {
	char *path;		/* as given, for messages */
	bool kernel_devices;
	struct config_device *devices;
	size_t ndevices;
	struct strpool names;	/* of the cells */
};

/* Load @path; on error print the message through log_err() and return
 * -EINVAL (or -errno when the file cannot be read). */
int config_load(const char *path, struct config **out);
/* Same from memory; @path is used only in messages. */
int config_load_string(const char *text, size_t len, const char *path,
		       struct config **out);
/* A configuration with no file at all: defaults only. */
struct config *config_new_default(void);
void config_free(struct config *cfg);

const struct config_device *config_find_device(const struct config *cfg,
					       const char *name);
/* Line of @key in a section, or the section's own line if absent. */
int config_device_line(const struct config_device *dev, const char *key);
int config_cell_line(const struct config_cell *cell, const char *key);

/* Report a later check's failure in the common format, through log_err(). */
void config_error(const struct config *cfg, int line, const char *section,
		  const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

const char *config_provider_name(enum config_provider p);

#endif
