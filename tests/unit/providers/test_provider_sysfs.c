// SPDX-License-Identifier: MIT
/*
 * The sysfs provider on a directory tree shaped like
 * /sys/bus/nvmem/devices/NAME/{nvmem,type,force_ro,cells/}. (These test
 * machines have no kernel nvmem device to try it on.)
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "core/nvmem.h"
#include "providers/sysfs.h"

static char root[64];

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	char path[256];
	uint8_t img[1000];

	strcpy(root, "/tmp/nvmemfs-sysfs-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	for (int i = 0; i < 1000; i++)
		img[i] = i * 7;
	snprintf(path, sizeof(path), "%s/0-00500", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/0-00500/cells", root);
	mkdir(path, 0755);
	put("0-00500/nvmem", img, sizeof(img));
	put("0-00500/type", "EEPROM\n", 7);
	put("0-00500/cells/mac-address@fa", "\x02\x00\x5e\x01\x02\x03", 6);
	put("0-00500/cells/rev@10,4", "\x0a", 1);
	put("0-00500/cells/garbage", "x", 1);
	snprintf(path, sizeof(path), "%s/otp0", root);
	mkdir(path, 0755);
	put("otp0/nvmem", img, 64);
	put("otp0/type", "OTP\n", 4);
	put("otp0/force_ro", "1\n", 2);
	/* A device the kernel lets nothing write: no write bits. */
	snprintf(path, sizeof(path), "%s/rom0", root);
	mkdir(path, 0755);
	put("rom0/nvmem", img, 32);
	snprintf(path, sizeof(path), "%s/rom0/nvmem", root);
	chmod(path, 0444);
	/* The kernel's at24 makes its attribute 0600 root. */
	snprintf(path, sizeof(path), "%s/0-00500/nvmem", root);
	chmod(path, 0600);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void test_open_read_write(void **state)
{
	struct nvmem_provider_info info;
	struct nvmem_device *dev;
	uint8_t buf[100], b = 0x55;
	void *priv;

	assert_int_equal(sysfs_provider_open(root, "0-00500", false, &priv, &info), 0);
	assert_int_equal(info.size, 1000);
	assert_int_equal(info.type, NVMEM_TYPE_EEPROM);
	assert_false(info.read_only);
	assert_false(info.immutable);
	assert_int_equal(info.perm.mode, 0600);
	dev = nvmem_device_new("0-00500", &sysfs_provider_ops, priv, &info);
	assert_int_equal(nvmem_device_perm(dev).mode, 0600);
	assert_int_equal(nvmem_device_read(dev, 990, buf, sizeof(buf)), 10);
	assert_int_equal(buf[9], (uint8_t)(999 * 7));
	assert_int_equal(nvmem_device_write(dev, 5, &b, 1), 1);
	assert_int_equal(nvmem_device_read(dev, 5, buf, 1), 1);
	assert_int_equal(buf[0], 0x55);
	nvmem_device_put(dev);

	assert_int_equal(sysfs_provider_open(root, "otp0", false, &priv, &info), 0);
	assert_true(info.read_only);		/* force_ro */
	/* which root can clear again, and write: not unchangeable */
	assert_false(info.immutable);
	assert_int_equal(info.type, NVMEM_TYPE_OTP);
	sysfs_provider_ops.destroy(priv);
	assert_int_equal(sysfs_provider_open(root, "rom0", false, &priv, &info), 0);
	assert_true(info.immutable);
	assert_true(info.read_only);
	/* The attribute's own mode and owner: what the mount shows. */
	assert_int_equal(info.perm.mode, 0444);
	assert_int_equal(info.perm.uid, getuid());
	assert_int_equal(info.perm.gid, getgid());
	sysfs_provider_ops.destroy(priv);
	assert_int_equal(sysfs_provider_open(root, "0-00500", true, &priv, &info), 0);
	assert_true(info.read_only);
	sysfs_provider_ops.destroy(priv);
	assert_int_equal(sysfs_provider_open(root, "nope", false, &priv, &info), -ENOENT);
}

