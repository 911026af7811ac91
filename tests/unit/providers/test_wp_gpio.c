// SPDX-License-Identifier: MIT
/*
 * Write-protect lines (providers/wp_gpio.h) with the at24 provider, on
 * the emulated bus whose chip has a WP input that ignores writes while
 * high, as an AT24 does. A line here is either the emulator's own
 * (i2c_emul_wp_gpio) or a recording one that drives the same input and
 * notes, at every level change, how far the bus had got: that is how the
 * order (released before the data, asserted after the write cycle's
 * poll ACKed) is checked, transfer by transfer. The real GPIO character
 * device is driven in the kernel scenario "wp" (tests/kernel/).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "providers/at24.h"
#include "providers/i2c.h"
#include "providers/wp_gpio.h"
#include "emul/i2c_emul.h"
#include "core/nvmem.h"

#define MAX_EVENTS	4096

/* A line wired to the emulated chip's WP input, through an inverter
 * with @invert (a board whose WP is active low). */
struct rec_line {
	struct i2c_emul *emul;
	struct i2c_adapter *ad;	/* gone with it */
	bool invert;
	unsigned int fail_from;	/* the Nth set on fails ... */
	unsigned int fail_times;	/* ... this often (0: never) */
	int fail_err;
	unsigned int nsets;
	struct {
		bool level;
		int ret;
		uint64_t data_bytes, polls, transfers;
	} ev[MAX_EVENTS];
	size_t nev;
	bool closed;
};

static int rec_set(void *priv, bool level)
{
	struct rec_line *l = priv;
	struct i2c_emul_stats st;
	int ret = 0;

	l->nsets++;
	if (l->ad && i2c_adapter_gone(l->ad)) {
		ret = -ENODEV;
	} else if (l->fail_times && l->nsets >= l->fail_from) {
		l->fail_times--;
		ret = l->fail_err;
	} else {
		i2c_emul_set_wp(l->emul, 0, level != l->invert);
	}
	i2c_emul_stats(l->emul, &st);
	if (l->nev < MAX_EVENTS) {
		l->ev[l->nev].level = level;
		l->ev[l->nev].ret = ret;
		l->ev[l->nev].data_bytes = st.data_bytes;
		l->ev[l->nev].polls = st.polls_acked;
		l->ev[l->nev].transfers = st.transfers;
		l->nev++;
	}
	return ret;
}

static void rec_close(void *priv)
{
	((struct rec_line *)priv)->closed = true;	/* the test owns it */
}

static const struct wp_gpio_ops rec_ops = { .set = rec_set, .close = rec_close };

struct rig {
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	struct nvmem_device *dev;
	uint8_t *image;
	size_t size;
};

/* The line: @rec's, or with @line the emulator's own, or none. */
static void rig_up(struct rig *r, const char *chip_name, bool line,
		   struct rec_line *rec, bool active_low)
{
	struct wp_gpio *wp = NULL;
	const struct at24_chip *chip = at24_chip_find(chip_name);
	struct at24_params p = { .chip = chip, .address = 0x50,
				 .write_timeout_ms = 25 };
	struct nvmem_provider_info info;
	void *priv;
	size_t i;

	r->size = chip->size;
	r->image = malloc(r->size);
	for (i = 0; i < r->size; i++)
		r->image[i] = rand();
	r->ad = i2c_emul_new(400000, false, &r->emul);
	assert_non_null(r->ad);
	assert_int_equal(i2c_emul_add_chip(r->emul, chip, 0x50, r->image, 500), 0);
	if (rec) {
		rec->emul = r->emul;
		rec->ad = r->ad;
		assert_int_equal(wp_gpio_new(&rec_ops, rec, active_low, &wp), 0);
	} else if (line) {
		assert_int_equal(i2c_emul_wp_gpio(r->emul, 0, active_low, &wp), 0);
	}
	p.wp = wp;
	assert_int_equal(at24_provider_open(&p, r->ad, &priv, &info), 0);
	r->dev = nvmem_device_new(chip_name, &at24_provider_ops, priv, &info);
	assert_non_null(r->dev);
}

