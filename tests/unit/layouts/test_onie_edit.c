// SPDX-License-Identifier: MIT
/* ONIE TlvInfo editing (onie_edit.c): values in the forms the cells
 * read, records replaced, added and removed, the CRC recomputed, the
 * 2048-byte limit, and the names back to their types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/crc.h"
#include "layouts/layout.h"

/* A TlvInfo under construction, with room for every edit. */
struct img {
	uint8_t b[4096];
	size_t len;
};

static void img_start(struct img *m)
{
	memset(m->b, 0xff, sizeof(m->b));
	memcpy(m->b, "TlvInfo\0\x01\0\0", 11);
	m->len = 11;
}

static void img_add(struct img *m, uint8_t type, const void *v, size_t n)
{
	m->b[m->len] = type;
	m->b[m->len + 1] = (uint8_t)n;
	memcpy(m->b + m->len + 2, v, n);
	m->len += 2 + n;
}

static void img_finish(struct img *m)
{
	uint32_t crc;

	m->b[m->len] = 0xfe;
	m->b[m->len + 1] = 4;
	m->len += 6;
	m->b[9] = (uint8_t)((m->len - 11) >> 8);
	m->b[10] = (uint8_t)(m->len - 11);
	crc = crc_32(m->b, m->len - 4);
	m->b[m->len - 4] = (uint8_t)(crc >> 24);
	m->b[m->len - 3] = (uint8_t)(crc >> 16);
	m->b[m->len - 2] = (uint8_t)(crc >> 8);
	m->b[m->len - 1] = (uint8_t)crc;
}

/* What it should become, built by hand, and the edit that gives it. */
static void assert_img(const struct img *m, size_t total, const struct img *want)
{
	char why[128];

	assert_int_equal(total, want->len);
	assert_memory_equal(m->b, want->b, total);
	assert_int_equal(onie_tlv_total(m->b, total, why, sizeof(why)), total);
}

/*
 * The CRC against one computed apart from nvmemfs (python3's
 * zlib.crc32): "Demo", a vendor extension full of bytes that look like a
 * CRC record, "SN1".
 */
static void test_crc_as_zlib(void **state)
{
	static const uint8_t want[] = {
		0x54, 0x6c, 0x76, 0x49, 0x6e, 0x66, 0x6f, 0x00, 0x01, 0x00,
		0x17, 0x21, 0x04, 0x44, 0x65, 0x6d, 0x6f, 0xfd, 0x04, 0xfe,
		0x04, 0xfe, 0x04, 0x23, 0x03, 0x53, 0x4e, 0x31, 0xfe, 0x04,
		0x96, 0x65, 0xd3, 0x6a,
	};
	struct img m;
	size_t total;

	img_start(&m);
	img_add(&m, 0x21, "Demo", 4);
	img_add(&m, 0xfd, "\xfe\x04\xfe\x04", 4);
	img_finish(&m);
	total = m.len;
	/* Added after the vendor extension: the CRC record was found by
	 * walking, not by the first 0xfe. */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x23, 0, (const uint8_t *)"SN1", 3), 0);
	assert_int_equal(total, sizeof(want));
	assert_memory_equal(m.b, want, sizeof(want));
}

static void test_replace_keeps_order(void **state)
{
	struct img m, w;
	size_t total;
	int i;
	static const char *const vals[] = { "SN0042", "SN", "SN-0042-LONGER" };

	for (i = 0; i < 3; i++) {
		img_start(&m);
		img_add(&m, 0x21, "Board", 5);
		img_add(&m, 0x7e, "unknown", 7);
		img_add(&m, 0x23, "SN0042", 6);
		img_add(&m, 0xfd, "\0\0\0\1\0\xff", 6);
		img_finish(&m);
		total = m.len;
		assert_int_equal(onie_tlv_set(m.b, &total, 0x23, 0,
					      (const uint8_t *)vals[i],
					      strlen(vals[i])), 0);
		img_start(&w);
		img_add(&w, 0x21, "Board", 5);
		img_add(&w, 0x7e, "unknown", 7);
		img_add(&w, 0x23, vals[i], strlen(vals[i]));
		img_add(&w, 0xfd, "\0\0\0\1\0\xff", 6);
		img_finish(&w);
		assert_img(&m, total, &w);
	}
}

