// SPDX-License-Identifier: MIT
/* The emulated I2C bus with AT24 chips (see i2c_emul.h). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "providers/at24.h"
#include "providers/i2c.h"
#include "providers/wp_gpio.h"
#include "emul/i2c_emul.h"

#define EMUL_MAX_CHIPS	8

struct emul_chip {
	const struct at24_chip *chip;
	uint16_t address;	/* first of chip->naddr addresses */
	uint8_t *mem;		/* chip->offset + size bytes: the word
				 * address space, data at chip->offset */
	uint32_t span;
	uint32_t pointer;	/* the chip's address pointer */
	uint64_t busy_until_ns;	/* write cycle */
	uint32_t t_wr_us;
	bool wp;		/* WP input high: writes are ignored */
};

/*
 * Everything under @lock: the adapter lock already serialises transfers,
 * but tests set faults and read images from other threads.
 */
struct i2c_emul {
	pthread_mutex_t lock;
	unsigned int clock_hz;
	bool sleep;
	struct emul_chip chips[EMUL_MAX_CHIPS];
	unsigned int nchips;
	unsigned int nack_next, timeout_next;
	bool unplug_armed, unplugged;
	bool on_wire;		/* a transfer occupies the bus */
	bool smbus_only;
	unsigned int max_read, max_write;	/* per message, 0: any */
	uint64_t unplug_budget;
	uint64_t stall_until_ns;	/* 0: not stalled */
	unsigned int stall_timeout_ms;
	struct i2c_emul_stats st;
};

/* Start, 9 bits per byte (8 + ACK), stop. */
static uint64_t emul_bus_ns(struct i2c_emul *e, unsigned int bytes)
{
	return (uint64_t)(bytes * 9 + 2) * 1000000000ull / e->clock_hz;
}

/* Sleep without the lock: tests may poke the bus meanwhile. */
static void emul_sleep(struct i2c_emul *e, uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ull, ns % 1000000000ull };

	pthread_mutex_unlock(&e->lock);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&e->lock);
}

static void emul_spend(struct i2c_emul *e, uint64_t ns)
{
	e->st.bus_ns += ns;
	if (e->sleep)
		emul_sleep(e, ns);
}

static struct emul_chip *emul_find(struct i2c_emul *e, uint16_t addr,
				   uint32_t *block)
{
	unsigned int i, b;

	for (i = 0; i < e->nchips; i++) {
		struct emul_chip *c = &e->chips[i];

		for (b = 0; b < c->chip->naddr; b++) {
			if (addr == c->address + (b << c->chip->addr_shift)) {
				*block = b;
				return c;
			}
		}
	}
	return NULL;
}

/* Consume @n data bytes of the unplug budget; returns how many may pass. */
static unsigned int emul_budget(struct i2c_emul *e, unsigned int n)
{
	if (!e->unplug_armed)
		return n;
	if (e->unplug_budget < n) {
		n = e->unplug_budget;
		e->unplug_budget = 0;
		e->unplugged = true;
		return n;
	}
	e->unplug_budget -= n;
	return n;
}

/* @smbus: the request came through the SMBus block-read op. */
/*
 * The messages of one transfer to chip @c (its I2C address block
 * @block), as the chip takes them. A write's first bytes are the word
 * address (one byte on 8-bit parts, two on 16-bit ones), the rest data
 * latched into the page buffer, the pointer moving inside the page as it
 * goes; a read streams from the pointer. The page buffer is committed
 * only by the STOP that ends a transfer whose last message is that write
 * (a write cycle follows): a repeated start abandons it. So an 8-bit part
 * given a 16-bit address and a repeated start takes the second address
 * byte as data, is left pointing one past the first, and writes nothing;
 * a 16-bit part given only its high address byte keeps its old pointer.
 * 0, or -errno when the transfer was cut (an unplug mid-message).
 */