static void rig_down(struct rig *r)
{
	nvmem_device_put(r->dev);
	i2c_adapter_put(r->ad);
	nvmem_device_drain_gone();
	free(r->image);
}

static void check_image(struct rig *r)
{
	uint8_t *img = malloc(r->size);

	assert_int_equal(i2c_emul_image(r->emul, 0, img, r->size), 0);
	assert_memory_equal(img, r->image, r->size);
	free(img);
}

/* A page write straight on the bus, as another program on the same
 * adapter might do: 0 when the chip took it. */
static int bypass_write(struct rig *r, uint16_t word, uint8_t byte)
{
	uint8_t buf[3] = { word >> 8, word, byte };
	struct i2c_msg msg = { .addr = 0x50, .len = 3, .buf = buf };
	int ret;

	i2c_adapter_lock(r->ad);
	ret = i2c_adapter_transfer(r->ad, &msg, 1);
	i2c_adapter_unlock(r->ad);
	return ret;
}

static void fill(uint8_t *d, size_t n)
{
	while (n--)
		d[n] = rand();
}

/* The emulated chip does ignore writes while WP is high: without that
 * every other test here would prove nothing. */
static void test_emul_wp_input(void **state)
{
	struct i2c_emul_stats st;
	struct rig r;
	uint8_t d[300];

	rig_up(&r, "24c512", false, NULL, false);	/* no line */
	fill(d, sizeof(d));
	/* WP low at power-on: writable. */
	assert_int_equal(bypass_write(&r, 10, 0x5a), 0);
	r.image[10] = 0x5a;
	check_image(&r);
	usleep(1000);		/* its write cycle */
	/* WP high: ACKed, not stored, also through the provider. */
	i2c_emul_set_wp(r.emul, 0, true);
	assert_int_equal(bypass_write(&r, 10, 0xa5), 0);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), sizeof(d));
	check_image(&r);
	i2c_emul_stats(r.emul, &st);
	assert_int_equal(st.wp_ignored, 1 + 3);	/* 3 pages */
	assert_int_equal(st.busy_writes, 0);
	rig_down(&r);
}

/* With the line wired: writes through the provider land, and between
 * them the chip is protected against anything else on the bus. */
static void test_writes_land(void **state)
{
	struct i2c_emul_stats st;
	struct rig r;
	uint8_t d[700];

	rig_up(&r, "24c512", true, NULL, false);
	fill(d, sizeof(d));
	assert_int_equal(nvmem_device_write(r.dev, 61, d, sizeof(d)), sizeof(d));
	memcpy(r.image + 61, d, sizeof(d));
	check_image(&r);
	i2c_emul_stats(r.emul, &st);
	assert_int_equal(st.wp_ignored, 0);
	assert_int_equal(st.busy_writes, 0);
	/* Idle again: protected. */
	assert_int_equal(bypass_write(&r, 100, r.image[100] ^ 0xff), 0);
	check_image(&r);
	i2c_emul_stats(r.emul, &st);
	assert_int_equal(st.wp_ignored, 1);
	/* A read-modify-write cell-sized write lands too. */
	assert_int_equal(nvmem_device_write(r.dev, 100, "\x01\x02", 2), 2);
	r.image[100] = 1;
	r.image[101] = 2;
	check_image(&r);
	rig_down(&r);
}

/*
 * The order on the wire: the line starts asserted; for every page it is
 * released before the page's data and asserted again only after the
 * poll that ended its write cycle ACKed; nothing is written while it is
 * asserted.
 */
