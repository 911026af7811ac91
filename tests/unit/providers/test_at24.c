// SPDX-License-Identifier: MIT
/*
 * The at24 provider on the emulated bus, through the device core: every
 * chip class, page-wise writes with write-cycle polling, faults, unplug
 * at a chosen byte, cancellation, one transaction at a time per bus.
 * Assertions are on bytes and on the emulator's counters; where the rule
 * is a bound in time (a stalled bus, an unplug during one, a cancel),
 * the time is measured and bounded generously, never slept and hoped.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "providers/at24.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "core/nvmem.h"

struct rig {
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	struct nvmem_device *dev;
	void *priv;
	uint8_t *image;
	size_t size;
};

/* @bus_timeout_ms 0: the default. */
static void rig_up_bus(struct rig *r, const char *chip_name, uint16_t addr,
		       bool sleep, unsigned int wtimeout_ms,
		       unsigned int bus_timeout_ms)
{
	const struct at24_chip *chip = at24_chip_find(chip_name);
	struct at24_params p = { .chip = chip, .address = addr,
				 .write_timeout_ms = wtimeout_ms,
				 .bus_timeout_ms = bus_timeout_ms };
	struct nvmem_provider_info info;
	size_t i;

	assert_non_null(chip);
	r->size = chip->size;
	r->image = malloc(r->size);
	for (i = 0; i < r->size; i++)
		r->image[i] = rand();
	r->ad = i2c_emul_new(400000, sleep, &r->emul);
	assert_non_null(r->ad);
	assert_int_equal(i2c_emul_add_chip(r->emul, chip, addr, r->image, 500), 0);
	assert_int_equal(at24_provider_open(&p, r->ad, &r->priv, &info), 0);
	assert_int_equal(info.size, chip->size);
	assert_int_equal(info.write_chunk, chip->page_size);
	assert_int_equal(info.read_only, chip->read_only);
	r->dev = nvmem_device_new(chip_name, &at24_provider_ops, r->priv, &info);
	assert_non_null(r->dev);
}

static void rig_up(struct rig *r, const char *chip_name, uint16_t addr,
		   bool sleep, unsigned int wtimeout_ms)
{
	rig_up_bus(r, chip_name, addr, sleep, wtimeout_ms, 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void rig_down(struct rig *r)
{
	nvmem_device_put(r->dev);
	i2c_adapter_put(r->ad);
	nvmem_device_drain_gone();
	free(r->image);
}

static void check_read(struct rig *r, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	size_t want = off >= r->size ? 0 : (len < r->size - off ? len : r->size - off);

	assert_int_equal(nvmem_device_read(r->dev, off, buf, len), want);
	if (want)
		assert_memory_equal(buf, r->image + off, want);
	free(buf);
}

static void test_chip_classes(void **state)
{
	static const char *const chips[] = {
		"24c02", "24c04", "24c16", "24c512", "24c1024", "24c1025",
		"24c2048", "24cs02", "24cs64", "24mac402", "24c00",
	};
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
		struct rig r;
		uint64_t offs[] = { 0, 1, 7, 8, 127, 128, 129, 255, 256, 257 };
		size_t k;

		rig_up(&r, chips[i], 0x50, false, 25);
		check_read(&r, 0, r.size);		/* whole chip */
		for (k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
			check_read(&r, offs[k], 1);
			check_read(&r, offs[k], 130);	/* crosses a chunk */
		}
		check_read(&r, r.size - 1, 10);		/* end of chip */
		check_read(&r, r.size, 10);
		if (r.size > 65536)
			check_read(&r, 65536 - 3, 10);	/* across addresses */
		rig_down(&r);
	}
}

static void test_writes(void **state)
{
	static const char *const chips[] = { "24c02", "24c16", "24c512", "24c1025" };
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
		struct i2c_emul_stats st;
		struct rig r;
		uint8_t data[700], *img;
		uint64_t off = chips[i][3] == '0' ? 3 : 61;	/* odd offsets */
		size_t len, k;

		rig_up(&r, chips[i], 0x50, false, 25);
		len = r.size < 1024 ? 100 : sizeof(data);
		if (r.size > 65536)
			off = 65536 - 300;	/* also across the address block */
		for (k = 0; k < len; k++)
			data[k] = rand();
		assert_int_equal(nvmem_device_write(r.dev, off, data, len), len);
		memcpy(r.image + off, data, len);
		img = malloc(r.size);
		assert_int_equal(i2c_emul_image(r.emul, 0, img, r.size), 0);
		assert_memory_equal(img, r.image, r.size);	/* byte for byte */
		free(img);
		i2c_emul_stats(r.emul, &st);
		assert_int_equal(st.busy_writes, 0);	/* never written while busy */
		assert_true(st.polls_acked > 0);	/* the cycle was polled */
		assert_true(st.nacks > 0);		/* ... and really ran */
		check_read(&r, 0, r.size);
		rig_down(&r);
	}
}