static int emul_chip_xfer(struct i2c_emul *e, struct emul_chip *c,
			  uint32_t block, struct i2c_msg *msgs, unsigned int n,
			  unsigned int bytes)
{
	uint32_t block_size = 1u << c->chip->addr_width, word;
	uint32_t page = c->chip->page_size, base;
	unsigned int i, j, hdr = c->chip->addr_width / 8, pass, data;
	uint8_t latched[AT24_MAX_PAGE_SIZE];
	uint32_t latched_at[AT24_MAX_PAGE_SIZE];

	for (i = 0; i < n; i++) {
		struct i2c_msg *m = &msgs[i];

		if (!(m->flags & I2C_M_RD)) {
			if (m->len < hdr)
				continue;	/* address incomplete */
			word = hdr == 2 ? (m->buf[0] << 8 | m->buf[1]) : m->buf[0];
			c->pointer = (block * block_size + word) % c->span;
			if (m->len == hdr) {
				if (n == 1)
					e->st.polls_acked++;
				continue;
			}
			/* Data into the page buffer: auto-increment inside
			 * the page only, a page's worth at most (more wraps
			 * over the same bytes, the last one wins). */
			pass = emul_budget(e, m->len - hdr);
			data = 0;
			if (c->wp) {
				/* Write-protected: every byte is ACKed, none
				 * stored, and no write cycle starts. */
				e->st.wp_ignored++;
				e->st.data_bytes += pass;
				if (pass < m->len - hdr)
					return -ENODEV;
				continue;
			}
			for (j = 0; j < pass; j++) {
				base = c->pointer - c->pointer % page;
				latched[j % page] = m->buf[hdr + j];
				latched_at[j % page] = c->pointer;
				c->pointer = base + (c->pointer + 1) % page;
				if (data < page)
					data++;
			}
			e->st.data_bytes += pass;
			if (pass < m->len - hdr)
				return -ENODEV;	/* cut off mid-message */
			if (i != n - 1)
				continue;	/* repeated start: abandoned */
			if (!c->chip->read_only)
				for (j = 0; j < data; j++)
					c->mem[latched_at[j]] = latched[j];
			c->busy_until_ns = util_monotonic_ns() +
					   emul_bus_ns(e, bytes) +
					   c->t_wr_us * 1000ull;
		} else {
			pass = emul_budget(e, m->len);
			for (j = 0; j < pass; j++) {
				m->buf[j] = c->mem[c->pointer];
				c->pointer = (c->pointer + 1) % c->span;
			}
			e->st.data_bytes += pass;
			if (pass < m->len) {
				emul_spend(e, emul_bus_ns(e, pass));
				return -ENODEV;
			}
		}
	}
	emul_spend(e, emul_bus_ns(e, bytes));
	return 0;
}

