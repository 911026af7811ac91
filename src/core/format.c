// SPDX-License-Identifier: MIT
/* Cell formats: names and size rules (see format.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/format.h"

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
	[CELL_FORMAT_TEXT] = { "text", 0 },
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
	/* An empty string is still a string: a U-Boot variable set to
	 * nothing ("name="). */
	if ((size_t)fmt >= FORMAT_COUNT ||
	    (raw_len == 0 && fmt != CELL_FORMAT_STRING &&
	     fmt != CELL_FORMAT_TEXT))
		return -EINVAL;
	if (fmt == CELL_FORMAT_MAC)
		return raw_len == 6 ? 0 : -EINVAL;
	/* Narrower integers are zero-extended (bit fields), wider ones
	 * would lose bytes. */
	if (format_table[fmt].width && raw_len > format_table[fmt].width)
		return -EINVAL;
	return 0;
}

static bool format_big_endian(enum cell_format fmt)
{
	return fmt == CELL_FORMAT_U16BE || fmt == CELL_FORMAT_U32BE ||
	       fmt == CELL_FORMAT_U64BE;
}

size_t format_max_text(enum cell_format fmt, size_t raw_len)
{
	switch (fmt) {
	case CELL_FORMAT_MAC:
		return 18;
	case CELL_FORMAT_HEX:
		return raw_len * 2 + 1;
	case CELL_FORMAT_STRING:
	case CELL_FORMAT_TEXT:
		return raw_len + 1;
	case CELL_FORMAT_RAW:
		return raw_len;
	default:
		return 21;	/* 2^64 - 1 has 20 digits, plus "\n" */
	}
}

/* Integers: the raw bytes are the low-order bytes of the value, in the
 * format's byte order (bit fields come out of the bit math as
 * little-endian, so they are narrower le values). */
static uint64_t format_get_uint(enum cell_format fmt, const uint8_t *raw,
				size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (format_big_endian(fmt))
			v = (v << 8) | raw[i];
		else
			v |= (uint64_t)raw[i] << (8 * i);
	}
	return v;
}

static void format_put_uint(enum cell_format fmt, uint64_t v, uint8_t *raw,
			    size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (format_big_endian(fmt))
			raw[len - 1 - i] = (uint8_t)(v >> (8 * i));
		else
			raw[i] = (uint8_t)(v >> (8 * i));
	}
}

ssize_t format_encode(enum cell_format fmt, const uint8_t *raw, size_t raw_len,
		      char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, i;

	if (format_check_size(fmt, raw_len) < 0)
		return -EINVAL;
	switch (fmt) {
	case CELL_FORMAT_RAW:
		if (size < raw_len)
			return -ENOSPC;
		memcpy(out, raw, raw_len);
		return raw_len;
	case CELL_FORMAT_MAC:
		if (size < 18)
			return -ENOSPC;
		for (i = 0; i < 6; i++) {
			out[n++] = hex[raw[i] >> 4];
			out[n++] = hex[raw[i] & 15];
			out[n++] = i == 5 ? '\n' : ':';
		}
		return n;
	case CELL_FORMAT_HEX:
		if (size < raw_len * 2 + 1)
			return -ENOSPC;
		for (i = 0; i < raw_len; i++) {
			out[n++] = hex[raw[i] >> 4];
			out[n++] = hex[raw[i] & 15];
		}
		out[n++] = '\n';
		return n;
	case CELL_FORMAT_STRING:
	case CELL_FORMAT_TEXT:
		/* NUL ends a C string; 0xff is erased flash / EEPROM,
		 * except in text. */
		for (i = 0; i < raw_len && raw[i] &&
		     (raw[i] != 0xff || fmt == CELL_FORMAT_TEXT); i++)
			;
		if (size < i + 1)
			return -ENOSPC;
		memcpy(out, raw, i);
		out[i] = '\n';
		return i + 1;
	default: {
		/* snprintf() wants room for a NUL the text does not have:
		 * a buffer of format_max_text() bytes must be enough. */
		char num[24];

		n = snprintf(num, sizeof(num), "%llu\n",
			     (unsigned long long)format_get_uint(fmt, raw, raw_len));
		if (n > size)
			return -ENOSPC;
		memcpy(out, num, n);
		return n;
	}
	}
}

static int format_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int format_decode(enum cell_format fmt, const char *text, size_t len,
		  uint8_t *raw, size_t raw_len)
{
	uint64_t v = 0;
	size_t i;

	if (format_check_size(fmt, raw_len) < 0)
		return -EINVAL;
	if (fmt != CELL_FORMAT_RAW && len && text[len - 1] == '\n')
		len--;	/* echo adds one */

	switch (fmt) {
	case CELL_FORMAT_RAW:
		if (len != raw_len)
			return -EINVAL;
		memcpy(raw, text, len);
		return 0;
	case CELL_FORMAT_MAC:
		/* aa:bb:cc:dd:ee:ff, ':' or '-', either case */
		if (len != 17)
			return -EINVAL;
		for (i = 0; i < 6; i++) {
			int hi = format_hexval(text[3 * i]);
			int lo = format_hexval(text[3 * i + 1]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			if (i < 5 && text[3 * i + 2] != ':' && text[3 * i + 2] != '-')
				return -EINVAL;
			raw[i] = hi << 4 | lo;
		}
		return 0;
	case CELL_FORMAT_HEX:
		if (len != raw_len * 2)
			return -EINVAL;
		for (i = 0; i < raw_len; i++) {
			int hi = format_hexval(text[2 * i]);
			int lo = format_hexval(text[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			raw[i] = hi << 4 | lo;
		}
		return 0;
	case CELL_FORMAT_STRING:
	case CELL_FORMAT_TEXT:
		/* Either byte would end the string on the way back: the
		 * write would succeed and read back cut short. */
		if (len > raw_len || memchr(text, '\0', len) ||
		    (fmt == CELL_FORMAT_STRING && memchr(text, 0xff, len)))
			return -EINVAL;
		memcpy(raw, text, len);
		memset(raw + len, 0, raw_len - len);
		return 0;
	default:
		if (len == 0 || len > 20)
			return -EINVAL;
		for (i = 0; i < len; i++) {
			unsigned int d;

			if (text[i] < '0' || text[i] > '9')
				return -EINVAL;
			d = text[i] - '0';
			if (v > (UINT64_MAX - d) / 10)
				return -EINVAL;
			v = v * 10 + d;
		}
		if (raw_len < 8 && v >> (8 * raw_len))
			return -EINVAL;	/* does not fit the cell */
		format_put_uint(fmt, v, raw, raw_len);
		return 0;
	}
}