static void test_add_and_delete(void **state)
{
	struct img m, w;
	size_t total, off, vlen;

	img_start(&m);
	img_add(&m, 0x21, "Board", 5);
	img_add(&m, 0x21, "", 0);		/* empty: not counted */
	img_add(&m, 0x24, "\2\0\0\0\0\1", 6);
	img_finish(&m);
	total = m.len;

	/* A new field goes before the CRC record. */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x2c, 0, (const uint8_t *)"US", 2), 0);
	img_start(&w);
	img_add(&w, 0x21, "Board", 5);
	img_add(&w, 0x21, "", 0);
	img_add(&w, 0x24, "\2\0\0\0\0\1", 6);
	img_add(&w, 0x2c, "US", 2);
	img_finish(&w);
	assert_img(&m, total, &w);

	/* Not the next one of a type: nothing to replace, nothing added. */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x2c, 2, (const uint8_t *)"DE", 2), -ENOENT);
	assert_img(&m, total, &w);
	/* A second one may be added (vendor extensions repeat). */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x21, 1, (const uint8_t *)"B2", 2), 0);
	assert_int_equal(onie_tlv_find(m.b, total, 0x21, 1, &off, &vlen), 0);
	assert_int_equal(vlen, 2);
	assert_memory_equal(m.b + off, "B2", 2);

	assert_int_equal(onie_tlv_del(m.b, &total, 0x21, 1), 0);
	assert_img(&m, total, &w);
	assert_int_equal(onie_tlv_del(m.b, &total, 0x21, 0), 0);
	assert_int_equal(onie_tlv_del(m.b, &total, 0x21, 0), -ENOENT);
	assert_int_equal(onie_tlv_del(m.b, &total, 0xfe, 0), -ENOENT);
	img_start(&w);
	img_add(&w, 0x21, "", 0);		/* empty ones are kept */
	img_add(&w, 0x24, "\2\0\0\0\0\1", 6);
	img_add(&w, 0x2c, "US", 2);
	img_finish(&w);
	assert_img(&m, total, &w);

	/* The CRC record is found too, as the last one. */
	assert_int_equal(onie_tlv_find(m.b, total, 0xfe, 0, &off, &vlen), 0);
	assert_int_equal(off, total - 4);
	assert_int_equal(vlen, 4);
	assert_int_equal(onie_tlv_set(m.b, &total, 0xfe, 0, (const uint8_t *)"abcd", 4), -EINVAL);
}

static void test_limit(void **state)
{
	struct img m, w;
	uint8_t v[255];
	size_t total;
	int i;

	/* 11 + 7 * 257 + 6 = 1816 bytes; one more record of 255 would make
	 * 2073. */
	memset(v, 'v', sizeof(v));
	img_start(&m);
	for (i = 0; i < 7; i++)
		img_add(&m, (uint8_t)(0x21 + i), v, 255);
	img_finish(&m);
	total = m.len;
	w = m;
	assert_int_equal(onie_tlv_set(m.b, &total, 0x2f, 0, v, 255), -ENOSPC);
	assert_img(&m, total, &w);
	/* 2048 exactly fits: 2048 - 1816 - 2 = 230. */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x2f, 0, v, 231), -ENOSPC);
	assert_int_equal(onie_tlv_set(m.b, &total, 0x2f, 0, v, 230), 0);
	assert_int_equal(total, 2048);
	/* Replacing by something as long still fits. */
	assert_int_equal(onie_tlv_set(m.b, &total, 0x21, 0, v, 255), 0);
	assert_int_equal(onie_tlv_set(m.b, &total, 0x21, 0, v, 0), -EINVAL);
	assert_int_equal(total, 2048);
}

