// SPDX-License-Identifier: MIT
/*
 * Provider "at24": the EEPROM protocol over an I2C adapter.
 *
 * Read:  [S addr+W word-address] [Sr addr+R data... P], one combined
 *        I2C_RDWR transaction, never across an I2C address block.
 * Write: [S addr+W word-address data... P] within one page, then poll:
 *        the chip NACKs everything until its internal write cycle ends,
 *        so the next access is only issued once it ACKs a probe.
 * A chip that NACKs (busy with a write cycle, or a glitch) is retried
 * until the write timeout, a bus that does not answer until the bus
 * timeout (at24_retry); an adapter that is gone fails at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/at24.h"
#include "providers/i2c.h"
#include "providers/wp_gpio.h"
#include "base/log.h"
#include "base/util.h"
#include "core/provider.h"

/*
 * Lifetime: see provider.h. @ad is referenced and released in destroy.
 * @cancelled is set by cancel() from another thread while read/write
 * may be retrying; it is set under @lock and @wake is broadcast, so that
 * a retry pausing on @wake (CLOCK_MONOTONIC) wakes at once. @lock guards
 * nothing else.
 */
struct at24 {
	struct i2c_adapter *ad;
	const struct at24_chip *chip;
	uint16_t address;
	uint32_t size;
	uint32_t page_size;
	uint8_t addr_width;
	uint32_t io_limit;
	uint32_t max_write;	/* data bytes per write message, 0: any */
	uint32_t write_timeout_ms;
	uint32_t bus_timeout_ms;
	bool smbus_only;	/* adapter without plain I2C */
	struct wp_gpio *wp;	/* write-protect line, NULL: none */
	atomic_bool cancelled;
	_Atomic uint64_t retries;	/* for status; not the write-cycle polls */
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

/* Pause between tries: short while a write cycle may be ending, growing
 * up to the maximum once the bus has been failing for longer. */
#define AT24_PAUSE_US		200
#define AT24_MAX_PAUSE_US	50000

static uint64_t at24_now_us(void)
{
	return util_monotonic_ns() / 1000;
}

static bool at24_gone(int err)
{
	return provider_errno_gone(-err);
}

/* A NACK: the chip is busy with its write cycle, or not there. */
static bool at24_nack(int err)
{
	return err == -ENXIO || err == -EREMOTEIO;
}

/*
 * Failures a retry cannot change: the request does not suit the adapter
 * (a message over a bridge's limit, a transfer it does not do). Any
 * other may be a bus or a bridge in trouble, or one being removed, and
 * is retried.
 */
static bool at24_hopeless(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTTY ||
	       err == -EFAULT;
}

/* I2C address and word address of byte @off. */
static void at24_locate(const struct at24 *a, uint32_t off, uint16_t *addr,
			uint32_t *word)
{
	uint32_t block_size = 1u << a->addr_width;
	uint32_t block = off / block_size;

	*addr = a->address + (block << a->chip->addr_shift);
	*word = off % block_size + a->chip->offset;
}

static unsigned int at24_put_word(const struct at24 *a, uint32_t word,
				  uint8_t *out)
{
	if (a->addr_width == 16) {
		out[0] = word >> 8;
		out[1] = word;
		return 2;
	}
	out[0] = word;
	return 1;
}

/* What a reader sees of a failed transfer: ENODEV once the adapter is
 * gone, else EIO for every bus error (README.md), whatever the adapter
 * driver called it (EPROTO, EBUSY, ...); that name goes to the debug
 * log. */
static int at24_error(int err)
{
	if (at24_gone(err))
		return -ENODEV;
	if (err != -EIO)
		log_debug("at24: transfer failed: %s", strerror(-err));
	return -EIO;
}

/* Sleep @us, or less if cancel() comes meanwhile. */
static void at24_pause(struct at24 *a, uint64_t us)
{
	struct timespec until;
	uint64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &until);
	ns = until.tv_nsec + us * 1000;
	until.tv_sec += ns / 1000000000;
	until.tv_nsec = ns % 1000000000;
	pthread_mutex_lock(&a->lock);
	while (!atomic_load(&a->cancelled) &&
	       pthread_cond_timedwait(&a->wake, &a->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&a->lock);
}

/*
 * Run @op until it succeeds, the adapter is gone, the device is being
 * unregistered (cancel), or the retries are over:
 *  - a NACK (the chip busy with its write cycle, or absent) for
 *    write_timeout_ms from the first NACK of a run, polled every 200 us
 *    so that a write cycle's end is seen at once;
 *  - any other failure but a hopeless one (a bus or bridge timeout, a
 *    lost answer; the CP2112's driver also reports a NACK this way)
 *    until bus_timeout_ms from the start, at least write_timeout_ms.
 *    The CP2112's driver waits 50 ms for an answer, longer than a
 *    write cycle's timeout: a window of that size would give up at its
 *    first lost answer.
 * After every failure the adapter is asked whether it has gone: a
 * bridge being pulled out often falls silent some time before the
 * kernel removes it, and a removal inside the window wins over the
 * timeouts before it (ENODEV, not EIO). One transaction at a time on
 * the bus: the adapter lock is held per attempt, not across pauses.
 */
static int at24_poll_op(struct at24 *a, void *arg);

static int at24_retry(struct at24 *a, int (*op)(struct at24 *a, void *arg),
		      void *arg)
{
	uint64_t start = at24_now_us(), tried = start, nack_since = 0, now;
	uint64_t nack_us = a->write_timeout_ms * 1000ull;
	uint64_t bus_us = a->bus_timeout_ms * 1000ull;
	uint64_t pause = AT24_PAUSE_US;
	int ret;

	if (bus_us < nack_us)
		bus_us = nack_us;
	for (;;) {
		if (atomic_load_explicit(&a->cancelled, memory_order_relaxed))
			return -ENODEV;
		i2c_adapter_lock(a->ad);
		ret = op(a, arg);
		i2c_adapter_unlock(a->ad);
		if (ret >= 0 || at24_gone(ret))
			return ret;
		if (i2c_adapter_gone(a->ad))
			return -ENODEV;
		if (at24_hopeless(ret))
			return ret;
		now = at24_now_us();
		if (at24_nack(ret)) {
			if (!nack_since)
				nack_since = tried;
			if (now > nack_since + nack_us)
				return ret;
		} else {
			nack_since = 0;
			if (now > start + bus_us)
				return ret;
		}
		if (now > start + nack_us) {
			pause *= 2;
			if (pause > AT24_MAX_PAUSE_US)
				pause = AT24_MAX_PAUSE_US;
		}
		if (op != at24_poll_op)
			atomic_fetch_add_explicit(&a->retries, 1,
						  memory_order_relaxed);
		at24_pause(a, pause);
		tried = at24_now_us();
	}
}

struct at24_xfer {
	uint32_t off;
	uint8_t *buf;
	size_t len;
};

static int at24_read_op(struct at24 *a, void *arg)
{
	struct at24_xfer *x = arg;
	uint8_t wordbuf[2];
	uint16_t addr;
	uint32_t word;
	int ret;

	at24_locate(a, x->off, &addr, &word);
	if (a->smbus_only) {
		ret = i2c_adapter_smbus_block_read(a->ad, addr, word, x->buf,
						   x->len);
		if (ret >= 0 && (size_t)ret != x->len)
			ret = -EIO;
		return ret < 0 ? ret : 0;
	}
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .flags = 0,
		  .len = at24_put_word(a, word, wordbuf), .buf = wordbuf },
		{ .addr = addr, .flags = I2C_M_RD, .len = x->len,
		  .buf = x->buf },
	};
	return i2c_adapter_transfer(a->ad, msgs, 2);
}

