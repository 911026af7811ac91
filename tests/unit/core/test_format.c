// SPDX-License-Identifier: MIT
/* Cell formats, both ways, and what they refuse. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/format.h"

static void enc(enum cell_format f, const void *raw, size_t len,
		const char *want)
{
	char out[64];
	ssize_t n = format_encode(f, raw, len, out, sizeof(out));

	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_true((size_t)n <= format_max_text(f, len));
}

static void dec(enum cell_format f, const char *text, size_t len,
		const void *want)
{
	uint8_t raw[16];

	memset(raw, 0xee, sizeof(raw));
	assert_int_equal(format_decode(f, text, strlen(text), raw, len), 0);
	assert_memory_equal(raw, want, len);
}

static void bad(enum cell_format f, const char *text, size_t len)
{
	uint8_t raw[16];

	assert_int_equal(format_decode(f, text, strlen(text), raw, len), -EINVAL);
}

static void test_names(void **state)
{
	enum cell_format f;

	assert_int_equal(format_parse("u32be", &f), 0);
	assert_int_equal(f, CELL_FORMAT_U32BE);
	assert_string_equal(format_name(CELL_FORMAT_MAC), "mac");
	assert_int_equal(format_parse("U32BE", &f), -EINVAL);
	assert_int_equal(format_check_size(CELL_FORMAT_MAC, 6), 0);
	assert_int_equal(format_check_size(CELL_FORMAT_MAC, 5), -EINVAL);
	assert_int_equal(format_check_size(CELL_FORMAT_U16LE, 1), 0);	/* bit field */
	assert_int_equal(format_check_size(CELL_FORMAT_U16LE, 3), -EINVAL);
	assert_int_equal(format_check_size(CELL_FORMAT_RAW, 0), -EINVAL);
}

static void test_mac(void **state)
{
	const uint8_t m[] = { 0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc };

	enc(CELL_FORMAT_MAC, m, 6, "00:11:22:aa:bb:cc\n");
	dec(CELL_FORMAT_MAC, "00:11:22:aa:bb:cc\n", 6, m);
	dec(CELL_FORMAT_MAC, "00-11-22-AA-BB-CC", 6, m);
	bad(CELL_FORMAT_MAC, "00:11:22:aa:bb", 6);
	bad(CELL_FORMAT_MAC, "00:11:22:aa:bb:cg", 6);
	bad(CELL_FORMAT_MAC, "00:11:22:aa:bb:cc:dd", 6);
	bad(CELL_FORMAT_MAC, "00.11.22.aa.bb.cc", 6);
	bad(CELL_FORMAT_MAC, "00:11:22:aa:bb:cc\n\n", 6);
}

static void test_hex_raw(void **state)
{
	const uint8_t b[] = { 0xde, 0xad, 0x00, 0x0f };

	enc(CELL_FORMAT_HEX, b, 4, "dead000f\n");
	dec(CELL_FORMAT_HEX, "DEAD000f\n", 4, b);
	bad(CELL_FORMAT_HEX, "dead00", 4);
	bad(CELL_FORMAT_HEX, "dead000x", 4);
	{
		char out[8];

		assert_int_equal(format_encode(CELL_FORMAT_RAW, b, 4, out, sizeof(out)), 4);
		assert_memory_equal(out, b, 4);
	}
	/* raw is taken as is, newline included */
	assert_int_equal(format_decode(CELL_FORMAT_RAW, "ab\n", 3, (uint8_t[3]){ 0 }, 3), 0);
	bad(CELL_FORMAT_RAW, "abc", 4);
}

