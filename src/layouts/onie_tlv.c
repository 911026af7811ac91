// SPDX-License-Identifier: MIT
/*
 * ONIE TlvInfo EEPROM: "TlvInfo\0", version 0x01, a big-endian 16-bit
 * length of the TLV area, then type(1) len(1) value(len) records. The
 * last record is the CRC-32 (type 0xfe, len 4) of everything up to and
 * including its own type and length bytes, stored big-endian.
 *
 * The names are those of Linux's onie-tlv nvmem layout, so that a script
 * reads the same file names from the kernel's sysfs cells and from
 * nvmemfs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

#define ONIE_HDR_LEN	ONIE_TLV_HDR

struct onie_type {
	uint8_t type;
	const char *name;
	enum cell_format format;
	uint8_t size;		/* required value length, 0 if any */
};

static const struct onie_type onie_types[] = {
	{ 0x21, "product-name", CELL_FORMAT_STRING, 0 },
	{ 0x22, "part-number", CELL_FORMAT_STRING, 0 },
	{ 0x23, "serial-number", CELL_FORMAT_STRING, 0 },
	{ 0x24, "mac-address", CELL_FORMAT_MAC, 6 },
	{ 0x25, "manufacture-date", CELL_FORMAT_STRING, 0 },
	{ 0x26, "device-version", CELL_FORMAT_U8, 1 },
	{ 0x27, "label-revision", CELL_FORMAT_STRING, 0 },
	{ 0x28, "platform-name", CELL_FORMAT_STRING, 0 },
	{ 0x29, "onie-version", CELL_FORMAT_STRING, 0 },
	{ 0x2a, "num-macs", CELL_FORMAT_U16BE, 2 },
	{ 0x2b, "manufacturer", CELL_FORMAT_STRING, 0 },
	{ 0x2c, "country-code", CELL_FORMAT_STRING, 0 },
	{ 0x2d, "vendor", CELL_FORMAT_STRING, 0 },
	{ 0x2e, "diag-version", CELL_FORMAT_STRING, 0 },
	{ 0x2f, "service-tag", CELL_FORMAT_STRING, 0 },
	{ ONIE_TYPE_VENDOR, "vendor-extension", CELL_FORMAT_RAW, 0 },
	{ ONIE_TYPE_CRC, "crc32", CELL_FORMAT_HEX, 4 },
};

/* Shared by every layout parser; it lives here for want of a common
 * layout.c, and is trivial. */
void layout_cells_free(struct layout_cells *c)
{
	if (!c)
		return;
	free(c->cells);
	c->cells = NULL;
	c->n = 0;
}

static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static const struct onie_type *onie_type_find(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(onie_types) / sizeof(onie_types[0]); i++)
		if (onie_types[i].type == type)
			return &onie_types[i];
	return NULL;
}

const char *onie_type_name(uint8_t type)
{
	const struct onie_type *t = onie_type_find(type);

	return t ? t->name : NULL;
}

bool onie_type_editable(uint8_t type)
{
	return onie_type_find(type) && type != ONIE_TYPE_VENDOR &&
	       type != ONIE_TYPE_CRC;
}

int onie_name_parse(const char *name, uint8_t *type, unsigned int *nth)
{
	size_t i, n;

	for (i = 0; i < sizeof(onie_types) / sizeof(onie_types[0]); i++) {
		const char *tn = onie_types[i].name, *p;
		unsigned long v = 0;

		n = strlen(tn);
		if (strncmp(name, tn, n))
			continue;
		p = name + n;
		if (*p == '-') {
			/* "-1", "-2", ...: the suffix onie_tlv_parse() gives,
			 * never "-0" nor "-01" (another name for the same). */
			if (p[1] < '1' || p[1] > '9')
				continue;
			for (p++; *p >= '0' && *p <= '9' && v < 1000; p++)
				v = v * 10 + (unsigned long)(*p - '0');
		}
		if (*p || v >= 1000)
			continue;
		*type = onie_types[i].type;
		*nth = (unsigned int)v;
		return 0;
	}
	return -EINVAL;
}

/*
 * Walk and check every record and the CRC before creating anything, so
 * that a damaged EEPROM yields no cells rather than some. Returns the
 * number of cells the second pass will create.
 */