static ssize_t at24_read(void *priv, uint64_t off, void *buf, size_t len)
{
	struct at24 *a = priv;
	uint32_t block_size = 1u << a->addr_width;
	struct at24_xfer x = { .off = off, .buf = buf, .len = len };
	int ret;

	/* Never across an address block, never over the adapter's limit. */
	if (x.len > block_size - off % block_size)
		x.len = block_size - off % block_size;
	if (x.len > a->io_limit)
		x.len = a->io_limit;
	ret = at24_retry(a, at24_read_op, &x);
	if (ret < 0)
		return at24_error(ret);
	return x.len;
}

static int at24_write_op(struct at24 *a, void *arg)
{
	struct at24_xfer *x = arg;
	uint8_t msgbuf[2 + AT24_MAX_PAGE_SIZE];
	uint16_t addr;
	uint32_t word;
	unsigned int n;

	at24_locate(a, x->off, &addr, &word);
	n = at24_put_word(a, word, msgbuf);
	memcpy(msgbuf + n, x->buf, x->len);
	struct i2c_msg msg = { .addr = addr, .flags = 0, .len = n + x->len,
			       .buf = msgbuf };
	return i2c_adapter_transfer(a->ad, &msg, 1);
}

/* The write cycle is over when the chip ACKs its address again. */
static int at24_poll_op(struct at24 *a, void *arg)
{
	struct at24_xfer *x = arg;
	uint8_t wordbuf[2];
	uint16_t addr;
	uint32_t word;

	at24_locate(a, x->off, &addr, &word);
	struct i2c_msg msg = { .addr = addr, .flags = 0,
			       .len = at24_put_word(a, word, wordbuf),
			       .buf = wordbuf };
	return i2c_adapter_transfer(a->ad, &msg, 1);
}