/*
 * A CP2112-like bridge: 512 bytes per read, 61 per write message, over
 * which the driver says EINVAL. Every page is written in parts that fit
 * and never across its boundary.
 */
static void test_bridge_limits(void **state)
{
	static const char *const chips[] = { "24c02", "24c512" };
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
		const struct at24_chip *chip = at24_chip_find(chips[i]);
		struct at24_params p = { .chip = chip, .address = 0x50,
					 .write_timeout_ms = 25 };
		struct nvmem_provider_info info;
		struct i2c_emul_stats st;
		uint8_t data[1000], *img;
		size_t k;
		struct rig r;

		r.size = chip->size;
		r.image = malloc(r.size);
		for (k = 0; k < r.size; k++)
			r.image[k] = rand();
		r.ad = i2c_emul_new(400000, false, &r.emul);
		assert_non_null(r.ad);
		i2c_emul_set_limits(r.emul, 512, 61);
		i2c_adapter_set_limits(r.ad, 512, 61);
		assert_int_equal(i2c_emul_add_chip(r.emul, chip, 0x50, r.image,
						   500), 0);
		assert_int_equal(at24_provider_open(&p, r.ad, &r.priv, &info), 0);
		assert_true(info.read_chunk <= 512);
		r.dev = nvmem_device_new(chips[i], &at24_provider_ops, r.priv,
					 &info);
		assert_non_null(r.dev);

		for (k = 0; k < sizeof(data); k++)
			data[k] = rand();
		k = r.size < sizeof(data) ? r.size - 7 : sizeof(data);
		assert_int_equal(nvmem_device_write(r.dev, 5, data, k), k);
		memcpy(r.image + 5, data, k);
		img = malloc(r.size);
		assert_int_equal(i2c_emul_image(r.emul, 0, img, r.size), 0);
		assert_memory_equal(img, r.image, r.size);
		free(img);
		i2c_emul_stats(r.emul, &st);
		assert_int_equal(st.busy_writes, 0);
		check_read(&r, 0, r.size);
		rig_down(&r);
	}
}

static void test_read_only_chips(void **state)
{
	struct rig r;
	uint8_t b = 0;

	rig_up(&r, "24mac402", 0x58, false, 25);
	assert_true(nvmem_device_read_only(r.dev));
	assert_int_equal(nvmem_device_write(r.dev, 0, &b, 1), -EROFS);
	check_read(&r, 0, 6);
	rig_down(&r);
}