static int emul_xfer(struct i2c_emul *e, struct i2c_msg *msgs, unsigned int n,
		     bool smbus)
{
	struct emul_chip *c;
	uint32_t block = 0;
	unsigned int i, bytes = 0;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (e->on_wire) {
		/* Two masters at once: a real bus would garble both. */
		e->st.collisions++;
		pthread_mutex_unlock(&e->lock);
		return -EBUSY;
	}
	e->on_wire = true;
	e->st.transfers++;
	if (e->smbus_only && !smbus) {
		ret = -EOPNOTSUPP;	/* no I2C_RDWR on this adapter */
		goto out;
	}
	for (i = 0; i < n; i++) {
		unsigned int max = msgs[i].flags & I2C_M_RD ? e->max_read :
							      e->max_write;

		/* A bridge refuses what does not fit its reports. */
		if (max && msgs[i].len > max) {
			ret = -EINVAL;
			goto out;
		}
		bytes += 1 + msgs[i].len;
	}
	if (e->unplugged) {
		ret = -ENODEV;
		goto out;
	}
	if (e->stall_until_ns && util_monotonic_ns() < e->stall_until_ns) {
		/* Nothing answers: the bridge driver waits out its own
		 * timeout, even if the bridge is pulled out meanwhile. */
		e->st.stalled++;
		emul_sleep(e, e->stall_timeout_ms * 1000000ull);
		ret = -ETIMEDOUT;
		goto out;
	}
	if (e->timeout_next) {
		e->timeout_next--;
		emul_spend(e, emul_bus_ns(e, bytes));
		ret = -ETIMEDOUT;
		goto out;
	}
	c = n ? emul_find(e, msgs[0].addr, &block) : NULL;
	if (!c || e->nack_next || util_monotonic_ns() < c->busy_until_ns) {
		bool busy = c && util_monotonic_ns() < c->busy_until_ns;

		if (e->nack_next && c && !busy)
			e->nack_next--;
		if (busy && !(msgs[0].flags & I2C_M_RD) &&
		    msgs[0].len > (c->chip->addr_width / 8u))
			e->st.busy_writes++;	/* a real write, not a poll */
		e->st.nacks++;
		emul_spend(e, emul_bus_ns(e, 1));	/* address byte only */
		ret = -ENXIO;
		goto out;
	}
	ret = emul_chip_xfer(e, c, block, msgs, n, bytes);
out:
	e->on_wire = false;
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static int emul_transfer(void *priv, struct i2c_msg *msgs, unsigned int n)
{
	return emul_xfer(priv, msgs, n, false);
}

static unsigned long emul_funcs(void *priv)
{
	struct i2c_emul *e = priv;
	unsigned long funcs = I2C_FUNC_SMBUS_READ_I2C_BLOCK;

	pthread_mutex_lock(&e->lock);
	if (!e->smbus_only)
		funcs |= I2C_FUNC_I2C;
	pthread_mutex_unlock(&e->lock);
	return funcs;
}

/*
 * SMBus "I2C block read": on the wire the same write-command + repeated
 * start + read as the I2C path, so it reuses it with the 8-bit command as
 * the word address.
 */
static int emul_smbus_block_read(void *priv, uint16_t addr, uint8_t cmd,
				 uint8_t *buf, unsigned int len)
{
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .flags = 0, .len = 1, .buf = &cmd },
		{ .addr = addr, .flags = I2C_M_RD, .len = len > 32 ? 32 : len,
		  .buf = buf },
	};
	int ret = emul_xfer(priv, msgs, 2, true);

	return ret < 0 ? ret : (int)msgs[1].len;
}

