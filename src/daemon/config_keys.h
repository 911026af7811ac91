/* SPDX-License-Identifier: MIT */
/*
 * Private to the configuration module: how a key is declared in the key
 * tables (config_keys.c for [device], config_cell.c for [cell]) and the
 * one parser that reads any of them into its section's struct.
 */
#ifndef NVMEMFS_CONFIG_KEYS_H
#define NVMEMFS_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_parse.h"

enum key_type {
	KEY_STRING,	/* char *, copied */
	KEY_PATH,	/* char *, absolute */
	KEY_NAME,	/* char *, a device name */
	KEY_NUM,	/* an unsigned field of @size bytes */
	KEY_BOOL,	/* bool */
	KEY_TRI,	/* int: -1 unset, 0, 1 */
	KEY_TYPE,	/* enum nvmem_type */
	KEY_LAYOUT,	/* enum layout_kind */
	KEY_FORMAT,	/* enum cell_format */
	KEY_PERM,	/* mode, owner, group into a struct perm_override */
	KEY_CHIP,	/* const struct at24_chip *, from the chip table */
	KEY_CHOICE,	/* an enum: the index of the value in @choices */
	KEY_LATER,	/* parsed with other keys, after the table */
};

enum {
	KEY_SUFFIX = 1 << 0,		/* numbers may end in K or M */
	KEY_SELECTS_BUS = 1 << 1,	/* one of adapter, bus, usb-serial, emulate */
	KEY_NEEDS_EMULATE = 1 << 2,
	KEY_NEEDS_UBOOT = 1 << 3,
};

struct key_desc {
	const char *name;
	enum key_type type;
	size_t offset;		/* of the field in its section's struct */
	size_t size;		/* KEY_NUM: of the field */
	uint64_t max;		/* KEY_NUM */
	/* KEY_NUM: a value the key refuses, said in @why; NULL: any */
	bool (*refuse)(uint64_t v, char *why, size_t len);
	unsigned int providers;	/* bits of enum config_provider; 0: all */
	unsigned int flags;
	const char *const *choices;	/* KEY_CHOICE, NULL-terminated */
};

#define DEV(n, t, f, ...)	{ .name = n, .type = t, \
	.offset = offsetof(struct config_device, f), \
	.size = sizeof(((struct config_device *)0)->f), __VA_ARGS__ }
#define CELL(n, t, f, ...)	{ .name = n, .type = t, \
	.offset = offsetof(struct config_cell, f), \
	.size = sizeof(((struct config_cell *)0)->f), __VA_ARGS__ }
#define FILE_	(1u << CONFIG_PROVIDER_FILE)
#define AT24	(1u << CONFIG_PROVIDER_AT24)
#define SYSFS	(1u << CONFIG_PROVIDER_SYSFS)

#define NKEYS(t)	(sizeof(t) / sizeof((t)[0]))

const struct key_desc *config_key_find(const struct key_desc *table,
				       size_t n, const char *name);
/* Parse @k as @d says into the section's struct at @base. */
void config_parse_key(struct parser *p, const struct raw_section *s,
		      const struct raw_key *k, const struct key_desc *d,
		      void *base);
/* A .refuse for numbers that must not be 0. */
bool config_refuse_zero(uint64_t v, char *why, size_t len);

#endif