static int onie_tlv_check(const uint8_t *buf, size_t len, size_t *ncells,
			  size_t *total, char *why, size_t whylen)
{
	size_t end, pos = ONIE_HDR_LEN, n = 0;
	uint32_t want, got;

	if (len < ONIE_HDR_LEN)
		return fail(why, whylen, -EINVAL,
			    "%zu bytes: shorter than the TlvInfo header", len);
	if (memcmp(buf, "TlvInfo", 8))
		return fail(why, whylen, -EBADMSG, "no TlvInfo id at offset 0");
	if (buf[8] != 0x01)
		return fail(why, whylen, -EBADMSG,
			    "TlvInfo version %u, only 1 is known", buf[8]);
	end = ONIE_HDR_LEN + ((size_t)buf[9] << 8 | buf[10]);
	if (end > len)
		return fail(why, whylen, -EINVAL,
			    "TLV area ends at %zu, past the %zu bytes read",
			    end, len);

	while (pos < end) {
		uint8_t type, vlen;

		if (end - pos < 2)
			return fail(why, whylen, -EINVAL,
				    "record header at %zu runs past the TLV area",
				    pos);
		type = buf[pos];
		vlen = buf[pos + 1];
		if (end - pos - 2 < vlen)
			return fail(why, whylen, -EINVAL,
				    "record 0x%02x at %zu runs past the TLV area",
				    type, pos);
		if (type == ONIE_TYPE_CRC) {
			if (vlen != 4)
				return fail(why, whylen, -EINVAL,
					    "CRC-32 record at %zu has length %u",
					    pos, vlen);
			/* Anything after the CRC would be unprotected. */
			if (pos + 6 != end)
				return fail(why, whylen, -EINVAL,
					    "CRC-32 record at %zu is not the last",
					    pos);
			want = (uint32_t)buf[pos + 2] << 24 |
			       (uint32_t)buf[pos + 3] << 16 |
			       (uint32_t)buf[pos + 4] << 8 | buf[pos + 5];
			got = crc_32(buf, pos + 2);
			if (want != got)
				return fail(why, whylen, -EBADMSG,
					    "CRC-32 is 0x%08x, stored 0x%08x",
					    got, want);
			*ncells = n + 1;
			*total = end;
			return 0;
		}
		if (vlen && onie_type_find(type))
			n++;
		pos += 2 + (size_t)vlen;
	}
	return fail(why, whylen, -EINVAL, "no CRC-32 record");
}

int onie_tlv_parse(const uint8_t *buf, size_t len, struct layout_cells *out,
		   char *why, size_t whylen)
{
	unsigned int seen[256] = { 0 };
	struct layout_cell *cells;
	size_t ncells = 0, n = 0, pos = ONIE_HDR_LEN, total;
	int err;

	out->cells = NULL;
	out->n = 0;
	if (!buf)
		len = 0;
	err = onie_tlv_check(buf, len, &ncells, &total, why, whylen);
	if (err)
		return err;

	cells = calloc(ncells, sizeof(*cells));
	if (!cells)
		return fail(why, whylen, -ENOMEM, "out of memory");

	/* The check above proved every record lies inside the buffer and
	 * that the CRC record ends the walk. */
	while (n < ncells) {
		uint8_t type = buf[pos], vlen = buf[pos + 1];
		const struct onie_type *t = onie_type_find(type);

		if (t && vlen) {
			struct layout_cell *c = &cells[n++];

			if (seen[type])
				snprintf(c->name, sizeof(c->name), "%s-%u",
					 t->name, seen[type]);
			else
				snprintf(c->name, sizeof(c->name), "%s", t->name);
			seen[type]++;
			c->offset = (uint32_t)(pos + 2);
			c->len = vlen;
			/* A fixed-size type of the wrong size is still
			 * covered by the CRC: show its bytes rather than
			 * hide the whole EEPROM. */
			c->format = (t->size && t->size != vlen) ?
				    CELL_FORMAT_HEX : t->format;
		}
		pos += 2 + (size_t)vlen;
	}
	out->cells = cells;
	out->n = ncells;
	return 0;
}

ssize_t onie_tlv_total(const uint8_t *buf, size_t len, char *why,
		       size_t whylen)
{
	size_t ncells, total;
	int err;

	if (!buf)
		len = 0;
	err = onie_tlv_check(buf, len, &ncells, &total, why, whylen);
	return err < 0 ? err : (ssize_t)total;
}
