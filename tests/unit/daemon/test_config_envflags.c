// SPDX-License-Identifier: MIT
/* The key env-redundant-flags: its values, its default, its errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_load.h"
#include "daemon/config.h"

#define UBOOT "[device a]\nprovider = file\npath = /img\nlayout = u-boot-env\n" \
	      "env-size = 0x1000\n"

static void test_values(void **state)
{
	struct config *cfg = load_ok(
		UBOOT "env-redundant-offset = 0x1000\nenv-redundant-flags = bool\n"
		"[device b]\nprovider = file\npath = /img\nlayout = u-boot-env\n"
		"env-size = 0x1000\nenv-redundant-offset = 0x1000\n"
		"env-redundant-flags = count\n"
		"[device c]\nprovider = file\npath = /img\nlayout = u-boot-env\n"
		"env-size = 0x1000\nenv-redundant-offset = 0x1000\n");

	assert_int_equal(cfg->ndevices, 3);
	assert_int_equal(cfg->devices[0].layout.env_redund, UBOOT_REDUND_BOOL);
	assert_int_equal(cfg->devices[1].layout.env_redund, UBOOT_REDUND_COUNT);
	/* The default: U-Boot's counter, as nvmemfs always wrote. */
	assert_int_equal(cfg->devices[2].layout.env_redund, UBOOT_REDUND_COUNT);
	config_free(cfg);
}

static void test_errors(void **state)
{
	load_bad(UBOOT "env-redundant-offset = 0x1000\nenv-redundant-flags = yes\n",
		 "t.conf:7: [device a] env-redundant-flags: 'yes' is neither count nor bool");
	load_bad(UBOOT "env-redundant-flags = bool\n",
		 "t.conf:6: [device a] env-redundant-flags: only valid with env-redundant-offset");
	load_bad("[device a]\nprovider = file\npath = /img\nenv-redundant-flags = bool\n",
		 "t.conf:4: [device a] env-redundant-flags: only valid with layout = u-boot-env");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