static void test_faults(void **state)
{
	struct rig r;
	uint8_t buf[64];

	/* A short bus timeout: the timeout storm below must not take the
	 * default second (test_bus_stall_past_bound pins that one). */
	rig_up_bus(&r, "24c512", 0x50, false, 25, 100);
	/* a few NACKs are retried: right bytes */
	i2c_emul_nack_next(r.emul, 3);
	check_read(&r, 100, 64);
	/* a NACK storm: EIO after the bounded retries, buffer untouched */
	i2c_emul_nack_next(r.emul, 1000000);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(nvmem_device_read(r.dev, 0, buf, sizeof(buf)), -EIO);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x5a);
	i2c_emul_nack_next(r.emul, 0);
	i2c_emul_timeout_next(r.emul, 1000000);
	assert_int_equal(nvmem_device_read(r.dev, 0, buf, sizeof(buf)), -EIO);
	assert_int_equal(nvmem_device_write(r.dev, 0, buf, 4), -EIO);
	i2c_emul_timeout_next(r.emul, 0);
	check_read(&r, 0, 64);
	/* Whatever the adapter driver calls a failure (here EINVAL, from
	 * a message longer than it takes), the reader sees EIO. */
	i2c_emul_set_limits(r.emul, 16, 0);
	assert_int_equal(nvmem_device_read(r.dev, 0, buf, sizeof(buf)), -EIO);
	i2c_emul_set_limits(r.emul, 0, 0);
	check_read(&r, 0, 64);
	rig_down(&r);
}

/* Unplug after N bytes on the wire in the middle of a long read: ENODEV,
 * and nothing more goes over the wire afterwards. */
static void test_unplug_mid_read(void **state)
{
	struct i2c_emul_stats before, after;
	struct rig r;
	uint8_t *buf = malloc(8192);

	rig_up(&r, "24c512", 0x50, false, 25);
	i2c_emul_stats(r.emul, &before);
	i2c_emul_unplug_after(r.emul, 1000);
	assert_int_equal(nvmem_device_read(r.dev, 0, buf, 8192), -ENODEV);
	i2c_emul_stats(r.emul, &after);
	assert_int_equal(after.data_bytes - before.data_bytes, 1000);
	/* no retry storm against a gone adapter */
	assert_true(after.transfers - before.transfers <= 1000 / 128 + 2);
	assert_false(nvmem_device_alive(r.dev));	/* reported gone */
	free(buf);
	rig_down(&r);
}

struct canceller {
	void *priv;
	ssize_t ret;
	struct nvmem_device *dev;
};

static void *slow_read(void *arg)
{
	struct canceller *c = arg;
	uint8_t buf[16];

	c->ret = at24_provider_ops.read(c->priv, 0, buf, sizeof(buf));
	return NULL;
}

/* cancel() stops a call that would retry for 60 s. */
static void test_cancel(void **state)
{
	struct canceller c;
	struct rig r;
	pthread_t t;

	rig_up(&r, "24c02", 0x50, false, 60000);
	c.priv = r.priv;
	i2c_emul_nack_next(r.emul, 1000000000);
	pthread_create(&t, NULL, slow_read, &c);
	usleep(20000);
	at24_provider_ops.cancel(r.priv);
	pthread_join(t, NULL);
	assert_int_equal(c.ret, -ENODEV);	/* not EIO after 60 s */
	rig_down(&r);
}

/*
 * A bridge that misses its answers for 120 ms (its driver waits 50 ms
 * for each) and then answers again: the read and the write in flight
 * ride over it with the right bytes, as the kernel's at24 would.
 */
static void test_bus_hiccup(void **state)
{
	struct i2c_emul_stats st;
	uint8_t data[300], *img;
	struct rig r;
	size_t k;

	rig_up(&r, "24c512", 0x50, false, 25);
	i2c_emul_stall(r.emul, 120, 50);
	check_read(&r, 1000, 4096);
	i2c_emul_stats(r.emul, &st);
	assert_true(st.stalled >= 2);	/* it really missed answers */

	for (k = 0; k < sizeof(data); k++)
		data[k] = rand();
	i2c_emul_stall(r.emul, 120, 50);
	assert_int_equal(nvmem_device_write(r.dev, 77, data, sizeof(data)),
			 sizeof(data));
	memcpy(r.image + 77, data, sizeof(data));
	img = malloc(r.size);
	assert_int_equal(i2c_emul_image(r.emul, 0, img, r.size), 0);
	assert_memory_equal(img, r.image, r.size);
	free(img);
	i2c_emul_stats(r.emul, &st);
	assert_int_equal(st.busy_writes, 0);
	assert_true(nvmem_device_alive(r.dev));
	rig_down(&r);
}