static void test_string(void **state)
{
	const uint8_t s1[] = { 'S', 'N', '1', 0, 'x' };
	const uint8_t s2[] = { 'A', 'B', 0xff, 0xff };
	const uint8_t full[] = { 'A', 'B', 'C', 'D' };

	enc(CELL_FORMAT_STRING, s1, 5, "SN1\n");
	enc(CELL_FORMAT_STRING, s2, 4, "AB\n");
	enc(CELL_FORMAT_STRING, full, 4, "ABCD\n");
	dec(CELL_FORMAT_STRING, "AB\n", 4, (uint8_t[]){ 'A', 'B', 0, 0 });
	dec(CELL_FORMAT_STRING, "ABCD", 4, full);
	bad(CELL_FORMAT_STRING, "ABCDE", 4);
	assert_int_equal(format_decode(CELL_FORMAT_STRING, "A\0B", 3,
				       (uint8_t[4]){ 0 }, 4), -EINVAL);
	/* An empty value (a U-Boot "name="): read and written as "\n". */
	enc(CELL_FORMAT_STRING, (uint8_t[1]){ 0 }, 0, "\n");
	assert_int_equal(format_decode(CELL_FORMAT_STRING, "\n", 1, (uint8_t[1]){ 0 }, 0), 0);
	assert_int_equal(format_check_size(CELL_FORMAT_HEX, 0), -EINVAL);
	/* 0xff is erased memory: it would end the string read back. */
	assert_int_equal(format_decode(CELL_FORMAT_STRING, "A\xff" "B", 3,
				       (uint8_t[4]){ 0 }, 4), -EINVAL);
}

static void test_integers(void **state)
{
	enc(CELL_FORMAT_U8, (uint8_t[]){ 200 }, 1, "200\n");
	enc(CELL_FORMAT_U16LE, (uint8_t[]){ 0x34, 0x12 }, 2, "4660\n");
	enc(CELL_FORMAT_U16BE, (uint8_t[]){ 0x12, 0x34 }, 2, "4660\n");
	enc(CELL_FORMAT_U32LE, (uint8_t[]){ 0xef, 0xbe, 0xad, 0xde }, 4, "3735928559\n");
	enc(CELL_FORMAT_U32BE, (uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }, 4, "3735928559\n");
	enc(CELL_FORMAT_U64LE, (uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8,
	    "18446744073709551615\n");
	enc(CELL_FORMAT_U64BE, (uint8_t[]){ 0, 0, 0, 0, 0, 0, 1, 0 }, 8, "256\n");
	/* narrower cells (bit fields) are zero-extended */
	enc(CELL_FORMAT_U16LE, (uint8_t[]){ 0x0a }, 1, "10\n");

	dec(CELL_FORMAT_U16LE, "4660\n", 2, (uint8_t[]){ 0x34, 0x12 });
	dec(CELL_FORMAT_U16BE, "4660", 2, (uint8_t[]){ 0x12, 0x34 });
	dec(CELL_FORMAT_U32BE, "305419896", 4, (uint8_t[]){ 0x12, 0x34, 0x56, 0x78 });
	dec(CELL_FORMAT_U64LE, "18446744073709551615", 8,
	    (uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff });
	dec(CELL_FORMAT_U16LE, "255", 1, (uint8_t[]){ 0xff });
	bad(CELL_FORMAT_U16LE, "256", 1);		/* does not fit the cell */
	bad(CELL_FORMAT_U8, "256", 1);
	bad(CELL_FORMAT_U64LE, "18446744073709551616", 8);	/* overflow */
	bad(CELL_FORMAT_U8, "-1", 1);
	bad(CELL_FORMAT_U8, "+1", 1);
	bad(CELL_FORMAT_U8, "0x10", 1);
	bad(CELL_FORMAT_U8, "", 1);
	bad(CELL_FORMAT_U8, "\n", 1);
	bad(CELL_FORMAT_U8, "1 2", 1);
}

static void test_small_buffer(void **state)
{
	char out[4], big[21];

	assert_int_equal(format_encode(CELL_FORMAT_MAC, (uint8_t[6]){ 0 }, 6,
				       out, sizeof(out)), -ENOSPC);
	assert_int_equal(format_encode(CELL_FORMAT_U32LE, (uint8_t[4]){ 0xff, 0xff, 0xff, 0xff },
				       4, out, sizeof(out)), -ENOSPC);
	/* format_max_text() bytes hold the longest number: no room for a
	 * NUL is needed. */
	assert_int_equal(format_max_text(CELL_FORMAT_U64LE, 8), sizeof(big));
	assert_int_equal(format_encode(CELL_FORMAT_U64LE, (uint8_t[8]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
				       8, big, sizeof(big)), 21);
	assert_memory_equal(big, "18446744073709551615\n", 21);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_hex_raw),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
