// SPDX-License-Identifier: MIT
/*
 * Figure 5: bus efficiency of the at24 provider on the emulated I2C bus,
 * a 24c512 (65536 bytes, 128-byte pages) at 400 kHz, against the
 * theoretical minimum at that clock.
 *
 * Read: one nvmem_device_read() of the whole chip, on a bus that only
 * counts its time (sleep = false). The minimum is the data bytes alone,
 * 9 bits each (8 + ACK); the actual time is i2c_emul's bus_ns, which adds
 * per transaction the address bytes, the word address and the start and
 * stop bits.
 *
 * Write: one nvmem_device_write() of the whole chip. i2c_emul's bus_ns
 * counts wire time only: the write cycle t_WR is not in it (the chip is
 * marked busy until t_WR of wall-clock time after the transfer, and the
 * provider polls it with NACKed address writes every 200 us). A bus that
 * only counts would therefore time the write cycles in real time and the
 * wire time not at all, so the write is timed by the wall clock on a bus
 * that sleeps its wire time (sleep = true), about 4.5 s. The minimum is
 * 512 pages x (128 data bytes x 9 bits / clock + t_WR).
 *
 * Also, for information: the same read timed by the wall clock on a
 * sleeping bus (what a reader waits, scheduling included).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "providers/at24.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "base/log.h"
#include "core/nvmem.h"

#define CHIP	"24c512"
#define CLOCK	400000u
#define T_WR_US	5000u

struct rig {
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	struct nvmem_device *dev;
	uint8_t *image;
	uint32_t size, page;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_bus: %s: %s\n", what, strerror(err));
	exit(1);
}

static void rig_up(struct rig *r, bool sleep)
{
	const struct at24_chip *chip = at24_chip_find(CHIP);
	struct at24_params p = { .chip = chip, .address = 0x50 };
	struct nvmem_provider_info info;
	void *priv;
	int ret;

	r->size = chip->size;
	r->page = chip->page_size;
	r->image = malloc(r->size);
	if (!r->image)
		die("malloc", ENOMEM);
	for (uint32_t i = 0; i < r->size; i++)
		r->image[i] = i * 7 + 3;
	r->ad = i2c_emul_new(CLOCK, sleep, &r->emul);
	if (!r->ad)
		die("i2c_emul_new", ENOMEM);
	ret = i2c_emul_add_chip(r->emul, chip, 0x50, r->image, T_WR_US);
	if (ret)
		die("i2c_emul_add_chip", -ret);
	ret = at24_provider_open(&p, r->ad, &priv, &info);
	if (ret)
		die("at24_provider_open", -ret);
	/* The device owns priv from here; the provider its own adapter
	 * reference. */
	r->dev = nvmem_device_new(CHIP, &at24_provider_ops, priv, &info);
	if (!r->dev)
		die("nvmem_device_new", errno);
}

static void rig_down(struct rig *r)
{
	nvmem_device_put(r->dev);
	i2c_adapter_put(r->ad);
	nvmem_device_drain_gone();
	free(r->image);
}

/* Whole-chip read; returns the wall time, fills @d with the counters. */
static double read_all(struct rig *r, struct i2c_emul_stats *d)
{
	struct i2c_emul_stats s0, s1;
	uint8_t *buf = malloc(r->size);
	double t;

	i2c_emul_stats(r->emul, &s0);
	t = bench_now();
	if (nvmem_device_read(r->dev, 0, buf, r->size) != (ssize_t)r->size)
		die("read", EIO);
	t = bench_now() - t;
	i2c_emul_stats(r->emul, &s1);
	if (memcmp(buf, r->image, r->size))
		die("read: wrong bytes", EIO);
	free(buf);
	d->bus_ns = s1.bus_ns - s0.bus_ns;
	d->transfers = s1.transfers - s0.transfers;
	d->data_bytes = s1.data_bytes - s0.data_bytes;
	d->nacks = s1.nacks - s0.nacks;
	return t;
}

int main(void)
{
	struct i2c_emul_stats d, s0, s1;
	double min_read_ms, min_write_ms, t, eff;
	uint8_t *data, *img;
	struct rig r;

	log_set_level(LOG_ERR);
	printf("# bus efficiency, %s at %u kHz, io_limit %u, t_WR %u us\n",
	       CHIP, CLOCK / 1000, AT24_DEFAULT_IO_LIMIT, T_WR_US);

	/* Read, counted. */
	rig_up(&r, false);
	read_all(&r, &d);
	min_read_ms = r.size * 9.0 / CLOCK * 1e3;
	eff = min_read_ms / (d.bus_ns / 1e6);
	bench_line("bus_read_full_ms", d.bus_ns / 1e6, "ms", min_read_ms, eff,
	     ">= 0.95", eff >= 0.95);
	printf("%-28s %10llu transfers, %llu data bytes, %llu NACKs; counted, not slept\n",
	       "", (unsigned long long)d.transfers,
	       (unsigned long long)d.data_bytes, (unsigned long long)d.nacks);
	rig_down(&r);

	/* Read, by the wall clock. */
	rig_up(&r, true);
	t = read_all(&r, &d);
	eff = min_read_ms / (t * 1e3);
	bench_line("bus_read_full_wall_ms", t * 1e3, "ms", min_read_ms, eff,
	     "(info)", 1);
	rig_down(&r);

	/* Write, by the wall clock on a sleeping bus. */
	rig_up(&r, true);
	data = malloc(r.size);
	img = malloc(r.size);
	if (!data || !img)
		die("malloc", ENOMEM);
	for (uint32_t i = 0; i < r.size; i++)
		data[i] = ~r.image[i];
	i2c_emul_stats(r.emul, &s0);
	t = bench_now();
	if (nvmem_device_write(r.dev, 0, data, r.size) != (ssize_t)r.size)
		die("write", EIO);
	t = bench_now() - t;
	i2c_emul_stats(r.emul, &s1);
	if (i2c_emul_image(r.emul, 0, img, r.size) || memcmp(img, data, r.size))
		die("write: wrong bytes in the chip", EIO);
	min_write_ms = (r.size / r.page) *
		       (r.page * 9.0 / CLOCK * 1e3 + T_WR_US / 1e3);
	eff = min_write_ms / (t * 1e3);
	bench_line("bus_write_full_wall_ms", t * 1e3, "ms", min_write_ms, eff,
	     ">= 0.90", eff >= 0.90);
	printf("%-28s %10u pages; wire %.1f ms counted; %llu polls NACKed, %llu ACKed; %.0f us over the minimum per page\n",
	       "", r.size / r.page, (s1.bus_ns - s0.bus_ns) / 1e6,
	       (unsigned long long)(s1.nacks - s0.nacks),
	       (unsigned long long)(s1.polls_acked - s0.polls_acked),
	       (t * 1e3 - min_write_ms) * 1e3 / (r.size / r.page));
	printf("%-28s (timed with a sleeping bus: i2c_emul's bus_ns never includes t_WR)\n", "");
	free(data);
	free(img);
	rig_down(&r);
	return 0;
}