static void test_order(void **state)
{
	static struct rec_line rec;
	struct rig r;
	uint8_t d[1000];
	size_t i, pages = 0;

	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	fill(d, sizeof(d));
	assert_int_equal(rec.nev, 1);
	assert_true(rec.ev[0].level);		/* requested asserted */
	assert_int_equal(nvmem_device_write(r.dev, 333, d, sizeof(d)), sizeof(d));
	memcpy(r.image + 333, d, sizeof(d));
	check_image(&r);
	/* 333..1333 in 128-byte pages: 9 of them. */
	assert_int_equal(rec.nev, 1 + 2 * 9);
	for (i = 1; i < rec.nev; i += 2) {
		assert_false(rec.ev[i].level);		/* released */
		assert_true(rec.ev[i + 1].level);	/* asserted again */
		assert_int_equal(rec.ev[i].ret, 0);
		/* the page's data went out while released ... */
		assert_true(rec.ev[i + 1].data_bytes > rec.ev[i].data_bytes);
		/* ... and the cycle's end was seen before asserting */
		assert_true(rec.ev[i + 1].polls > rec.ev[i].polls);
		/* nothing went out while asserted (before the first
		 * release: the provider's probe, a read) */
		if (i > 1)
			assert_int_equal(rec.ev[i].data_bytes,
					 rec.ev[i - 1].data_bytes);
		pages++;
	}
	assert_int_equal(pages, 9);
	rig_down(&r);
	assert_true(rec.closed);
}

/*
 * wp-gpio-active = low on a board with an inverter: the line is driven
 * low to protect. With the polarity wrong (no inverter), the chip is
 * writable while idle: a bypassing write lands.
 */
static void test_polarity(void **state)
{
	static struct rec_line rec;
	struct rig r;
	uint8_t d[200];
	size_t i;

	memset(&rec, 0, sizeof(rec));
	rec.invert = true;
	rig_up(&r, "24c512", false, &rec, true);
	assert_false(rec.ev[0].level);		/* asserted = low */
	fill(d, sizeof(d));
	assert_int_equal(nvmem_device_write(r.dev, 5, d, sizeof(d)), sizeof(d));
	memcpy(r.image + 5, d, sizeof(d));
	check_image(&r);
	for (i = 1; i < rec.nev; i++)
		assert_int_equal(rec.ev[i].level, i % 2);	/* high to write */
	assert_false(rec.ev[rec.nev - 1].level);
	assert_int_equal(bypass_write(&r, 7, r.image[7] ^ 0xff), 0);
	check_image(&r);
	rig_down(&r);

	/* The same board configured active high: protected while writing,
	 * open while idle. */
	memset(&rec, 0, sizeof(rec));
	rec.invert = true;
	rig_up(&r, "24c512", false, &rec, false);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, 100), 100);
	assert_int_equal(bypass_write(&r, 300, 0x42), 0);
	r.image[300] = 0x42;		/* landed: nothing protected it */
	check_image(&r);	/* and the provider's own write was ignored */
	rig_down(&r);
}

/*
 * The bus (and the bridge's GPIOs with it) goes in the middle of a
 * page: the write fails with ENODEV, the device is reported gone, the
 * provider still tries to assert the line after the failure, and the
 * line is closed with the provider.
 */
static void test_gone_mid_write(void **state)
{
	static struct rec_line rec;
	struct rig r;
	uint8_t d[1000];

	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	fill(d, sizeof(d));
	i2c_emul_unplug_after(r.emul, 300);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), -ENODEV);
	assert_false(nvmem_device_alive(r.dev));
	/* released for the page that was cut, then an attempt to assert */
	assert_false(rec.ev[rec.nev - 2].level);
	assert_true(rec.ev[rec.nev - 1].level);
	assert_true(rec.ev[rec.nev - 1].data_bytes >= 300);
	assert_false(rec.closed);
	rig_down(&r);
	assert_true(rec.closed);

	/* The bus gone before the write, the line (on a GPIO chip of its
	 * own) still there: released, then asserted again. */
	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	rec.ad = NULL;
	i2c_emul_unplug_after(r.emul, 0);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, 10), -ENODEV);
	assert_true(rec.ev[rec.nev - 1].level);
	assert_int_equal(rec.ev[rec.nev - 1].ret, 0);
	rig_down(&r);

	/* The emulator's own line: its chip's GPIOs go with the bus. */
	rig_up(&r, "24c512", true, NULL, false);
	i2c_emul_unplug_after(r.emul, 130);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), -ENODEV);
	assert_false(nvmem_device_alive(r.dev));
	rig_down(&r);
}

/*
 * The GPIO chip goes while the bus stays (a line on another chip): the
 * write fails with ENODEV before any byte is on the wire. A line that
 * fails for a moment is tried again; one that keeps failing gives EIO,
 * and nothing is written unprotected by mistake.
 */
