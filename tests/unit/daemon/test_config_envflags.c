// SPDX-License-Identifier: MIT
/* The key env-redundant-flags: its values, its default, its errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "daemon/config.h"

#define UBOOT "[device a]\nprovider = file\npath = /img\nlayout = u-boot-env\n" \
	      "env-size = 0x1000\n"

static struct config *load_ok(const char *text)
{
	struct config *cfg = NULL;
	const char *log;
	int ret;

	capture_start();
	ret = config_load_string(text, strlen(text), "t.conf", &cfg);
	log = capture_end();
	if (ret)
		fail_msg("unexpected errors:\n%s", log);
	assert_non_null(cfg);
	return cfg;
}

static void load_bad(const char *text, const char *want)
{
	struct config *cfg = (struct config *)1;
	const char *log;
	int ret;

	capture_start();
	ret = config_load_string(text, strlen(text), "t.conf", &cfg);
	log = capture_end();
	assert_int_equal(ret, -EINVAL);
	assert_null(cfg);
	if (!strstr(log, want))
		fail_msg("expected '%s' in:\n%s", want, log);
}

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