/*
 * Write protection is released for one bus write and its write cycle
 * (a page, or a part of one through a bridge with small reports), not
 * for a whole request: the window in which anything else on the bus
 * could change the chip stays that short, and a request cut between
 * chunks (an unplug, a stop) never leaves the chip unprotected. It costs
 * two level changes per page, small beside the write cycle.
 */
static int at24_unprotect(struct at24 *a)
{
	int ret;

	if (!a->wp)
		return 0;
	ret = wp_gpio_unprotect(a->wp);
	if (ret == 0)
		return 0;
	/* Not released: nothing to assert again. */
	if (ret == -ENODEV || i2c_adapter_gone(a->ad))
		return -ENODEV;
	return -EIO;
}

/* Assert again once the chip ACKed its poll (the write cycle is over),
 * and also after any failure: @ret is the write's result. */
static int at24_protect(struct at24 *a, int ret)
{
	int wp;

	if (!a->wp)
		return ret;
	wp = wp_gpio_protect(a->wp);
	if (ret < 0)
		return ret;
	/* The bytes landed, but the chip may be left writable: the writer
	 * must hear of it. */
	return wp == -ENODEV ? -ENODEV : wp < 0 ? -EIO : 0;
}

static ssize_t at24_write(void *priv, uint64_t off, const void *buf,
			  size_t len)
{
	struct at24 *a = priv;
	struct at24_xfer x = { .off = off, .buf = (uint8_t *)buf, .len = len };
	int ret;

	/* The core splits writes at write_chunk = page size; a page never
	 * crosses an address block. */
	if (x.len > a->page_size - off % a->page_size)
		x.len = a->page_size - off % a->page_size;
	/* A bridge with small write reports (CP2112: 61 bytes) writes a
	 * page in several parts; the core asks again for the rest. */
	if (a->max_write && x.len > a->max_write)
		x.len = a->max_write;
	ret = at24_unprotect(a);
	if (ret < 0)
		return ret;
	ret = at24_retry(a, at24_write_op, &x);
	if (ret == 0)
		ret = at24_retry(a, at24_poll_op, &x);
	ret = at24_protect(a, ret);
	if (ret < 0)
		return at24_error(ret);
	return x.len;
}