static void test_line_failures(void **state)
{
	static struct rec_line rec;
	struct i2c_emul_stats before, after;
	struct rig r;
	uint8_t d[50];

	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	fill(d, sizeof(d));
	rec.fail_from = rec.nsets + 1;
	rec.fail_times = 1000;
	rec.fail_err = -ENODEV;
	i2c_emul_stats(r.emul, &before);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), -ENODEV);
	i2c_emul_stats(r.emul, &after);
	assert_int_equal(after.data_bytes, before.data_bytes);
	assert_false(nvmem_device_alive(r.dev));
	check_image(&r);
	rig_down(&r);

	/* one failure: ridden over */
	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	rec.fail_from = rec.nsets + 1;
	rec.fail_times = 1;
	rec.fail_err = -EIO;
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), sizeof(d));
	memcpy(r.image, d, sizeof(d));
	check_image(&r);
	assert_true(nvmem_device_alive(r.dev));
	rig_down(&r);

	/* lasting failure to release: EIO, nothing on the wire */
	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	rec.fail_from = rec.nsets + 1;
	rec.fail_times = 1000;
	rec.fail_err = -EIO;
	i2c_emul_stats(r.emul, &before);
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), -EIO);
	i2c_emul_stats(r.emul, &after);
	assert_int_equal(after.data_bytes, before.data_bytes);
	assert_true(nvmem_device_alive(r.dev));
	check_image(&r);
	rig_down(&r);

	/* lasting failure to assert again: the bytes landed, but the
	 * writer hears EIO (the chip may be left writable) */
	memset(&rec, 0, sizeof(rec));
	rig_up(&r, "24c512", false, &rec, false);
	rec.fail_from = rec.nsets + 2;
	rec.fail_times = 1000;
	rec.fail_err = -EIO;
	assert_int_equal(nvmem_device_write(r.dev, 0, d, sizeof(d)), -EIO);
	rig_down(&r);
}

/* Writers nest: the line is asserted again after the last one only. */
static void test_nesting(void **state)
{
	static struct rec_line rec;
	struct i2c_emul *emul;
	struct i2c_adapter *ad = i2c_emul_new(400000, false, &emul);
	struct wp_gpio *wp;

	memset(&rec, 0, sizeof(rec));
	rec.emul = emul;
	assert_int_equal(wp_gpio_new(&rec_ops, &rec, false, &wp), 0);
	assert_true(wp_gpio_asserted(wp));
	assert_int_equal(wp_gpio_unprotect(wp), 0);
	assert_int_equal(wp_gpio_unprotect(wp), 0);
	assert_false(wp_gpio_asserted(wp));
	assert_int_equal(wp_gpio_protect(wp), 0);
	assert_false(wp_gpio_asserted(wp));
	assert_int_equal(wp_gpio_protect(wp), 0);
	assert_true(wp_gpio_asserted(wp));
	assert_int_equal(rec.nev, 3);
	wp_gpio_close(wp);
	assert_true(rec.closed);
	i2c_adapter_put(ad);
}

/* The GPIO character device: what a wrong wp-gpio says (this machine
 * may have no GPIO chip at all; the kernel scenario has a real one). */
static void test_open_errors(void **state)
{
	struct wp_gpio_params p = { .chip = "no-such-gpio-label", .line = "0",
				    .i2c_bus = -1 };
	struct wp_gpio *wp;
	char why[300] = "";

	assert_int_equal(wp_gpio_open(&p, &wp, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "no GPIO chip 'no-such-gpio-label'"));
	p.chip = "gpiochip999";
	why[0] = '\0';
	assert_int_equal(wp_gpio_open(&p, &wp, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "gpiochip999"));
	p.chip = "/dev/null";
	why[0] = '\0';
	assert_true(wp_gpio_open(&p, &wp, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "/dev/null"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emul_wp_input),
		cmocka_unit_test(test_writes_land),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_polarity),
		cmocka_unit_test(test_gone_mid_write),
		cmocka_unit_test(test_line_failures),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_open_errors),
	};

	srand(4711);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
