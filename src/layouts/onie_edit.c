// SPDX-License-Identifier: MIT
/*
 * Editing an ONIE TlvInfo, as onie-syseeprom -s does: a field's value in
 * the form its cell reads, turned into the record's bytes and checked
 * against the spec's type table; records replaced, added before the CRC
 * record or removed, everything else kept byte for byte, the CRC record
 * recomputed. Pure: only the buffers given are touched.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

#define ONIE_VAL_MAX	255
#define ONIE_CRC_REC	6	/* type, length, 4 bytes */

enum onie_form {
	ONIE_FORM_TEXT,
	ONIE_FORM_MAC,		/* 6 bytes */
	ONIE_FORM_DATE,		/* MM/DD/YYYY hh:mm:ss */
	ONIE_FORM_U8,
	ONIE_FORM_U16,		/* big-endian */
	ONIE_FORM_COUNTRY,	/* ISO 3166-1 alpha-2 */
	ONIE_FORM_BYTES,	/* vendor extension, CRC: as stored */
};

static enum onie_form onie_form(uint8_t type)
{
	switch (type) {
	case 0x24: return ONIE_FORM_MAC;
	case 0x25: return ONIE_FORM_DATE;
	case 0x26: return ONIE_FORM_U8;
	case 0x2a: return ONIE_FORM_U16;
	case 0x2c: return ONIE_FORM_COUNTRY;
	case ONIE_TYPE_VENDOR:
	case ONIE_TYPE_CRC: return ONIE_FORM_BYTES;
	default: return ONIE_FORM_TEXT;
	}
}

ssize_t onie_value_format(uint8_t type, const uint8_t *val, size_t vlen,
			  uint8_t *out, size_t size)
{
	int n;

	switch (onie_form(type)) {
	case ONIE_FORM_MAC:
		if (vlen != 6)
			return -EINVAL;
		break;
	case ONIE_FORM_U8:
		if (vlen != 1)
			return -EINVAL;
		n = snprintf((char *)out, size, "%u", val[0]);
		return n < 0 || (size_t)n >= size ? -ENOSPC : n;
	case ONIE_FORM_U16:
		if (vlen != 2)
			return -EINVAL;
		n = snprintf((char *)out, size, "%u", (unsigned int)val[0] << 8 | val[1]);
		return n < 0 || (size_t)n >= size ? -ENOSPC : n;
	default:
		break;
	}
	if (vlen > size)
		return -ENOSPC;
	memcpy(out, val, vlen);
	return (ssize_t)vlen;
}

static int onie_digits(const uint8_t *t, size_t n, unsigned int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (t[i] - '0');
	}
	return 0;
}

/* "MM/DD/YYYY hh:mm:ss", a date that exists. */
static int onie_date_check(const uint8_t *t, size_t len)
{
	static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
					   31, 30, 31 };
	unsigned int mon, day, year, h, m, s;

	if (len != 19 || t[2] != '/' || t[5] != '/' || t[10] != ' ' ||
	    t[13] != ':' || t[16] != ':')
		return -EINVAL;
	if (onie_digits(t, 2, &mon) || onie_digits(t + 3, 2, &day) ||
	    onie_digits(t + 6, 4, &year) || onie_digits(t + 11, 2, &h) ||
	    onie_digits(t + 14, 2, &m) || onie_digits(t + 17, 2, &s))
		return -EINVAL;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] ||
	    h > 23 || m > 59 || s > 59)
		return -EINVAL;
	if (mon == 2 && day == 29 &&
	    (year % 4 || (year % 100 == 0 && year % 400)))
		return -EINVAL;
	return 0;
}

/* Decimal without sign or spaces, up to @max. */
static int onie_decimal(const uint8_t *t, size_t len, unsigned int max,
			unsigned int *v)
{
	if (!len || len > 5 || onie_digits(t, len, v) || *v > max)
		return -EINVAL;
	return 0;
}