static void at24_cancel(void *priv)
{
	struct at24 *a = priv;

	pthread_mutex_lock(&a->lock);
	atomic_store(&a->cancelled, true);
	pthread_cond_broadcast(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

static uint64_t at24_retries(void *priv)
{
	struct at24 *a = priv;

	return atomic_load_explicit(&a->retries, memory_order_relaxed);
}

static void at24_destroy(void *priv)
{
	struct at24 *a = priv;

	wp_gpio_close(a->wp);
	i2c_adapter_put(a->ad);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const struct nvmem_provider_ops at24_provider_ops = {
	.name = "at24",
	.read = at24_read,
	.write = at24_write,
	.retries = at24_retries,
	.cancel = at24_cancel,
	.destroy = at24_destroy,
};

int at24_provider_open(const struct at24_params *p, struct i2c_adapter *ad,
		       void **priv, struct nvmem_provider_info *info)
{
	unsigned long funcs = i2c_adapter_funcs(ad);
	pthread_condattr_t cattr;
	uint8_t probe;
	struct at24 *a;
	ssize_t n;

	if (!p->chip) {
		wp_gpio_close(p->wp);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		wp_gpio_close(p->wp);
		return -ENOMEM;
	}
	a->wp = p->wp;
	pthread_mutex_init(&a->lock, NULL);
	/* Pauses are measured on the clock of the retry deadlines. */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&a->wake, &cattr);
	pthread_condattr_destroy(&cattr);
	a->ad = i2c_adapter_get(ad);
	a->chip = p->chip;
	a->address = p->address;
	a->addr_width = p->addr_width ? p->addr_width : p->chip->addr_width;
	a->size = p->size ? p->size : p->chip->size;
	a->page_size = p->page_size ? p->page_size : p->chip->page_size;
	a->io_limit = p->io_limit ? p->io_limit : AT24_DEFAULT_IO_LIMIT;
	a->write_timeout_ms = p->write_timeout_ms ? p->write_timeout_ms :
			      AT24_DEFAULT_WRITE_TIMEOUT_MS;
	a->bus_timeout_ms = p->bus_timeout_ms ? p->bus_timeout_ms :
			    AT24_DEFAULT_BUS_TIMEOUT_MS;
	/* The configuration refuses more; these keep msgbuf and the 16-bit
	 * message length safe whoever calls. */
	if (a->page_size > AT24_MAX_PAGE_SIZE)
		a->page_size = AT24_MAX_PAGE_SIZE;
	if (a->io_limit > AT24_MAX_IO_LIMIT)
		a->io_limit = AT24_MAX_IO_LIMIT;
	if (a->size > p->chip->size)
		a->size = p->chip->size;
	if (i2c_adapter_max_read(ad) && a->io_limit > i2c_adapter_max_read(ad))
		a->io_limit = i2c_adapter_max_read(ad);
	if (i2c_adapter_max_write(ad))
		a->max_write = i2c_adapter_max_write(ad) - a->addr_width / 8;

	memset(info, 0, sizeof(*info));
	info->read_only = p->read_only || p->chip->read_only;
	if (!(funcs & I2C_FUNC_I2C)) {
		/* The SMBus fallback the kernel driver uses: block reads of
		 * 32 bytes with an 8-bit word address; no writes. */
		if (!(funcs & I2C_FUNC_SMBUS_READ_I2C_BLOCK) ||
		    a->addr_width != 8) {
			at24_destroy(a);
			return -EOPNOTSUPP;
		}
		a->smbus_only = true;
		if (a->io_limit > I2C_SMBUS_BLOCK_MAX)
			a->io_limit = I2C_SMBUS_BLOCK_MAX;
		info->read_only = true;
	}

	/* One byte, so that a wrong bus or address fails now. */
	n = at24_read(a, 0, &probe, 1);
	if (n < 0) {
		at24_destroy(a);
		return n == -EIO ? -ENXIO : (int)n;
	}

	info->size = a->size;
	info->type = NVMEM_TYPE_EEPROM;
	info->read_chunk = a->io_limit;
	info->write_chunk = a->page_size;
	*priv = a;
	return 0;
}