static void test_values(void **state)
{
	uint8_t v[255];
	uint8_t t[64];

#define PARSE(type, s) onie_value_parse(type, (const uint8_t *)(s), strlen(s), v)
	assert_int_equal(PARSE(0x25, "01/02/2024 03:04:05"), 19);
	assert_int_equal(PARSE(0x25, "02/29/2024 23:59:59"), 19);
	assert_int_equal(PARSE(0x25, "02/29/2000 00:00:00"), 19);
	assert_int_equal(PARSE(0x25, "02/29/1900 00:00:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "02/29/2023 00:00:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "04/31/2024 00:00:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "00/10/2024 00:00:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "01/02/2024 24:00:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "01/02/2024 03:60:00"), -EINVAL);
	assert_int_equal(PARSE(0x25, "1/2/2024 03:04:05"), -EINVAL);
	assert_int_equal(PARSE(0x25, "01/02/2024T03:04:05"), -EINVAL);
	assert_int_equal(PARSE(0x25, "01/02/2024 03:04:05 "), -EINVAL);

	assert_int_equal(PARSE(0x26, "0"), 1);
	assert_int_equal(PARSE(0x26, "255"), 1);
	assert_int_equal(v[0], 255);
	assert_int_equal(PARSE(0x26, "256"), -EINVAL);
	assert_int_equal(PARSE(0x26, "-1"), -EINVAL);
	assert_int_equal(PARSE(0x26, "0x10"), -EINVAL);
	assert_int_equal(PARSE(0x2a, "300"), 2);
	assert_memory_equal(v, "\x01\x2c", 2);
	assert_int_equal(PARSE(0x2a, "65536"), -EINVAL);
	assert_int_equal(PARSE(0x2a, "000065535"), -EINVAL);

	assert_int_equal(PARSE(0x2c, "US"), 2);
	assert_int_equal(PARSE(0x2c, "USA"), -EINVAL);
	assert_int_equal(PARSE(0x2c, "U1"), -EINVAL);
	assert_int_equal(onie_value_parse(0x24, (const uint8_t *)"\2\0\0\0\0\1", 6, v), 6);
	assert_int_equal(onie_value_parse(0x24, (const uint8_t *)"\2\0\0\0\0", 5, v), -EINVAL);
	assert_int_equal(PARSE(0x23, "SN 42"), 5);
	assert_int_equal(PARSE(0x23, ""), -EINVAL);
	assert_int_equal(onie_value_parse(0x23, (const uint8_t *)"a\0b", 3, v), -EINVAL);
	assert_int_equal(onie_value_parse(0x23, (const uint8_t *)"a\xff", 2, v), -EINVAL);
	/* Not written by nvmemfs. */
	assert_int_equal(PARSE(0xfe, "abcd"), -EINVAL);
	assert_int_equal(PARSE(0xfd, "abcd"), -EINVAL);
#undef PARSE

	assert_int_equal(onie_value_format(0x2a, (const uint8_t *)"\x01\x2c", 2, t, sizeof(t)), 3);
	assert_memory_equal(t, "300", 3);
	assert_int_equal(onie_value_format(0x26, (const uint8_t *)"\x07", 1, t, sizeof(t)), 1);
	assert_memory_equal(t, "7", 1);
	assert_int_equal(onie_value_format(0x26, (const uint8_t *)"\x07\x07", 2, t, sizeof(t)), -EINVAL);
	assert_int_equal(onie_value_format(0x24, (const uint8_t *)"\1\2\3\4\5", 5, t, sizeof(t)), -EINVAL);
	assert_int_equal(onie_value_format(0x21, (const uint8_t *)"Board", 5, t, 4), -ENOSPC);
}

static void test_names(void **state)
{
	unsigned int nth;
	uint8_t type;

	assert_int_equal(onie_name_parse("serial-number", &type, &nth), 0);
	assert_int_equal(type, 0x23);
	assert_int_equal(nth, 0);
	assert_int_equal(onie_name_parse("vendor-extension-12", &type, &nth), 0);
	assert_int_equal(type, 0xfd);
	assert_int_equal(nth, 12);
	assert_int_equal(onie_name_parse("vendor", &type, &nth), 0);
	assert_int_equal(type, 0x2d);
	assert_int_equal(onie_name_parse("crc32", &type, &nth), 0);
	assert_int_equal(type, 0xfe);
	assert_string_equal(onie_type_name(0xfe), "crc32");
	assert_null(onie_type_name(0x7e));
	assert_int_equal(onie_name_parse("crc-32", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("serial-number-0", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("serial-number-01", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("serial-number-", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("serial-numbers", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("vendor-extension-99999999999", &type, &nth), -EINVAL);
	assert_int_equal(onie_name_parse("", &type, &nth), -EINVAL);
	assert_true(onie_type_editable(0x23));
	assert_false(onie_type_editable(0xfd));
	assert_false(onie_type_editable(0xfe));
	assert_false(onie_type_editable(0x7e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_as_zlib),
		cmocka_unit_test(test_replace_keeps_order),
		cmocka_unit_test(test_add_and_delete),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
