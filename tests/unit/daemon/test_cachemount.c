// SPDX-License-Identifier: MIT
/* Which mounts are page-cache mounts (cachemount.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "base/log.h"
#include "daemon/cachemount.h"

#define HEAD	"[nvmemfs]\nkernel-devices = no\n"
#define DEV(name, extra) \
	"[device " name "]\nprovider = file\npath = /dev/null\n" extra

/* cachemount_qualifies() of the -o arguments @opts (NULL-ended, each one
 * a separate argv word as main.c adds them) and configuration @text. */
static bool qualifies(const char *text, const char *const *opts)
{
	char *argv[16] = { "nvmemfs" };
	struct fuse_args args;
	struct config *cfg;
	bool ret;
	int argc = 1;

	for (; *opts; opts++)
		argv[argc++] = (char *)*opts;
	args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	assert_int_equal(config_load_string(text, strlen(text), "t.conf", &cfg), 0);
	ret = cachemount_qualifies(&args, cfg);
	config_free(cfg);
	return ret;
}

#define RO_CACHED	"read-only = yes\ncache = yes\n"
static const char *const ro[] = { "-o", "ro", NULL };

static void test_mount_options(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const joined[] = { "-oallow_other,ro", NULL };
	static const char *const later_rw[] = { "-o", "ro", "-o", "rw", NULL };
	static const char *const later_ro[] = { "-o", "rw,ro", NULL };
	static const char *const lookalike[] = { "-o", "rootmode=0,fsname=ro0", NULL };
	static const char *const trailing[] = { "-o", "ro,", NULL };
	const char *conf = HEAD DEV("a", RO_CACHED);

	assert_true(qualifies(conf, ro));
	assert_true(qualifies(conf, joined));
	assert_true(qualifies(conf, later_ro));
	assert_true(qualifies(conf, trailing));
	assert_false(qualifies(conf, none));
	assert_false(qualifies(conf, later_rw));
	assert_false(qualifies(conf, lookalike));
}

static void test_devices(void **state)
{
	assert_true(qualifies(HEAD, ro));	/* nothing that could change */
	assert_true(qualifies(HEAD DEV("a", RO_CACHED) DEV("b", RO_CACHED), ro));
	/* The defaults are not enough: cache depends on the size. */
	assert_false(qualifies(HEAD DEV("a", "read-only = yes\n"), ro));
	assert_false(qualifies(HEAD DEV("a", "cache = yes\n"), ro));
	assert_false(qualifies(HEAD DEV("a", RO_CACHED) DEV("b", "read-only = yes\ncache = no\n"), ro));
	assert_false(qualifies(HEAD DEV("a", "read-only = no\ncache = yes\n"), ro));
	/* Kernel devices may come uncached at any time. */
	assert_false(qualifies("[nvmemfs]\nkernel-devices = yes\n" DEV("a", RO_CACHED), ro));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_devices),
	};

	log_set_level(LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
