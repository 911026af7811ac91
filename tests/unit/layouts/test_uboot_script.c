// SPDX-License-Identifier: MIT
/* What is written to <device>/environment, as fw_setenv -s reads it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "layouts/layout.h"

static int parse(struct uboot_script *s, const char *text)
{
	return uboot_script_parse(s, (const uint8_t *)text, strlen(text));
}

static void test_lines(void **state)
{
	struct uboot_script s = { 0 };

	assert_int_equal(parse(&s, "# made by hand\n\nboard=x\nbootcmd=a=b c\nempty=\n"), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.name[0], "board");
	assert_string_equal(s.value[0], "x");
	/* Only the first '=' separates: values may hold more. */
	assert_string_equal(s.name[1], "bootcmd");
	assert_string_equal(s.value[1], "a=b c");
	assert_string_equal(s.value[2], "");
	uboot_script_free(&s);
}

static void test_no_trailing_newline(void **state)
{
	struct uboot_script s = { 0 };

	assert_int_equal(parse(&s, "a=1\nb=2"), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.value[1], "2");
	uboot_script_free(&s);
	assert_int_equal(parse(&s, ""), 0);
	assert_int_equal(s.n, 0);
	uboot_script_free(&s);
}

static void test_refused_whole(void **state)
{
	struct uboot_script s = { 0 };

	/* fw_setenv -s would read "name value"; we write what we read,
	 * and a line we cannot read as name=value is a mistake. */
	assert_int_equal(parse(&s, "a=1\nname value\n"), -EINVAL);
	uboot_script_free(&s);
	assert_int_equal(parse(&s, "=novalue\n"), -EINVAL);
	uboot_script_free(&s);
	assert_int_equal(uboot_script_parse(&s, (const uint8_t *)"a=1\0b=2", 7),
			 -EINVAL);
	uboot_script_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_refused_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
