// SPDX-License-Identifier: MIT
/* Modes and owners of served files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/perm.h"

static void test_parse(void **state)
{
	mode_t m;
	uid_t u;
	gid_t g;

	assert_int_equal(perm_parse_mode("0640", &m), 0);
	assert_int_equal(m, 0640);
	assert_int_equal(perm_parse_mode("644", &m), 0);
	assert_int_equal(m, 0644);
	assert_int_equal(perm_parse_mode("0", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(perm_parse_mode("0755", &m), -EPERM);
	assert_int_equal(perm_parse_mode("1644", &m), -EPERM);
	assert_int_equal(perm_parse_mode("0648", &m), -EINVAL);
	assert_int_equal(perm_parse_mode("", &m), -EINVAL);
	assert_int_equal(perm_parse_mode("-644", &m), -EINVAL);
	assert_int_equal(perm_parse_mode("000000644", &m), -EINVAL);

	assert_int_equal(perm_parse_user("root", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(perm_parse_user("4242", &u), 0);
	assert_int_equal(u, 4242);
	assert_int_equal(perm_parse_user("4294967295", &u), -EINVAL);
	assert_int_equal(perm_parse_user("nvmemfs-no-such-user", &u), -ENOENT);
	assert_int_equal(perm_parse_group("root", &g), 0);
	assert_int_equal(g, 0);
	assert_int_equal(perm_parse_group("", &g), -EINVAL);
}

static void test_rules(void **state)
{
	const struct nvmem_perm backing = { 04755, 1000, 20 };
	const struct perm_override none = { 0 };
	const struct perm_override grp = { .mode = 0664, .gid = 30,
					   .set = PERM_SET_MODE | PERM_SET_GID };
	const struct perm_override narrow = { .mode = 0600, .set = PERM_SET_MODE };
	const struct perm_override owner = { .uid = 7, .set = PERM_SET_UID };
	struct nvmem_perm d, c;

	/* No execute or set-id bits ever; the backing's owner. */
	d = perm_device(&backing, &none, false);
	assert_int_equal(d.mode, 0644);
	assert_int_equal(d.uid, 1000);
	assert_int_equal(d.gid, 20);
	/* Read-only: no write bits, whatever the backing. */
	assert_int_equal(perm_device(&backing, &none, true).mode, 0444);
	/* The configuration replaces what it sets, and only that. */
	d = perm_device(&backing, &grp, false);
	assert_int_equal(d.mode, 0664);
	assert_int_equal(d.uid, 1000);
	assert_int_equal(d.gid, 30);
	assert_int_equal(perm_device(&backing, &grp, true).mode, 0444);

	/* Cells: the device's bits; read-only cells its read bits. */
	c = perm_cell(&d, &none, false);
	assert_int_equal(c.mode, 0664);
	assert_int_equal(c.gid, 30);
	assert_int_equal(perm_cell(&d, &none, true).mode, 0444);
	assert_int_equal(perm_cell(&d, &narrow, false).mode, 0600);
	c = perm_cell(&d, &owner, false);
	assert_int_equal(c.uid, 7);
	assert_int_equal(c.gid, 30);
	/* A 0600 device's read-only cell: the kernel's 0400. */
	d = (struct nvmem_perm){ 0600, 0, 0 };
	assert_int_equal(perm_cell(&d, &none, true).mode, 0400);
	assert_int_equal(perm_info(&d).mode, 0400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
