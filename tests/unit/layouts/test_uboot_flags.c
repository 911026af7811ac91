// SPDX-License-Identifier: MIT
/*
 * U-Boot's .flags (types and access of variables) as the environment
 * enforces them on every change, against images built here from U-Boot's
 * format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layouts/layout.h"

/* ---- the .flags list ---- */

static void test_flags_lookup(void **state)
{
	const char *list = " serial# : so ,ethaddr:mo,,:xr,ip:i, n:d,ro:r,"
			   "x:xa,x:bc,odd:qz,plain";
	struct uboot_var_flags f;

	f = uboot_flags_lookup(list, "serial#");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_WRITE_ONCE);
	f = uboot_flags_lookup(list, "ethaddr");
	assert_int_equal(f.type, UBOOT_TYPE_MAC);
	assert_int_equal(f.access, UBOOT_ACCESS_WRITE_ONCE);
	f = uboot_flags_lookup(list, "ip");
	assert_int_equal(f.type, UBOOT_TYPE_IP);
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "n");
	assert_int_equal(f.type, UBOOT_TYPE_DECIMAL);
	/* A lone access letter is the access, as fw_setenv reads it. */
	f = uboot_flags_lookup(list, "ro");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_READ_ONLY);
	/* The last entry of a name wins, whole. */
	f = uboot_flags_lookup(list, "x");
	assert_int_equal(f.type, UBOOT_TYPE_BOOL);
	assert_int_equal(f.access, UBOOT_ACCESS_CHANGE_DEFAULT);
	/* Unknown letters, no attributes, not listed, no list at all. */
	f = uboot_flags_lookup(list, "odd");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "plain");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "serial");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(NULL, "serial#");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	/* An entry without a name names nothing, not the empty name. */
	f = uboot_flags_lookup(list, "");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
}

static int count_entry(const char *name, size_t len,
		       struct uboot_var_flags f, void *priv)
{
	(*(int *)priv)++;
	return 0;
}

static void test_flags_walk(void **state)
{
	int n = 0;

	assert_int_equal(uboot_flags_walk("a:s, ,b,:x,c:", count_entry, &n), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(uboot_flags_walk("", count_entry, &n), 0);
	assert_int_equal(uboot_flags_walk(",,,", count_entry, &n), 0);
	assert_int_equal(uboot_flags_walk(NULL, count_entry, &n), 0);
	assert_int_equal(n, 0);
}

static void test_flags_types(void **state)
{
	static const struct {
		enum uboot_var_type type;
		const char *value;
		bool ok;
	} v[] = {
		{ UBOOT_TYPE_STRING, "", true },
		{ UBOOT_TYPE_STRING, "any thing", true },
		{ UBOOT_TYPE_DECIMAL, "0", true },
		{ UBOOT_TYPE_DECIMAL, "115200", true },
		{ UBOOT_TYPE_DECIMAL, "", false },
		{ UBOOT_TYPE_DECIMAL, "-1", false },
		{ UBOOT_TYPE_DECIMAL, "12a", false },
		{ UBOOT_TYPE_DECIMAL, "0x10", false },
		{ UBOOT_TYPE_HEX, "0x80000000", true },
		{ UBOOT_TYPE_HEX, "0XfF", true },
		{ UBOOT_TYPE_HEX, "deadbeef", true },
		{ UBOOT_TYPE_HEX, "0x", false },
		{ UBOOT_TYPE_HEX, "", false },
		{ UBOOT_TYPE_HEX, "0xg", false },
		{ UBOOT_TYPE_HEX, "12 ", false },
		{ UBOOT_TYPE_BOOL, "1", true },
		{ UBOOT_TYPE_BOOL, "n", true },
		{ UBOOT_TYPE_BOOL, "T", true },
		{ UBOOT_TYPE_BOOL, "yes", false },
		{ UBOOT_TYPE_BOOL, "2", false },
		{ UBOOT_TYPE_BOOL, "", false },
		{ UBOOT_TYPE_IP, "192.168.1.10", true },
		{ UBOOT_TYPE_IP, "0.0.0.0", true },
		{ UBOOT_TYPE_IP, "192.168.1", false },
		{ UBOOT_TYPE_IP, "192.168.1.10.", false },
		{ UBOOT_TYPE_IP, "1234.1.1.1", false },
		{ UBOOT_TYPE_IP, "a.b.c.d", false },
		{ UBOOT_TYPE_IP, "", false },
		{ UBOOT_TYPE_MAC, "00:11:22:aa:BB:cc", true },
		{ UBOOT_TYPE_MAC, "0:1:2:3:4:5", true },
		{ UBOOT_TYPE_MAC, "00:11:22:33:44", false },
		{ UBOOT_TYPE_MAC, "00:11:22:33:44:55:66", false },
		{ UBOOT_TYPE_MAC, "00-11-22-33-44-55", false },
		{ UBOOT_TYPE_MAC, "000:11:22:33:44:55", false },
		{ UBOOT_TYPE_MAC, "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((uboot_flags_check_type(v[i].type, v[i].value) == 0) != v[i].ok)
			fail_msg("type %d, '%s': expected %s", v[i].type,
				 v[i].value, v[i].ok ? "valid" : "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_lookup),
		cmocka_unit_test(test_flags_walk),
		cmocka_unit_test(test_flags_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
