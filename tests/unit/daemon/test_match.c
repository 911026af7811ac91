// SPDX-License-Identifier: MIT
/* Which device event is about which [device] section (match.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "daemon/match.h"

static const struct match_state unbound = { 0 };

static struct uevent_event ev(const char *subsystem, const char *sysname,
			      const char *node, dev_t devnum)
{
	return (struct uevent_event){
		.action = UEVENT_ADD, .subsystem = subsystem,
		.sysname = sysname, .devnode = node, .devnum = devnum,
	};
}

static void test_file(void **state)
{
	struct config_device cd = { .provider = CONFIG_PROVIDER_FILE,
				    .path = "/dev/mmcblk0boot1", .bus = -1 };
	struct uevent_event e = ev("block", "mmcblk0boot1", "/dev/mmcblk0boot1",
				   makedev(179, 8));
	struct match_state st = { 0 };
	int bus;

	assert_true(match_backing(&cd, &unbound, &e, &bus));
	assert_int_equal(bus, -1);
	e.devnode = "/dev/mmcblk0boot0";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	/* A symlink: by the number its path resolves to now. */
	cd.path = "/dev/disk/by-label/env";
	e.devnode = "/dev/mmcblk0boot1";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	st.path_rdev = makedev(179, 8);
	assert_true(match_backing(&cd, &st, &e, &bus));
	/* Bound: the number alone, even with the node gone. */
	st = (struct match_state){ .bound_rdev = makedev(7, 3) };
	e = ev("block", "loop3", NULL, makedev(7, 3));
	e.action = UEVENT_REMOVE;
	assert_true(match_backing(&cd, &st, &e, &bus));
	e.devnum = makedev(7, 4);
	assert_false(match_backing(&cd, &st, &e, &bus));
	/* An image file never matches an event. */
	cd.path = "/var/lib/board.img";
	e = ev("block", "loop3", "/var/lib/board.img", 0);
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	assert_true(match_path_hotplug("/dev/mtd2"));
	assert_false(match_path_hotplug("/var/lib/board.img"));
}

static void test_at24(void **state)
{
	struct config_device cd = { .provider = CONFIG_PROVIDER_AT24, .bus = -1,
				    .adapter = "CP2112*" };
	struct uevent_event e = ev("i2c-dev", "i2c-7", "/dev/i2c-7",
				   makedev(89, 7));
	int bus;

	e.adapter_name = "CP2112 SMBus Bridge on hidraw0";
	assert_true(match_backing(&cd, &unbound, &e, &bus));
	assert_int_equal(bus, 7);
	e.adapter_name = "i915 gmbus dpb";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	assert_int_equal(bus, -1);
	e.adapter_name = NULL;		/* a remove carries no name */
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	/* By bus number. */
	cd.adapter = NULL;
	cd.bus = 7;
	assert_true(match_backing(&cd, &unbound, &e, &bus));
	cd.bus = 8;
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	/* By USB serial. */
	cd.bus = -1;
	cd.usb_serial = "0042A1B2";
	e.usb_serial = "0042A1B2";
	assert_true(match_backing(&cd, &unbound, &e, &bus));
	e.usb_serial = "0042A1B3";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	/* Another subsystem, or an emulated chip: never. */
	e = ev("block", "i2c-7", NULL, makedev(89, 7));
	cd.usb_serial = NULL;
	cd.bus = 7;
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	e = ev("i2c-dev", "i2c-7", "/dev/i2c-7", makedev(89, 7));
	cd.emulate = "/var/lib/chip.img";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
}

static void test_sysfs(void **state)
{
	struct config_device cd = { .provider = CONFIG_PROVIDER_SYSFS,
				    .kernel_name = "0-00500", .bus = -1 };
	struct uevent_event e = ev("nvmem", "0-00500", NULL, 0);
	int bus;

	assert_true(match_backing(&cd, &unbound, &e, &bus));
	e.sysname = "0-00510";
	assert_false(match_backing(&cd, &unbound, &e, &bus));
	e = ev("block", "0-00500", NULL, 0);
	assert_false(match_backing(&cd, &unbound, &e, &bus));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_at24),
		cmocka_unit_test(test_sysfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