/*
 * A bus silent for longer than the bound: EIO once the default second
 * is over (not much later, not before), the buffer untouched, the
 * device still served, and the right bytes once the bus answers again.
 */
static void test_bus_stall_past_bound(void **state)
{
	uint8_t buf[64];
	uint64_t t0, ms;
	struct rig r;

	rig_up(&r, "24c512", 0x50, false, 25);
	i2c_emul_stall(r.emul, UINT_MAX, 50);
	memset(buf, 0x5a, sizeof(buf));
	t0 = now_ms();
	assert_int_equal(nvmem_device_read(r.dev, 0, buf, sizeof(buf)), -EIO);
	ms = now_ms() - t0;
	print_message("stalled bus: EIO after %llu ms\n",
		      (unsigned long long)ms);
	assert_true(ms >= AT24_DEFAULT_BUS_TIMEOUT_MS);
	/* the bound, one bridge timeout and one pause, and slack for a
	 * loaded machine and the sanitizers */
	assert_true(ms < AT24_DEFAULT_BUS_TIMEOUT_MS + 50 + 50 + 900);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x5a);
	assert_true(nvmem_device_alive(r.dev));
	i2c_emul_stall(r.emul, 0, 0);
	check_read(&r, 0, 4096);
	rig_down(&r);
}

struct unplugger {
	struct i2c_emul *emul;
	unsigned int after_ms;
	uint64_t at_ms;
};

static void *unplug_later(void *arg)
{
	struct unplugger *u = arg;

	usleep(u->after_ms * 1000);
	u->at_ms = now_ms();
	i2c_emul_unplug_after(u->emul, 0);
	return NULL;
}

/*
 * A pulled cable: the bridge falls silent, the transfers in flight time
 * out, and only 250 ms later is the adapter removed. The removal wins
 * over the timeouts before it: ENODEV, within one bridge timeout and one
 * pause of the removal, and the device reports itself gone.
 */
static void test_bus_stall_then_gone(void **state)
{
	struct unplugger u;
	uint8_t *buf = malloc(8192);
	struct rig r;
	pthread_t t;
	uint64_t ms;
	ssize_t ret;

	rig_up(&r, "24c512", 0x50, false, 25);
	u = (struct unplugger){ .emul = r.emul, .after_ms = 250 };
	i2c_emul_stall(r.emul, UINT_MAX, 50);
	pthread_create(&t, NULL, unplug_later, &u);
	ret = nvmem_device_read(r.dev, 0, buf, 8192);
	ms = now_ms();
	pthread_join(t, NULL);
	assert_int_equal(ret, -ENODEV);
	ms -= u.at_ms;
	print_message("stall then unplug: ENODEV %llu ms after the unplug\n",
		      (unsigned long long)ms);
	assert_true(ms < 50 + 50 + 400);
	assert_false(nvmem_device_alive(r.dev));	/* reported gone */
	free(buf);
	rig_down(&r);
}

struct stalled_read {
	void *priv;
	ssize_t ret;
	atomic_ullong done_ms;	/* also read while the reader runs */
};

static void *stalled_read(void *arg)
{
	struct stalled_read *c = arg;
	uint8_t buf[16];

	c->ret = at24_provider_ops.read(c->priv, 0, buf, sizeof(buf));
	c->done_ms = now_ms();
	return NULL;
}

/*
 * Unregistration cancels the provider: a retry pausing between tries
 * of a stalled bus (failing at once, so the pauses have grown to their
 * longest) wakes at once, not at the end of its pause, let alone of the
 * window. The cancel is timed just after a transfer, at a pause's start.
 */
