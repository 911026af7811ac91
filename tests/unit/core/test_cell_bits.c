// SPDX-License-Identifier: MIT
/* Cell bit math against hand-worked examples and a bit-by-bit reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cell.h"

/* Reference: bit i of the field is bit (bit_offset + i) of the input,
 * counting LSB first from byte 0. */
static void ref_extract(const uint8_t *in, unsigned int off, unsigned int n,
			uint8_t *out)
{
	unsigned int i;

	memset(out, 0, (n + 7) / 8);
	for (i = 0; i < n; i++)
		if (in[(off + i) / 8] >> ((off + i) % 8) & 1)
			out[i / 8] |= 1u << (i % 8);
}

static void test_hand_worked(void **state)
{
	uint8_t out[8];
	/* 0xa7 = 1010 0111 */
	const uint8_t a7[] = { 0xa7 };
	const uint8_t span[] = { 0x80, 0x02 };	/* bit 7 and bit 9 set */
	const uint8_t le[] = { 0x34, 0x12, 0xff };

	cell_bits_extract(a7, 4, 4, out);
	assert_int_equal(out[0], 0x0a);
	cell_bits_extract(a7, 0, 3, out);
	assert_int_equal(out[0], 0x07);
	cell_bits_extract(a7, 7, 1, out);
	assert_int_equal(out[0], 0x01);
	cell_bits_extract(a7, 1, 7, out);
	assert_int_equal(out[0], 0x53);
	/* spanning two bytes: bits 6..9 of 0x80 0x02 -> 0b1010 */
	cell_bits_extract(span, 6, 4, out);
	assert_int_equal(out[0], 0x0a);
	/* 12 bits from bit 4 of 0x34 0x12 0xff: the bytes are the value
	 * 0xff1234; >> 4 is 0xff123; its low 12 bits are 0x123. */
	cell_bits_extract(le, 4, 12, out);
	assert_int_equal(out[0], 0x23);
	assert_int_equal(out[1], 0x01);
	/* 16 bits at offset 0 of 0x34 0x12: 0x1234 little endian */
	cell_bits_extract(le, 0, 16, out);
	assert_int_equal(out[0], 0x34);
	assert_int_equal(out[1], 0x12);
}

static void test_against_reference(void **state)
{
	uint8_t in[10], got[9], want[9];
	unsigned int off, n, trial;

	srand(42);
	for (trial = 0; trial < 20; trial++) {
		for (unsigned int i = 0; i < sizeof(in); i++)
			in[i] = rand();
		for (off = 0; off < 8; off++) {
			for (n = 1; n <= 64; n++) {
				memset(got, 0xee, sizeof(got));
				cell_bits_extract(in, off, n, got);
				ref_extract(in, off, n, want);
				assert_memory_equal(got, want, (n + 7) / 8);
			}
		}
	}
}

/* insert(extract) round-trips, and no bit outside the field moves. */
static void test_insert(void **state)
{
	uint8_t dev[10], orig[10], val[9], back[9];
	unsigned int off, n, bit;

	srand(7);
	for (off = 0; off < 8; off++) {
		for (n = 1; n <= 64; n++) {
			for (unsigned int i = 0; i < sizeof(dev); i++)
				dev[i] = orig[i] = rand();
			for (unsigned int i = 0; i < sizeof(val); i++)
				val[i] = rand();
			if (n % 8)
				val[(n - 1) / 8] &= (1u << (n % 8)) - 1;
			cell_bits_insert(dev, off, n, val);
			cell_bits_extract(dev, off, n, back);
			assert_memory_equal(back, val, (n + 7) / 8);
			for (bit = 0; bit < sizeof(dev) * 8; bit++) {
				if (bit >= off && bit < off + n)
					continue;
				assert_int_equal(dev[bit / 8] >> (bit % 8) & 1,
						 orig[bit / 8] >> (bit % 8) & 1);
			}
		}
	}
}

static void test_raw_size(void **state)
{
	struct nvmem_cell c = { .bytes = 3 };

	assert_int_equal(cell_raw_size(&c), 3);
	c.nbits = 12;
	c.bit_offset = 6;
	assert_int_equal(cell_raw_size(&c), 2);
	c.nbits = 1;
	assert_int_equal(cell_raw_size(&c), 1);
	c.nbits = 64;
	assert_int_equal(cell_raw_size(&c), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_raw_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
