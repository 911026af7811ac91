// SPDX-License-Identifier: MIT
/*
 * The kernel's I2C clients and adapters as sysfs shows them, on a tree
 * shaped like /sys/devices/.../i2c-N/N-00AA with the /sys/bus links: a
 * client bound to at24 with its nvmem child, an unbound one, none, and
 * adapters found by number, name and the serial of their bridge.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "providers/i2c.h"

static char root[64];
static char i2c_root[128], nvmem_root[128];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *target, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

#define USB "devices/usb1/1-1"
#define HID USB "/1-1:1.0/0003:10C4:EA90.0001"

static int setup(void **state)
{
	strcpy(root, "/tmp/nvmemfs-i2c-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(i2c_root, sizeof(i2c_root), "%s/bus/i2c/devices", root);
	snprintf(nvmem_root, sizeof(nvmem_root), "%s/bus/nvmem/devices", root);
	mkdirs("bus/i2c/devices");
	mkdirs("bus/i2c/drivers/at24");
	mkdirs("bus/nvmem/devices");
	/* Bus 0: a SoC adapter, a client bound to at24 at 0x50 with its
	 * nvmem device, an unbound client at 0x51. */
	mkdirs("devices/soc/i2c-0/0-0050/0-00500");
	put("devices/soc/i2c-0/name", "SoC I2C\n");
	put("devices/soc/i2c-0/0-0050/eeprom", "");
	put("devices/soc/i2c-0/0-0050/0-00500/nvmem", "");
	link_to("../../../../../bus/i2c/drivers/at24",
		"devices/soc/i2c-0/0-0050/driver");
	mkdirs("devices/soc/i2c-0/0-0051");
	link_to("../../../devices/soc/i2c-0", "bus/i2c/devices/i2c-0");
	link_to("../../../devices/soc/i2c-0/0-0050", "bus/i2c/devices/0-0050");
	link_to("../../../devices/soc/i2c-0/0-0051", "bus/i2c/devices/0-0051");
	link_to("../../../devices/soc/i2c-0/0-0050/0-00500",
		"bus/nvmem/devices/0-00500");
	/* Buses 3 and 4: bridges on USB, serial "S1", and on HID only. */
	mkdirs(HID "/i2c-3");
	put(USB "/idVendor", "10c4\n");
	put(USB "/serial", "S1\n");
	put(HID "/uevent", "DRIVER=cp2112\nHID_UNIQ=\n");
	put(HID "/i2c-3/name", "CP2112 SMBus Bridge on hidraw0\n");
	link_to("../../../" HID "/i2c-3", "bus/i2c/devices/i2c-3");
	mkdirs("devices/virtual/uhid/0003:10C4:EA90.0002/i2c-4");
	put("devices/virtual/uhid/0003:10C4:EA90.0002/uevent",
	    "HID_UNIQ=H2\n");
	put("devices/virtual/uhid/0003:10C4:EA90.0002/i2c-4/name",
	    "CP2112 SMBus Bridge on hidraw1\n");
	link_to("../../../devices/virtual/uhid/0003:10C4:EA90.0002/i2c-4",
		"bus/i2c/devices/i2c-4");
	/* An nvmem device that is no I2C client's. */
	mkdirs("devices/platform/rmem/rmem0");
	link_to("../../../devices/platform/rmem/rmem0",
		"bus/nvmem/devices/rmem0");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void test_client_lookup(void **state)
{
	struct i2c_client_info ci;

	assert_int_equal(i2c_client_lookup(i2c_root, 0, 0x50, &ci), 1);
	assert_string_equal(ci.name, "0-0050");
	assert_string_equal(ci.driver, "at24");
	assert_string_equal(ci.nvmem, "0-00500");

	/* A client that no driver took: the chip is nobody's. */
	assert_int_equal(i2c_client_lookup(i2c_root, 0, 0x51, &ci), 1);
	assert_string_equal(ci.name, "0-0051");
	assert_string_equal(ci.driver, "");
	assert_string_equal(ci.nvmem, "");

	assert_int_equal(i2c_client_lookup(i2c_root, 0, 0x52, &ci), 0);
	assert_int_equal(i2c_client_lookup(i2c_root, 3, 0x50, &ci), 0);
}

static void test_client_of_nvmem(void **state)
{
	uint16_t addr = 0;
	int bus = -1;

	assert_int_equal(i2c_client_of_nvmem(nvmem_root, "0-00500", &bus,
					     &addr), 0);
	assert_int_equal(bus, 0);
	assert_int_equal(addr, 0x50);
	assert_int_equal(i2c_client_of_nvmem(nvmem_root, "rmem0", &bus, &addr),
			 -ENOENT);
	/* Gone (a remove event): nothing to resolve. */
	assert_int_equal(i2c_client_of_nvmem(nvmem_root, "1-00500", &bus,
					     &addr), -ENOENT);
}

static void test_adapter_find(void **state)
{
	assert_int_equal(i2c_adapter_find(i2c_root, 3, NULL, NULL), 3);
	assert_int_equal(i2c_adapter_find(i2c_root, 7, NULL, NULL), -ENOENT);
	/* The lowest of those whose name matches. */
	assert_int_equal(i2c_adapter_find(i2c_root, -1, "CP2112*", NULL), 3);
	assert_int_equal(i2c_adapter_find(i2c_root, -1, "SoC*", NULL), 0);
	assert_int_equal(i2c_adapter_find(i2c_root, -1, "nope*", NULL),
			 -ENOENT);
	/* The USB device's serial, else the HID device's uniq. */
	assert_int_equal(i2c_adapter_find(i2c_root, -1, NULL, "S1"), 3);
	assert_int_equal(i2c_adapter_find(i2c_root, -1, NULL, "H2"), 4);
	assert_int_equal(i2c_adapter_find(i2c_root, -1, NULL, "S2"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_lookup),
		cmocka_unit_test(test_client_of_nvmem),
		cmocka_unit_test(test_adapter_find),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