ssize_t onie_value_parse(uint8_t type, const uint8_t *text, size_t len,
			 uint8_t *val)
{
	unsigned int v;
	size_t i;

	if (!onie_type_editable(type) || !len || len > ONIE_VAL_MAX)
		return -EINVAL;
	switch (onie_form(type)) {
	case ONIE_FORM_MAC:
		if (len != 6)
			return -EINVAL;
		break;
	case ONIE_FORM_DATE:
		if (onie_date_check(text, len))
			return -EINVAL;
		break;
	case ONIE_FORM_U8:
	case ONIE_FORM_U16:
		if (onie_decimal(text, len, onie_form(type) == ONIE_FORM_U8 ?
				 0xff : 0xffff, &v))
			return -EINVAL;
		if (onie_form(type) == ONIE_FORM_U8) {
			val[0] = (uint8_t)v;
			return 1;
		}
		val[0] = (uint8_t)(v >> 8);
		val[1] = (uint8_t)v;
		return 2;
	case ONIE_FORM_COUNTRY:
		if (len != 2)
			return -EINVAL;
		for (i = 0; i < 2; i++)
			if (!((text[i] >= 'A' && text[i] <= 'Z') ||
			      (text[i] >= 'a' && text[i] <= 'z')))
				return -EINVAL;
		break;
	default:
		/* Read back as a string: a NUL or 0xff would cut it. */
		if (memchr(text, 0, len) || memchr(text, 0xff, len))
			return -EINVAL;
		break;
	}
	memcpy(val, text, len);
	return (ssize_t)len;
}

/*
 * Walk the records of a checked TlvInfo from the header up to the CRC
 * record (the last, at @total - 6) for the @nth non-empty one of @type:
 * the offset of its type byte, or of the CRC record if there is none,
 * with the number of such records in *@count.
 */
static size_t onie_walk(const uint8_t *buf, size_t total, uint8_t type,
			unsigned int nth, unsigned int *count)
{
	size_t pos = ONIE_TLV_HDR, crc = total - ONIE_CRC_REC;

	*count = 0;
	while (pos < crc) {
		if (buf[pos] == type && buf[pos + 1]) {
			if (*count == nth)
				return pos;
			(*count)++;
		}
		pos += 2 + (size_t)buf[pos + 1];
	}
	return crc;
}

int onie_tlv_find(const uint8_t *buf, size_t total, uint8_t type,
		  unsigned int nth, size_t *off, size_t *vlen)
{
	unsigned int count;
	size_t pos = onie_walk(buf, total, type, nth, &count);

	if (type == ONIE_TYPE_CRC && nth == 0)
		pos = total - ONIE_CRC_REC;	/* the last record */
	else if (pos == total - ONIE_CRC_REC)
		return -ENOENT;
	*off = pos + 2;
	*vlen = buf[pos + 1];
	return 0;
}

/* New length in the header, new CRC in the CRC record. */
static void onie_seal(uint8_t *buf, size_t total)
{
	uint32_t crc;

	buf[9] = (uint8_t)((total - ONIE_TLV_HDR) >> 8);
	buf[10] = (uint8_t)(total - ONIE_TLV_HDR);
	buf[total - ONIE_CRC_REC] = ONIE_TYPE_CRC;
	buf[total - ONIE_CRC_REC + 1] = 4;
	crc = crc_32(buf, total - 4);
	buf[total - 4] = (uint8_t)(crc >> 24);
	buf[total - 3] = (uint8_t)(crc >> 16);
	buf[total - 2] = (uint8_t)(crc >> 8);
	buf[total - 1] = (uint8_t)crc;
}

int onie_tlv_set(uint8_t *buf, size_t *total, uint8_t type,
		 unsigned int nth, const uint8_t *val, size_t vlen)
{
	unsigned int count;
	size_t pos = onie_walk(buf, *total, type, nth, &count);
	size_t old = 0, next;

	if (!vlen || vlen > ONIE_VAL_MAX || type == ONIE_TYPE_CRC)
		return -EINVAL;
	if (pos == *total - ONIE_CRC_REC) {
		if (count != nth)
			return -ENOENT;
	} else {
		old = 2 + (size_t)buf[pos + 1];
	}
	next = *total - old + 2 + vlen;
	if (next > ONIE_TLV_MAX)
		return -ENOSPC;
	/* What follows the record (at last the CRC record) moves up or
	 * down as a whole; the records before it stay where they are. */
	memmove(buf + pos + 2 + vlen, buf + pos + old, *total - pos - old);
	buf[pos] = type;
	buf[pos + 1] = (uint8_t)vlen;
	memcpy(buf + pos + 2, val, vlen);
	*total = next;
	onie_seal(buf, next);
	return 0;
}

int onie_tlv_del(uint8_t *buf, size_t *total, uint8_t type,
		 unsigned int nth)
{
	unsigned int count;
	size_t pos = onie_walk(buf, *total, type, nth, &count), old;

	if (pos == *total - ONIE_CRC_REC)
		return -ENOENT;
	old = 2 + (size_t)buf[pos + 1];
	memmove(buf + pos, buf + pos + old, *total - pos - old);
	*total -= old;
	onie_seal(buf, *total);
	return 0;
}
