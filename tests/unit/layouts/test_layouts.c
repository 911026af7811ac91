// SPDX-License-Identifier: MIT
/* Layout parsers against images built here from the published formats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/crc.h"
#include "layouts/layout.h"

/* ---- CRC ---- */

static void test_crc_vectors(void **state)
{
	assert_int_equal(crc_32("123456789", 9), 0xcbf43926u);
	assert_int_equal(crc_32("", 0), 0);
	assert_int_equal(crc_8("123456789", 9), 0xf4);
	assert_int_equal(crc_8("", 0), 0);
}

/* ---- ONIE TlvInfo ---- */

struct onie_img {
	uint8_t b[2048];
	size_t len;
};

static void onie_start(struct onie_img *img)
{
	memset(img, 0, sizeof(*img));
	memcpy(img->b, "TlvInfo", 8);
	img->b[8] = 1;
	img->len = 11;
}

/* Returns the offset of the value. */
static size_t onie_add(struct onie_img *img, uint8_t type, const void *v,
		       uint8_t vlen)
{
	size_t off = img->len + 2;

	img->b[img->len] = type;
	img->b[img->len + 1] = vlen;
	memcpy(img->b + off, v, vlen);
	img->len = off + vlen;
	return off;
}

/* Appends the CRC record, fixes the total length; returns the CRC value
 * offset. */
static size_t onie_finish(struct onie_img *img)
{
	size_t total = img->len + 6 - 11, off;
	uint32_t crc;

	img->b[9] = (uint8_t)(total >> 8);
	img->b[10] = (uint8_t)total;
	img->b[img->len] = 0xfe;
	img->b[img->len + 1] = 4;
	crc = crc_32(img->b, img->len + 2);
	off = img->len + 2;
	img->b[off] = (uint8_t)(crc >> 24);
	img->b[off + 1] = (uint8_t)(crc >> 16);
	img->b[off + 2] = (uint8_t)(crc >> 8);
	img->b[off + 3] = (uint8_t)crc;
	img->len = off + 4;
	return off;
}

struct want {
	const char *name;
	size_t offset;
	size_t len;
	enum cell_format format;
};

static void check_cells(const struct layout_cells *c, const struct want *w,
			size_t n)
{
	size_t i;

	assert_int_equal(c->n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(c->cells[i].name, w[i].name);
		assert_int_equal(c->cells[i].offset, w[i].offset);
		assert_int_equal(c->cells[i].len, w[i].len);
		assert_int_equal(c->cells[i].format, w[i].format);
	}
}

static const struct {
	uint8_t type;
	const char *name;
	const char *value;	/* NULL: binary, see below */
	enum cell_format format;
} onie_std[] = {
	{ 0x21, "product-name", "NVX-1000", CELL_FORMAT_STRING },
	{ 0x22, "part-number", "PN-42", CELL_FORMAT_STRING },
	{ 0x23, "serial-number", "SN0001", CELL_FORMAT_STRING },
	{ 0x24, "mac-address", NULL, CELL_FORMAT_MAC },
	{ 0x25, "manufacture-date", "01/02/2025 03:04:05", CELL_FORMAT_STRING },
	{ 0x26, "device-version", NULL, CELL_FORMAT_U8 },
	{ 0x27, "label-revision", "R01", CELL_FORMAT_STRING },
	{ 0x28, "platform-name", "x86_64-nv-r0", CELL_FORMAT_STRING },
	{ 0x29, "onie-version", "2024.05", CELL_FORMAT_STRING },
	{ 0x2a, "num-macs", NULL, CELL_FORMAT_U16BE },
	{ 0x2b, "manufacturer", "Acme", CELL_FORMAT_STRING },
	{ 0x2c, "country-code", "DE", CELL_FORMAT_STRING },
	{ 0x2d, "vendor", "Acme Corp", CELL_FORMAT_STRING },
	{ 0x2e, "diag-version", "1.2.3", CELL_FORMAT_STRING },
	{ 0x2f, "service-tag", "ST-9", CELL_FORMAT_STRING },
	{ 0xfd, "vendor-extension", NULL, CELL_FORMAT_RAW },
};

#define NSTD (sizeof(onie_std) / sizeof(onie_std[0]))

/* Image with every standard type; fills @w (NSTD + 1 entries). */
static void onie_full(struct onie_img *img, struct want *w)
{
	static const uint8_t mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t u8v[1] = { 3 };
	static const uint8_t u16v[2] = { 0x00, 0x80 };
	static const uint8_t ext[7] = { 0x00, 0x00, 0x1b, 0xef, 1, 2, 3 };
	size_t i;

	onie_start(img);
	for (i = 0; i < NSTD; i++) {
		const void *v = onie_std[i].value;
		uint8_t vlen = v ? (uint8_t)strlen(v) : 0;

		switch (onie_std[i].type) {
		case 0x24: v = mac; vlen = 6; break;
		case 0x26: v = u8v; vlen = 1; break;
		case 0x2a: v = u16v; vlen = 2; break;
		case 0xfd: v = ext; vlen = 7; break;
		}
		w[i].name = onie_std[i].name;
		w[i].offset = onie_add(img, onie_std[i].type, v, vlen);
		w[i].len = vlen;
		w[i].format = onie_std[i].format;
	}
	w[NSTD].name = "crc32";
	w[NSTD].offset = onie_finish(img);
	w[NSTD].len = 4;
	w[NSTD].format = CELL_FORMAT_HEX;
}

