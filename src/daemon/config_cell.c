// SPDX-License-Identifier: MIT
/*
 * Configuration, pass 2 for [cell DEVICE/NAME] sections: the cell key
 * table, and what depends on several of its keys (size or bits, the
 * format against the size, derived MAC addresses).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keys.h"
#include "core/mac_cell.h"

/* The order of config_cell.key_lines[]. */
static const struct key_desc cell_keys[CONFIG_CELL_NKEYS] = {
	CELL("offset", KEY_NUM, offset, .max = UINT64_MAX / 16,
	     .flags = KEY_SUFFIX),
	{ .name = "size", .type = KEY_LATER },
	{ .name = "bits", .type = KEY_LATER },
	CELL("format", KEY_FORMAT, format),
	CELL("read-only", KEY_BOOL, read_only),
	CELL("mode", KEY_PERM, perm),
	CELL("owner", KEY_PERM, perm),
	CELL("group", KEY_PERM, perm),
	CELL("mac-base", KEY_NAME, mac_base),
	CELL("mac-index", KEY_NUM, mac_index, .max = MAC_CELL_INDEX_MAX),
};

int config_cell_line(const struct config_cell *cell, const char *key)
{
	int ki = config_cell_key_index(key);

	return ki >= 0 ? cell->line + cell->key_lines[ki] : cell->line;
}

int config_cell_key_index(const char *key)
{
	const struct key_desc *d = config_key_find(cell_keys,
						   NKEYS(cell_keys), key);

	return d ? d - cell_keys : -1;
}

/* "bits = OFFSET:COUNT", the nvmem core's bit field. */
static void parse_bits(struct parser *p, const struct raw_section *s,
		       const struct raw_key *bits, struct config_cell *c)
{
	unsigned long long bo, bc;
	char *end;

	errno = 0;
	bo = strtoull(bits->value, &end, 10);
	if (!isdigit((unsigned char)bits->value[0]) || *end != ':' ||
	    !isdigit((unsigned char)end[1]) || errno) {
		config_perr(p, bits->line, s->title, "bits",
			    "'%s' is not BIT_OFFSET:COUNT", bits->value);
		return;
	}
	bc = strtoull(end + 1, &end, 10);
	if (*end || errno || bc < 1 || bc > 64 || bo > 1024 * 1024 * 8) {
		config_perr(p, bits->line, s->title, "bits",
			    "'%s' is not BIT_OFFSET:COUNT with COUNT 1..64",
			    bits->value);
		return;
	}
	/* Bit offsets past the first byte move the byte offset. */
	c->offset += bo / 8;
	c->bit_offset = bo % 8;
	c->nbits = bc;
	c->size = (c->bit_offset + c->nbits + 7) / 8;
}

/* "size" or "bits", exactly one; then the format must suit the size. */
static void parse_cell_extent(struct parser *p, const struct raw_section *s,
			      struct config_cell *c)
{
	const struct raw_key *size = config_find_key(s, "size");
	const struct raw_key *bits = config_find_key(s, "bits");
	static const struct key_desc size_desc =
		CELL("size", KEY_NUM, size, .max = 1024 * 1024,
		     .refuse = config_refuse_zero, .flags = KEY_SUFFIX);
	const struct raw_key *k;

	if (size && bits) {
		config_perr(p, bits->line, s->title, "bits",
			    "give either size or bits, not both");
		return;
	}
	if (!size && !bits) {
		config_perr(p, s->line, s->title, "size",
			    "missing (or bits = OFFSET:COUNT)");
		return;
	}
	if (size)
		config_parse_key(p, s, size, &size_desc, c);
	else
		parse_bits(p, s, bits, c);
	if (c->size && format_check_size(c->format, c->nbits ?
					 (c->nbits + 7) / 8 : c->size) < 0) {
		k = config_find_key(s, "format");
		config_perr(p, k ? k->line : s->line, s->title, "format",
			    "%s does not fit a cell of %u %s",
			    format_name(c->format),
			    c->nbits ? c->nbits : c->size,
			    c->nbits ? "bits" : "bytes");
	}
}

/* mac-base = CELL, mac-index = N: an address of no bytes of its own. */
static void parse_mac_cell(struct parser *p, const struct raw_section *s,
			   struct config_cell *c)
{
	static const char *const own[] = { "offset", "size", "bits" };
	const struct raw_key *k;
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		k = config_find_key(s, own[i]);
		if (k)
			config_perr(p, k->line, s->title, k->key,
				    "a derived MAC address (mac-base) has no bytes of its own");
	}
	if (!config_find_key(s, "mac-index"))
		config_perr(p, s->line, s->title, "mac-index",
			    "missing (required with mac-base)");
	k = config_find_key(s, "format");
	if (k && c->format != CELL_FORMAT_MAC)
		config_perr(p, k->line, s->title, k->key,
			    "a derived MAC address is mac");
	if (!strcmp(c->mac_base, c->name))
		config_perr(p, config_find_key(s, "mac-base")->line, s->title,
			    "mac-base", "a cell cannot be its own base");
	c->format = CELL_FORMAT_MAC;
	c->read_only = true;
}

void config_parse_cell(struct parser *p, const struct raw_section *s,
		       struct config_cell *c)
{
	char *slash = strchr(s->name, '/');
	const struct key_desc *kd;
	size_t i;

	c->line = s->line;
	c->format = CELL_FORMAT_RAW;
	/* "board/mac" becomes "board\0mac": one copy for both. */
	c->device = strpool_dup(p->names, s->name);
	if (!c->device) {
		config_perr(p, s->line, s->title, NULL, "out of memory");
		c->name = NULL;
		return;
	}
	if (!slash) {
		config_perr(p, s->line, s->title, NULL,
			    "cell sections are named [cell DEVICE/CELL]");
		c->name = c->device + strlen(c->device);
		return;
	}
	c->name = c->device + (slash - s->name);
	*c->name++ = '\0';
	if (!config_valid_name(c->name))
		config_perr(p, s->line, s->title, NULL,
			    "invalid cell name '%s' (empty, contains '/' or blanks, or starts with '.')",
			    c->name);

	for (i = 0; i < s->nkeys; i++) {
		const struct raw_key *k = &s->keys[i];

		kd = config_key_find(cell_keys, NKEYS(cell_keys), k->key);
		if (!kd) {
			config_perr(p, k->line, s->title, k->key, "unknown key");
			continue;
		}
		if (k->line - s->line <= UINT16_MAX)
			c->key_lines[kd - cell_keys] = k->line - s->line;
		config_parse_key(p, s, k, kd, c);
	}
	if (c->mac_base) {
		parse_mac_cell(p, s, c);
		return;
	}
	if (config_find_key(s, "mac-index"))
		config_perr(p, config_find_key(s, "mac-index")->line, s->title,
			    "mac-index", "only valid with mac-base = CELL");
	if (!config_find_key(s, "offset"))
		config_perr(p, s->line, s->title, "offset", "missing");
	parse_cell_extent(p, s, c);
}
