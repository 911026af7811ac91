// SPDX-License-Identifier: MIT
/* Cell formats: names and size rules (see format.h). */
#include <errno.h>
#include <string.h>

#include "format.h"

struct format_desc {
	const char *name;
	size_t width;	/* bytes of the integer types, 0 for the others */
};

static const struct format_desc format_table[] = {
	[CELL_FORMAT_RAW] = { "raw", 0 },
	[CELL_FORMAT_MAC] = { "mac", 0 },
	[CELL_FORMAT_HEX] = { "hex", 0 },
	[CELL_FORMAT_STRING] = { "string", 0 },
	[CELL_FORMAT_U8] = { "u8", 1 },
	[CELL_FORMAT_U16LE] = { "u16le", 2 },
	[CELL_FORMAT_U16BE] = { "u16be", 2 },
	[CELL_FORMAT_U32LE] = { "u32le", 4 },
	[CELL_FORMAT_U32BE] = { "u32be", 4 },
	[CELL_FORMAT_U64LE] = { "u64le", 8 },
	[CELL_FORMAT_U64BE] = { "u64be", 8 },
};

#define FORMAT_COUNT (sizeof(format_table) / sizeof(format_table[0]))

int format_parse(const char *name, enum cell_format *fmt)
{
	size_t i;

	for (i = 0; i < FORMAT_COUNT; i++) {
		if (!strcmp(name, format_table[i].name)) {
			*fmt = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *format_name(enum cell_format fmt)
{
	if ((size_t)fmt >= FORMAT_COUNT)
		return "?";
	return format_table[fmt].name;
}

int format_check_size(enum cell_format fmt, size_t raw_len)
{
	if ((size_t)fmt >= FORMAT_COUNT || raw_len == 0)
		return -EINVAL;
	if (fmt == CELL_FORMAT_MAC)
		return raw_len == 6 ? 0 : -EINVAL;
	/* Narrower integers are zero-extended (bit fields), wider ones
	 * would lose bytes. */
	if (format_table[fmt].width && raw_len > format_table[fmt].width)
		return -EINVAL;
	return 0;
}
