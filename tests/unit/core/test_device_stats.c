// SPDX-License-Identifier: MIT
/* What a device's status file is made of: counters, errors, layout lines. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "memprov.h"
#include "registry_group.h"
#include "base/util.h"
#include "core/nvmem.h"

static struct nvmem_device *make_dev(size_t size, struct memprov **mp)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(size, 1, 64, 16, &info);
	struct nvmem_device *dev = nvmem_device_new("st", &memprov_ops, m, &info);

	assert_non_null(dev);
	*mp = m;
	return dev;
}

static void test_counts(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev(1000, &m);
	struct nvmem_device_stats st;
	uint8_t buf[1000];

	nvmem_device_get_stats(dev, &st);
	assert_string_equal(st.provider, "mem");
	assert_int_equal(st.reads + st.writes + st.errors + st.retries, 0);
	assert_int_equal(st.last_error, 0);
	/* One request however many chunks (64 bytes each) it takes. */
	assert_int_equal(nvmem_device_read(dev, 0, buf, 1000), 1000);
	/* At the end: nothing reached the device. */
	assert_int_equal(nvmem_device_read(dev, 1000, buf, 10), 0);
	assert_int_equal(nvmem_device_write(dev, 10, buf, 40), 40);
	/* Refused before the device: no request, no error. */
	nvmem_device_set_read_only(dev, true);
	assert_int_equal(nvmem_device_write(dev, 0, buf, 1), -EROFS);
	nvmem_device_get_stats(dev, &st);
	assert_int_equal(st.reads, 1);
	assert_int_equal(st.read_bytes, 1000);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.write_bytes, 40);
	assert_int_equal(st.errors, 0);
	nvmem_device_put(dev);
}

static void test_errors(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev(256, &m);
	struct nvmem_device_stats st;
	uint64_t before = util_realtime_ns() / 1000000000u * 1000000000u;
	uint8_t buf[16];

	m->fail_with = EIO;
	assert_int_equal(nvmem_device_read(dev, 0, buf, sizeof(buf)), -EIO);
	m->fail_with = ETIMEDOUT;
	assert_int_equal(nvmem_device_read(dev, 0, buf, sizeof(buf)), -ETIMEDOUT);
	m->fail_with = 0;
	nvmem_device_get_stats(dev, &st);
	assert_int_equal(st.reads, 2);
	assert_int_equal(st.read_bytes, 0);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.last_error, ETIMEDOUT);
	assert_true(st.last_error_ns >= before);
	assert_true(st.last_error_ns <= util_realtime_ns());
	nvmem_device_put(dev);
}

static void test_cache(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev(8192, &m);
	struct nvmem_device_stats st;
	uint8_t buf[16];

	assert_int_equal(nvmem_device_set_cache(dev, true), 0);
	assert_int_equal(nvmem_device_read(dev, 100, buf, sizeof(buf)), 16);
	assert_int_equal(nvmem_device_read(dev, 100, buf, sizeof(buf)), 16);
	assert_int_equal(nvmem_device_read(dev, 104, buf, 4), 4);
	nvmem_device_get_stats(dev, &st);
	assert_int_equal(st.reads, 3);
	assert_int_equal(st.cache_misses, 1);
	assert_int_equal(st.cache_hits, 2);
	nvmem_device_put(dev);
}

static void test_layout_status(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev(16, &m);
	char buf[NVMEM_LAYOUT_STATUS_MAX], longer[2 * NVMEM_LAYOUT_STATUS_MAX];

	assert_int_equal(nvmem_device_layout_status(dev, buf, sizeof(buf)), 0);
	nvmem_device_set_layout_status(dev, "layout: %s\nlayout-state: applied\n",
				       "u-boot-env");
	assert_int_equal(nvmem_device_layout_status(dev, buf, sizeof(buf)),
			 strlen("layout: u-boot-env\nlayout-state: applied\n"));
	assert_string_equal(buf, "layout: u-boot-env\nlayout-state: applied\n");
	/* A reason too long to fit is cut at the last whole line. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	nvmem_device_set_layout_status(dev, "layout: onie-tlv\nlayout-state: not applied: %s\n",
				       longer);
	nvmem_device_layout_status(dev, buf, sizeof(buf));
	assert_string_equal(buf, "layout: onie-tlv\n");
	/* A small buffer gets a terminated prefix. */
	assert_int_equal(nvmem_device_layout_status(dev, buf, 4), 3);
	assert_string_equal(buf, "lay");
	nvmem_device_put(dev);
}

static void test_iso_time(void **state)
{
	char buf[UTIL_ISO_TIME_MAX];

	assert_string_equal(util_iso_time(0, buf), "1970-01-01T00:00:00Z");
	assert_string_equal(util_iso_time(1777896000ull * 1000000000u + 999, buf),
			    "2026-05-04T12:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_layout_status),
		cmocka_unit_test(test_iso_time),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