static void test_onie_all_types(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	struct layout_cells c;
	char why[128] = "";

	onie_full(&img, w);
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, NSTD + 1);
	layout_cells_free(&c);
	assert_null(c.cells);
	assert_int_equal(c.n, 0);

	/* Bytes after the TLV area (the rest of the EEPROM) are ignored. */
	memset(img.b + img.len, 0xff, 100);
	assert_int_equal(onie_tlv_parse(img.b, img.len + 100, &c, why,
					sizeof(why)), 0);
	check_cells(&c, w, NSTD + 1);
	layout_cells_free(&c);
}

static void test_onie_duplicates_unknown(void **state)
{
	struct onie_img img;
	struct want w[6];
	struct layout_cells c;
	char why[128];
	size_t o[6];

	onie_start(&img);
	o[0] = onie_add(&img, 0xfd, "\0\0\0\1a", 5);
	o[1] = onie_add(&img, 0x24, "\0\1\2\3\4\5", 6);
	onie_add(&img, 0x7e, "skip me", 7);	/* unknown: no cell */
	o[2] = onie_add(&img, 0xfd, "\0\0\0\2bb", 6);
	o[3] = onie_add(&img, 0x24, "\0\1\2\3\4\6", 6);
	o[4] = onie_add(&img, 0xfd, "\0\0\0\3", 4);
	onie_add(&img, 0x21, "", 0);		/* empty: no cell */
	o[5] = onie_finish(&img);

	w[0] = (struct want){ "vendor-extension", o[0], 5, CELL_FORMAT_RAW };
	w[1] = (struct want){ "mac-address", o[1], 6, CELL_FORMAT_MAC };
	w[2] = (struct want){ "vendor-extension-1", o[2], 6, CELL_FORMAT_RAW };
	w[3] = (struct want){ "mac-address-1", o[3], 6, CELL_FORMAT_MAC };
	w[4] = (struct want){ "vendor-extension-2", o[4], 4, CELL_FORMAT_RAW };
	w[5] = (struct want){ "crc32", o[5], 4, CELL_FORMAT_HEX };
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, 6);
	layout_cells_free(&c);
}

static void test_onie_wrong_size_is_hex(void **state)
{
	struct onie_img img;
	struct want w[4];
	struct layout_cells c;
	char why[128];
	size_t o[4];

	/* Fixed-size types of the wrong size are CRC-covered all the same:
	 * they show as hex instead of failing the whole EEPROM. */
	onie_start(&img);
	o[0] = onie_add(&img, 0x24, "\0\1\2\3\4", 5);
	o[1] = onie_add(&img, 0x26, "\1\2", 2);
	o[2] = onie_add(&img, 0x2a, "\1", 1);
	o[3] = onie_finish(&img);
	w[0] = (struct want){ "mac-address", o[0], 5, CELL_FORMAT_HEX };
	w[1] = (struct want){ "device-version", o[1], 2, CELL_FORMAT_HEX };
	w[2] = (struct want){ "num-macs", o[2], 1, CELL_FORMAT_HEX };
	w[3] = (struct want){ "crc32", o[3], 4, CELL_FORMAT_HEX };
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, 4);
	layout_cells_free(&c);
}

static void assert_onie_fails(const uint8_t *b, size_t len, int err)
{
	struct layout_cells c = { (void *)1, 99 };
	char why[128] = "";

	assert_int_equal(onie_tlv_parse(b, len, &c, why, sizeof(why)), err);
	assert_null(c.cells);
	assert_int_equal(c.n, 0);
	assert_true(why[0] != '\0');
}

static void test_onie_bad_crc(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	size_t i;

	onie_full(&img, w);
	/* Flip one bit anywhere the CRC covers, or in the CRC itself. */
	/* Header bits are test_onie_header's business. */
	for (i = 11; i < img.len; i++) {
		img.b[i] ^= 0x10;
		if (i == img.len - 6 || i == img.len - 5) {
			/* The CRC record's own type or length. */
			assert_onie_fails(img.b, img.len, -EINVAL);
		} else if (i < img.len - 6) {
			/* A record's length byte changes the walk; any
			 * failure will do, but it must fail. */
			struct layout_cells c;
			char why[64];

			assert_true(onie_tlv_parse(img.b, img.len, &c, why,
						   sizeof(why)) < 0);
			assert_int_equal(c.n, 0);
		} else {
			assert_onie_fails(img.b, img.len, -EBADMSG);
		}
		img.b[i] ^= 0x10;
	}
}