static void test_cancel_cuts_pause(void **state)
{
	struct i2c_emul_stats st;
	struct stalled_read c = { 0 };
	uint64_t n, t0, ms;
	struct rig r;
	pthread_t t;

	rig_up_bus(&r, "24c02", 0x50, false, 25, 60000);
	c.priv = r.priv;
	i2c_emul_stall(r.emul, UINT_MAX, 0);
	pthread_create(&t, NULL, stalled_read, &c);
	usleep(400 * 1000);		/* the pauses reach their longest */
	i2c_emul_stats(r.emul, &st);
	if (c.done_ms) {		/* gave up already: that fails */
		pthread_join(t, NULL);
		fail_msg("the read gave up after %lld", (long long)c.ret);
	}
	n = st.transfers;
	t0 = now_ms();
	do {				/* the next try has just failed */
		usleep(100);
		i2c_emul_stats(r.emul, &st);
	} while (st.transfers == n && now_ms() - t0 < 5000);
	assert_true(st.transfers > n);
	t0 = now_ms();
	at24_provider_ops.cancel(r.priv);
	pthread_join(t, NULL);
	ms = c.done_ms - t0;
	print_message("cancel during a pause: returned after %llu ms\n",
		      (unsigned long long)ms);
	assert_int_equal(c.ret, -ENODEV);
	assert_true(ms < 25);		/* a pause is 50 ms by then */
	rig_down(&r);
}

struct reader {
	struct nvmem_device *dev;
	const uint8_t *image;
	size_t size;
	int wrong;
};

static void *read_all(void *arg)
{
	struct reader *rd = arg;
	uint8_t buf[512];
	int k;

	for (k = 0; k < 20; k++) {
		size_t off = (k * 97) % (rd->size - sizeof(buf));

		if (nvmem_device_read(rd->dev, off, buf, sizeof(buf)) != sizeof(buf) ||
		    memcmp(buf, rd->image + off, sizeof(buf)))
			rd->wrong++;
	}
	return NULL;
}

/* Two chips on one bus, read at once from two threads with real bus
 * timing: the adapter lock keeps each address-write + read pair whole. */
static void test_shared_bus(void **state)
{
	const struct at24_chip *chip = at24_chip_find("24c64");
	struct at24_params p = { .chip = chip, .address = 0x50 };
	struct nvmem_provider_info info;
	struct i2c_emul *emul;
	struct i2c_adapter *ad = i2c_emul_new(1000000, true, &emul);
	struct i2c_emul_stats st;
	uint8_t *img[2];
	struct reader rd[2];
	pthread_t t[2];
	void *priv;
	int i;

	for (i = 0; i < 2; i++) {
		img[i] = malloc(chip->size);
		for (size_t k = 0; k < chip->size; k++)
			img[i][k] = rand();
		assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50 + i, img[i], 500), 0);
		p.address = 0x50 + i;
		assert_int_equal(at24_provider_open(&p, ad, &priv, &info), 0);
		rd[i].dev = nvmem_device_new(i ? "b" : "a", &at24_provider_ops, priv, &info);
		rd[i].image = img[i];
		rd[i].size = chip->size;
		rd[i].wrong = 0;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, read_all, &rd[i]);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(rd[i].wrong, 0);
		nvmem_device_put(rd[i].dev);
		free(img[i]);
	}
	i2c_emul_stats(emul, &st);
	assert_int_equal(st.collisions, 0);
	assert_true(st.transfers >= 80);
	i2c_adapter_put(ad);
}

static void test_chip_table(void **state)
{
	const struct at24_chip *c = at24_chip_find("24c512");

	assert_int_equal(c->size, 65536);
	assert_int_equal(c->page_size, 128);
	assert_int_equal(c->addr_width, 16);
	c = at24_chip_find("24c16");
	assert_int_equal(c->naddr, 8);
	assert_int_equal(c->addr_width, 8);
	assert_null(at24_chip_find("24c9999"));
	assert_true(at24_chip_find("24cs02")->read_only);
}

/* A chip that is not there fails at open. */
static void test_absent_chip(void **state)
{
	const struct at24_chip *chip = at24_chip_find("24c02");
	struct at24_params p = { .chip = chip, .address = 0x57, .write_timeout_ms = 5 };
	struct nvmem_provider_info info;
	struct i2c_emul *emul;
	struct i2c_adapter *ad = i2c_emul_new(400000, false, &emul);
	uint8_t img[256] = { 0 };
	void *priv;

	assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, img, 500), 0);
	assert_int_equal(at24_provider_open(&p, ad, &priv, &info), -ENXIO);
	i2c_adapter_put(ad);
}