static void test_cells(void **state)
{
	struct nvmem_provider_info info;
	struct nvmem_device *dev;
	struct nvmem_cell *cells;
	const char *log;
	char text[32], cmd[200];
	void *priv;
	size_t n, i;
	ssize_t idx;

	capture_start();
	assert_int_equal(sysfs_provider_cells(root, "0-00500", 0, &cells, &n), 0);
	log = capture_end();
	assert_non_null(strstr(log, "kernel cell file 'garbage' not understood"));
	assert_int_equal(n, 2);
	assert_int_equal(sysfs_provider_open(root, "0-00500", false, &priv, &info), 0);
	dev = nvmem_device_new("k", &sysfs_provider_ops, priv, &info);
	for (i = 0; i < n; i++) {
		if (!strcmp(cells[i].name, "rev")) {
			assert_int_equal(cells[i].offset, 0x10);
			assert_int_equal(cells[i].bit_offset, 4);
		} else {
			assert_string_equal(cells[i].name, "mac-address");
			assert_int_equal(cells[i].offset, 0xfa);
		}
		assert_int_equal(nvmem_device_add_cell(dev, &cells[i]), 0);
		cells[i].priv = NULL;	/* the device has it */
	}
	sysfs_provider_cells_free(cells, n);
	idx = nvmem_device_find_cell(dev, "mac-address");
	assert_true(idx >= 0);
	/* the kernel's cell file is what a read returns */
	assert_int_equal(cell_read_raw(dev, nvmem_device_cell(dev, idx),
				       (uint8_t *)text, sizeof(text)), 6);
	assert_memory_equal(text, "\x02\x00\x5e\x01\x02\x03", 6);
	assert_int_equal(cell_write_text(dev, nvmem_device_cell(dev, idx), "x", 1), -EROFS);

	/* The kernel removes the device and a new one takes its name before
	 * the remove event is handled: the old device's cell must answer
	 * ENODEV, not the new device's bytes. */
	snprintf(cmd, sizeof(cmd), "rm -r %s/0-00500 && mkdir -p %s/0-00500/cells",
		 root, root);
	assert_int_equal(system(cmd), 0);
	put("0-00500/cells/mac-address@fa", "\x0e\x0e\x0e\x0e\x0e\x0e", 6);
	assert_int_equal(cell_read_raw(dev, nvmem_device_cell(dev, idx),
				       (uint8_t *)text, sizeof(text)), -ENODEV);
	nvmem_device_put(dev);

	/* a device without cells/ (before Linux 6.7) has none */
	assert_int_equal(sysfs_provider_cells(root, "otp0", 0, &cells, &n), 0);
	assert_int_equal(n, 0);
	sysfs_provider_cells_free(cells, n);
}

/* The kernel adds cells/ a moment after it announces the device. */
static void *late_cells(void *arg)
{
	char tmp[256], dir[256];

	usleep(30 * 1000);
	/* All at once, as the kernel's group appears. */
	snprintf(tmp, sizeof(tmp), "%s/otp0/cells.new", root);
	snprintf(dir, sizeof(dir), "%s/otp0/cells", root);
	mkdir(tmp, 0755);
	put("otp0/cells.new/serial@4", "abcd", 4);
	rename(tmp, dir);
	return arg;
}

static void test_cells_late(void **state)
{
	struct nvmem_cell *cells;
	char cmd[200];
	pthread_t t;
	size_t n;

	/* found by a scan: what is there is all there is */
	assert_int_equal(sysfs_provider_cells(root, "otp0", 0, &cells, &n), 0);
	assert_int_equal(n, 0);
	sysfs_provider_cells_free(cells, n);

	/* just announced: cells/ is waited for */
	assert_int_equal(pthread_create(&t, NULL, late_cells, NULL), 0);
	assert_int_equal(sysfs_provider_cells(root, "otp0", 5000, &cells, &n), 0);
	pthread_join(t, NULL);
	assert_int_equal(n, 1);
	assert_string_equal(cells[0].name, "serial");
	assert_int_equal(cells[0].offset, 4);
	sysfs_provider_cells_free(cells, n);

	/* a device that never gets cells: none, after the wait */
	snprintf(cmd, sizeof(cmd), "rm -r %s/otp0/cells", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(sysfs_provider_cells(root, "otp0", 50, &cells, &n), 0);
	assert_int_equal(n, 0);
	sysfs_provider_cells_free(cells, n);
}

static void test_cell_names(void **state)
{
	static const char *const bad[] = {
		"@10", "x", "x@", "x@ 1", "x@-1", "x@+1", "x@0x10", "x@1g",
		"x@1,", "x@1,8", "x@1,44", "x@1, 4", "x@,1",
		"x@10000000000000000",	/* 65 bits */
	};
	unsigned int bit;
	char name[8];
	uint64_t off;
	size_t i;

	/* What the kernel prints: "%s@%x,%x", and before that "%s@%x". */
	assert_int_equal(sysfs_cell_name_parse("mac@fa,0", name, sizeof(name),
					       &off, &bit), 0);
	assert_string_equal(name, "mac");
	assert_int_equal(off, 0xfa);
	assert_int_equal(bit, 0);
	assert_int_equal(sysfs_cell_name_parse("rev@FFffFFffFFffFFff,7", name,
					       sizeof(name), &off, &bit), 0);
	assert_true(off == UINT64_MAX);
	assert_int_equal(bit, 7);
	/* A cell name may hold '@'; the last one starts the offset. */
	assert_int_equal(sysfs_cell_name_parse("a@b@1c", name, sizeof(name),
					       &off, &bit), 0);
	assert_string_equal(name, "a@b");
	assert_int_equal(off, 0x1c);
	/* A name longer than the buffer is refused, not cut. */
	assert_int_equal(sysfs_cell_name_parse("12345678@0", name, sizeof(name),
					       &off, &bit), -EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sysfs_cell_name_parse(bad[i], name, sizeof(name), &off, &bit) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_read_write),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_cells_late),
		cmocka_unit_test(test_cell_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