static void test_onie_value_bit_flip_is_ebadmsg(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];

	onie_full(&img, w);
	img.b[w[0].offset] ^= 1;	/* product name text */
	assert_onie_fails(img.b, img.len, -EBADMSG);
}

static void test_onie_truncated_everywhere(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	uint8_t *copy;
	size_t i;

	onie_full(&img, w);
	for (i = 0; i < img.len; i++) {
		/* An exact-size heap copy, so ASan sees any over-read. */
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, img.b, i);
		assert_onie_fails(copy, i, -EINVAL);
		free(copy);
	}
}

static void test_onie_header(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];

	onie_full(&img, w);
	img.b[0] = 't';
	assert_onie_fails(img.b, img.len, -EBADMSG);
	img.b[0] = 'T';
	img.b[8] = 2;
	assert_onie_fails(img.b, img.len, -EBADMSG);
	img.b[8] = 1;
	assert_onie_fails(NULL, 0, -EINVAL);
}

static void test_onie_length_past_buffer(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	size_t total;

	onie_full(&img, w);
	total = img.len - 11 + 1;
	img.b[9] = (uint8_t)(total >> 8);
	img.b[10] = (uint8_t)total;
	assert_onie_fails(img.b, img.len, -EINVAL);
	img.b[9] = img.b[10] = 0xff;
	assert_onie_fails(img.b, img.len, -EINVAL);
}

static void test_onie_record_past_area(void **state)
{
	struct onie_img img;
	size_t total;

	/* A record that claims more bytes than the TLV area holds, even
	 * though the buffer has them. */
	onie_start(&img);
	onie_add(&img, 0x21, "abc", 3);
	onie_finish(&img);
	img.b[12] = 200;
	assert_onie_fails(img.b, sizeof(img.b), -EINVAL);

	/* No CRC record at all. */
	onie_start(&img);
	onie_add(&img, 0x21, "abc", 3);
	total = img.len - 11;
	img.b[10] = (uint8_t)total;
	assert_onie_fails(img.b, img.len, -EINVAL);

	/* The CRC record must be the last one. */
	onie_start(&img);
	onie_add(&img, 0xfe, "\0\0\0\0", 4);
	onie_add(&img, 0x21, "abc", 3);
	onie_finish(&img);
	assert_onie_fails(img.b, img.len, -EINVAL);
}

/* ---- sl28 VPD ---- */

static void sl28_build(uint8_t *b)
{
	static const uint8_t mac[6] = { 0x00, 0xa0, 0xa5, 0x5c, 0x6b, 0x01 };

	memset(b, 0, 24);
	b[0] = 'V';
	b[1] = 1;
	memcpy(b + 2, "SN1234567890ABC", 15);
	memcpy(b + 17, mac, 6);
	b[23] = crc_8(b, 23);
}

static void test_sl28(void **state)
{
	static const struct want w[] = {
		{ "serial-number", 2, 15, CELL_FORMAT_STRING },
		{ "base-mac-address", 17, 6, CELL_FORMAT_MAC },
	};
	uint8_t b[64];
	struct layout_cells c;
	char why[128];
	size_t i;

	sl28_build(b);
	memset(b + 24, 0xff, 40);
	assert_int_equal(sl28_vpd_parse(b, sizeof(b), &c, why, sizeof(why)), 0);
	check_cells(&c, w, 2);
	layout_cells_free(&c);

	for (i = 0; i < 24; i++) {
		uint8_t *copy = malloc(i ? i : 1);

		memcpy(copy, b, i);
		assert_int_equal(sl28_vpd_parse(copy, i, &c, why, sizeof(why)),
				 -EINVAL);
		assert_int_equal(c.n, 0);
		free(copy);
	}
	for (i = 2; i < 24; i++) {
		b[i] ^= 4;
		assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)),
				 -EBADMSG);
		assert_null(c.cells);
		b[i] ^= 4;
	}
	b[0] = 'v';
	assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)), -EBADMSG);
	b[0] = 'V';
	b[1] = 2;
	assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_onie_all_types),
		cmocka_unit_test(test_onie_duplicates_unknown),
		cmocka_unit_test(test_onie_wrong_size_is_hex),
		cmocka_unit_test(test_onie_bad_crc),
		cmocka_unit_test(test_onie_value_bit_flip_is_ebadmsg),
		cmocka_unit_test(test_onie_truncated_everywhere),
		cmocka_unit_test(test_onie_header),
		cmocka_unit_test(test_onie_length_past_buffer),
		cmocka_unit_test(test_onie_record_past_area),
		cmocka_unit_test(test_sl28),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