/* SMBus-only adapters: the kernel driver's fallback of 32-byte block
 * reads with an 8-bit word address; read-only; 16-bit chips refused. */
static void test_smbus_fallback(void **state)
{
	static const char *const chips[] = { "24c02", "24c16" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct at24_chip *chip = at24_chip_find(chips[i]);
		struct at24_params p = { .chip = chip, .address = 0x50 };
		struct nvmem_provider_info info;
		struct i2c_emul_stats st;
		struct i2c_emul *emul;
		struct i2c_adapter *ad = i2c_emul_new(400000, false, &emul);
		struct rig r = { .size = chip->size };
		uint8_t b = 0;
		uint64_t off;

		r.image = malloc(chip->size);
		for (size_t k = 0; k < chip->size; k++)
			r.image[k] = rand();
		assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, r.image, 500), 0);
		i2c_emul_set_smbus_only(emul, true);
		assert_int_equal(at24_provider_open(&p, ad, &r.priv, &info), 0);
		assert_true(info.read_only);
		assert_true(info.read_chunk <= 32);
		r.dev = nvmem_device_new(chips[i], &at24_provider_ops, r.priv, &info);
		for (off = 0; off < chip->size; off += 29)
			check_read(&r, off, 70);	/* across 32-byte reads */
		check_read(&r, 0, chip->size);
		assert_int_equal(nvmem_device_write(r.dev, 0, &b, 1), -EROFS);
		i2c_emul_stats(emul, &st);
		assert_true(st.data_bytes > 0);
		nvmem_device_put(r.dev);
		free(r.image);
		i2c_adapter_put(ad);
	}
	{
		const struct at24_chip *chip = at24_chip_find("24c512");
		struct at24_params p = { .chip = chip, .address = 0x50 };
		struct nvmem_provider_info info;
		struct i2c_emul *emul;
		struct i2c_adapter *ad = i2c_emul_new(400000, false, &emul);
		uint8_t *img = calloc(1, chip->size);
		void *priv;

		assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, img, 500), 0);
		i2c_emul_set_smbus_only(emul, true);
		assert_int_equal(at24_provider_open(&p, ad, &priv, &info), -EOPNOTSUPP);
		free(img);
		i2c_adapter_put(ad);
	}
}

/*
 * Every device on a bus shares one adapter (and so one lock). A stand-in
 * /dev/i2c-N node (the null device: only open() is exercised here) lets
 * this run without I2C hardware; needs root, as CI is.
 */
static void test_adapter_shared_by_bus(void **state)
{
	const char *node = "/dev/i2c-249";
	struct i2c_adapter *a, *b, *c;

	unlink(node);
	assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(1, 3)), 0);
	assert_int_equal(i2c_adapter_open_dev(249, &a), 0);
	assert_int_equal(i2c_adapter_open_dev(249, &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(i2c_adapter_bus(a), 249);
	i2c_adapter_put(a);
	i2c_adapter_put(b);
	/* all references gone: the next open is a new adapter */
	assert_int_equal(i2c_adapter_open_dev(249, &c), 0);
	i2c_adapter_put(c);
	unlink(node);
	assert_int_equal(i2c_adapter_open_dev(249, &c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chip_table),
		cmocka_unit_test(test_chip_classes),
		cmocka_unit_test(test_writes),
		cmocka_unit_test(test_bridge_limits),
		cmocka_unit_test(test_read_only_chips),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_unplug_mid_read),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_bus_hiccup),
		cmocka_unit_test(test_bus_stall_past_bound),
		cmocka_unit_test(test_bus_stall_then_gone),
		cmocka_unit_test(test_cancel_cuts_pause),
		cmocka_unit_test(test_shared_bus),
		cmocka_unit_test(test_absent_chip),
		cmocka_unit_test(test_smbus_fallback),
		cmocka_unit_test(test_adapter_shared_by_bus),
	};

	srand(1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
