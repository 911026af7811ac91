// SPDX-License-Identifier: MIT
/*
 * The keys wp-gpio and wp-gpio-active: what they accept, every mistake
 * with its FILE:LINE: [SECTION] KEY message, and a device built from
 * them by the factory on an emulated chip, whose WP input the line
 * drives.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_load.h"
#include "core/nvmem.h"
#include "daemon/config.h"
#include "daemon/factory.h"
#include "emul/i2c_emul.h"
#include "providers/i2c.h"

#define AT24_HEAD "[device e]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\n"

static void test_keys(void **state)
{
	struct config *cfg;
	const struct config_device *d;

	cfg = load_ok(AT24_HEAD "wp-gpio = cp2112_gpio   3\n");
	d = config_find_device(cfg, "e");
	assert_string_equal(d->wp_gpio, "cp2112_gpio");
	assert_string_equal(d->wp_gpio_line, "3");
	assert_false(d->wp_gpio_active_low);
	config_free(cfg);

	cfg = load_ok(AT24_HEAD "wp-gpio = /dev/gpiochip2 EEPROM_WP\nwp-gpio-active = low\n");
	d = config_find_device(cfg, "e");
	assert_string_equal(d->wp_gpio, "/dev/gpiochip2");
	assert_string_equal(d->wp_gpio_line, "EEPROM_WP");
	assert_true(d->wp_gpio_active_low);
	config_free(cfg);

	cfg = load_ok(AT24_HEAD "wp-gpio = gpiochip0 7\nwp-gpio-active = high\n");
	d = config_find_device(cfg, "e");
	assert_false(d->wp_gpio_active_low);
	config_free(cfg);

	cfg = load_ok(AT24_HEAD);
	assert_null(config_find_device(cfg, "e")->wp_gpio);
	config_free(cfg);
}

static void test_mistakes(void **state)
{
	load_bad(AT24_HEAD "wp-gpio = gpiochip0\n",
		 "t.conf:6: [device e] wp-gpio: 'gpiochip0' is not CHIP LINE");
	load_bad(AT24_HEAD "wp-gpio = gpiochip0 1 2\n",
		 "t.conf:6: [device e] wp-gpio: 'gpiochip0 1 2' is not CHIP LINE");
	load_bad(AT24_HEAD "wp-gpio-active = low\n",
		 "t.conf:6: [device e] wp-gpio-active: only valid with wp-gpio");
	load_bad(AT24_HEAD "wp-gpio = gpiochip0 1\nwp-gpio-active = inverted\n",
		 "t.conf:7: [device e] wp-gpio-active: 'inverted' is neither high nor low");
	load_bad("[device f]\nprovider = file\npath = /tmp/x\nwp-gpio = gpiochip0 1\n",
		 "t.conf:4: [device f] wp-gpio: not valid for provider file");
	load_bad("[device s]\nprovider = sysfs\nname = 0-00500\nwp-gpio-active = low\n",
		 "t.conf:4: [device s] wp-gpio-active: not valid for provider sysfs");
}

/* emulate = IMAGE with wp-gpio: the line is the emulated chip's WP
 * input, and writes through the device land while the chip is
 * protected between them. */
static void test_factory_emulated(void **state)
{
	char image[] = "/tmp/nvmemfs-wpgpio-XXXXXX", text[512];
	struct factory_emul emul = { 0 };
	struct i2c_emul_stats st;
	struct nvmem_device *dev;
	struct config *cfg;
	uint8_t buf[256], d[40], b = 0x11;
	dev_t rdev;
	int fd, i;

	fd = mkstemp(image);
	assert_true(fd >= 0);
	for (i = 0; i < 256; i++)
		buf[i] = i;
	assert_int_equal(write(fd, buf, 256), 256);
	close(fd);
	snprintf(text, sizeof(text),
		 "[device e]\nprovider = at24\nemulate = %s\naddress = 0x50\n"
		 "chip = 24c02\nwp-gpio = emulated 0\n"
		 /* the 25 ms bound on a 5 ms write cycle, measured after
		  * a sleeping poll, is not the point here: a loaded
		  * machine may pass it */
		 "write-timeout = 500\n", image);
	cfg = load_ok(text);
	assert_int_equal(factory_build(cfg, config_find_device(cfg, "e"), &emul,
				       -1, &dev, &rdev), 0);
	for (i = 0; i < 40; i++)
		d[i] = 0xc0 + i;
	assert_int_equal(nvmem_device_write(dev, 3, d, sizeof(d)), sizeof(d));
	assert_int_equal(nvmem_device_read(dev, 0, buf, 256), 256);
	assert_memory_equal(buf + 3, d, sizeof(d));
	assert_int_equal(buf[50], 50);
	/* Between writes the chip ignores anything else on its bus. */
	i2c_emul_stats(emul.emul, &st);
	assert_int_equal(st.wp_ignored, 0);
	{
		uint8_t msgbuf[2] = { 100, b };
		struct i2c_msg msg = { .addr = 0x50, .len = 2, .buf = msgbuf };

		usleep(10000);	/* the last write cycle (5 ms) */
		i2c_adapter_lock(emul.ad);
		assert_int_equal(i2c_adapter_transfer(emul.ad, &msg, 1), 0);
		i2c_adapter_unlock(emul.ad);
	}
	i2c_emul_stats(emul.emul, &st);
	assert_int_equal(st.wp_ignored, 1);
	assert_int_equal(nvmem_device_read(dev, 100, buf, 1), 1);
	assert_int_equal(buf[0], 100);
	nvmem_device_put(dev);
	nvmem_device_drain_gone();
	factory_emul_free(&emul);
	config_free(cfg);
	unlink(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_factory_emulated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
