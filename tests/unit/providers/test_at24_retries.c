// SPDX-License-Identifier: MIT
/*
 * at24's retry count, as <device>/status shows it: every transfer tried
 * again after a NACK or a bus timeout, and not the polls that wait for
 * a write cycle's end; a request that fails after its retries is one
 * error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "providers/at24.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "core/nvmem.h"

static void test_retries(void **state)
{
	const struct at24_chip *chip = at24_chip_find("24c02");
	struct at24_params p = { .chip = chip, .address = 0x50,
				 .write_timeout_ms = 25, .bus_timeout_ms = 50 };
	struct nvmem_provider_info info;
	struct nvmem_device_stats st;
	struct nvmem_device *dev;
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	uint8_t image[256] = { 0 }, buf[32];
	void *priv;

	ad = i2c_emul_new(400000, false, &emul);
	assert_non_null(ad);
	/* A 500 us write cycle: every page write is polled for a while. */
	assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, image, 500), 0);
	assert_int_equal(at24_provider_open(&p, ad, &priv, &info), 0);
	dev = nvmem_device_new("retry", &at24_provider_ops, priv, &info);
	assert_non_null(dev);

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(nvmem_device_write(dev, 0, buf, sizeof(buf)), 32);
	nvmem_device_get_stats(dev, &st);
	assert_string_equal(st.provider, "at24");
	assert_int_equal(st.retries, 0);	/* write-cycle polls are not */

	i2c_emul_nack_next(emul, 3);
	assert_int_equal(nvmem_device_read(dev, 0, buf, 16), 16);
	nvmem_device_get_stats(dev, &st);
	assert_int_equal(st.retries, 3);
	assert_int_equal(st.errors, 0);

	i2c_emul_timeout_next(emul, 1000000);
	assert_int_equal(nvmem_device_read(dev, 0, buf, 16), -EIO);
	i2c_emul_timeout_next(emul, 0);
	nvmem_device_get_stats(dev, &st);
	assert_true(st.retries > 3);
	assert_int_equal(st.errors, 1);
	assert_int_equal(st.last_error, EIO);

	nvmem_device_put(dev);
	i2c_adapter_put(ad);
	nvmem_device_drain_gone();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
