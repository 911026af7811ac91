// SPDX-License-Identifier: MIT
/* Derived MAC addresses: the carry over all 48 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/mac_cell.h"

static void check(const char *base, uint64_t index, const char *want)
{
	uint8_t b[6], w[6], out[6];

	memcpy(b, base, 6);
	memcpy(w, want, 6);
	mac_add(b, index, out);
	assert_memory_equal(out, w, 6);
}

static void test_add(void **state)
{
	check("\x02\x00\x5e\x10\x20\x30", 0, "\x02\x00\x5e\x10\x20\x30");
	check("\x02\x00\x5e\x10\x20\xff", 1, "\x02\x00\x5e\x10\x21\x00");
	check("\x02\x00\x5e\xff\xff\xfe", 3, "\x02\x00\x5f\x00\x00\x01");
	check("\x02\x00\x5e\x10\x20\x30", 0x100, "\x02\x00\x5e\x10\x21\x30");
	/* Modulo 2^48: the top byte carries into nothing. */
	check("\xff\xff\xff\xff\xff\xff", 1, "\x00\x00\x00\x00\x00\x00");
	check("\x00\x00\x00\x00\x00\x00", MAC_CELL_INDEX_MAX,
	      "\xff\xff\xff\xff\xff\xff");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