void i2c_emul_set_limits(struct i2c_emul *e, unsigned int max_read,
			 unsigned int max_write)
{
	pthread_mutex_lock(&e->lock);
	e->max_read = max_read;
	e->max_write = max_write;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_set_smbus_only(struct i2c_emul *e, bool on)
{
	pthread_mutex_lock(&e->lock);
	e->smbus_only = on;
	pthread_mutex_unlock(&e->lock);
}

static void emul_close(void *priv)
{
	struct i2c_emul *e = priv;
	unsigned int i;

	for (i = 0; i < e->nchips; i++)
		free(e->chips[i].mem);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static bool emul_gone(void *priv)
{
	struct i2c_emul *e = priv;
	bool gone;

	pthread_mutex_lock(&e->lock);
	gone = e->unplugged;
	pthread_mutex_unlock(&e->lock);
	return gone;
}

static const struct i2c_adapter_ops emul_ops = {
	.transfer = emul_transfer,
	.funcs = emul_funcs,
	.smbus_block_read = emul_smbus_block_read,
	.gone = emul_gone,
	.close = emul_close,
};

struct i2c_adapter *i2c_emul_new(unsigned int clock_hz, bool sleep,
				 struct i2c_emul **emul)
{
	struct i2c_adapter *ad;
	struct i2c_emul *e;

	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	e->clock_hz = clock_hz ? clock_hz : 100000;
	e->sleep = sleep;
	ad = i2c_adapter_new(-1, &emul_ops, e);
	if (!ad) {
		emul_close(e);
		return NULL;
	}
	*emul = e;
	return ad;
}

int i2c_emul_add_chip(struct i2c_emul *e, const struct at24_chip *chip,
		      uint16_t address, const uint8_t *image,
		      uint32_t t_wr_us)
{
	struct emul_chip *c;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (e->nchips == EMUL_MAX_CHIPS) {
		ret = -ENOSPC;
		goto out;
	}
	c = &e->chips[e->nchips];
	memset(c, 0, sizeof(*c));
	c->chip = chip;
	c->address = address;
	c->t_wr_us = t_wr_us;
	/* The pointer wraps at the end of the array; serial-number parts
	 * keep their data at chip->offset of the word address space. */
	c->span = chip->offset + chip->size;
	c->mem = malloc(c->span);
	if (!c->mem) {
		ret = -ENOMEM;
		goto out;
	}
	memset(c->mem, 0xff, c->span);
	memcpy(c->mem + chip->offset, image, chip->size);
	e->nchips++;
out:
	pthread_mutex_unlock(&e->lock);
	return ret;
}

int i2c_emul_image(struct i2c_emul *e, unsigned int index, uint8_t *buf,
		   size_t len)
{
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (index >= e->nchips || len > e->chips[index].chip->size)
		ret = -EINVAL;
	else
		memcpy(buf, e->chips[index].mem + e->chips[index].chip->offset,
		       len);
	pthread_mutex_unlock(&e->lock);
	return ret;
}

void i2c_emul_nack_next(struct i2c_emul *e, unsigned int n)
{
	pthread_mutex_lock(&e->lock);
	e->nack_next = n;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_timeout_next(struct i2c_emul *e, unsigned int n)
{
	pthread_mutex_lock(&e->lock);
	e->timeout_next = n;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_unplug_after(struct i2c_emul *e, uint64_t bytes)
{
	pthread_mutex_lock(&e->lock);
	e->unplug_armed = true;
	e->unplug_budget = bytes;
	if (!bytes)
		e->unplugged = true;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_replug(struct i2c_emul *e)
{
	pthread_mutex_lock(&e->lock);
	e->unplug_armed = false;
	e->unplugged = false;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_stall(struct i2c_emul *e, unsigned int ms,
		    unsigned int timeout_ms)
{
	pthread_mutex_lock(&e->lock);
	if (!ms)
		e->stall_until_ns = 0;
	else if (ms == UINT_MAX)
		e->stall_until_ns = UINT64_MAX;
	else
		e->stall_until_ns = util_monotonic_ns() + ms * 1000000ull;
	e->stall_timeout_ms = timeout_ms;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_stats(struct i2c_emul *e, struct i2c_emul_stats *st)
{
	pthread_mutex_lock(&e->lock);
	*st = e->st;
	pthread_mutex_unlock(&e->lock);
}

void i2c_emul_set_wp(struct i2c_emul *e, unsigned int index, bool high)
{
	pthread_mutex_lock(&e->lock);
	if (index < e->nchips)
		e->chips[index].wp = high;
	pthread_mutex_unlock(&e->lock);
}

/* An emulated GPIO line wired to a chip's WP input; it goes with the
 * bus when that is unplugged, as a bridge's own GPIOs do. */
struct emul_wp_line {
	struct i2c_emul *e;
	unsigned int index;
};

static int emul_wp_set(void *priv, bool level)
{
	struct emul_wp_line *l = priv;
	int ret = 0;

	pthread_mutex_lock(&l->e->lock);
	if (l->e->unplugged)
		ret = -ENODEV;
	else
		l->e->chips[l->index].wp = level;
	pthread_mutex_unlock(&l->e->lock);
	return ret;
}

static void emul_wp_close(void *priv)
{
	free(priv);
}

static const struct wp_gpio_ops emul_wp_ops = {
	.set = emul_wp_set,
	.close = emul_wp_close,
};

int i2c_emul_wp_gpio(struct i2c_emul *e, unsigned int index, bool active_low,
		     struct wp_gpio **out)
{
	struct emul_wp_line *l;

	if (index >= e->nchips)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->e = e;
	l->index = index;
	return wp_gpio_new(&emul_wp_ops, l, active_low, out);
}
