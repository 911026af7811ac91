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
 * until the write timeout; an adapter that is gone fails at once.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "at24.h"
#include "i2c.h"
#include "log.h"

/*
 * Lifetime: see provider.h. @ad is referenced and released in destroy.
 * @cancelled is set by cancel() from another thread while read/write
 * may be retrying.
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
	bool smbus_only;	/* adapter without plain I2C */
	atomic_bool cancelled;
};

static uint64_t at24_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static bool at24_gone(int err)
{
	return err == -ENODEV || err == -ESHUTDOWN;
}

/* A NACK or bus timeout: the chip may answer on the next try. */
static bool at24_retryable(int err)
{
	return err == -ENXIO || err == -EREMOTEIO || err == -EAGAIN ||
	       err == -ETIMEDOUT || err == -EIO;
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
 * gone, else EIO for every bus error (DESIGN.md), whatever the adapter
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

/*
 * Run @op until it succeeds, the adapter is gone, the device is being
 * unregistered, or the write timeout passes. One transaction at a time
 * on the bus: the adapter lock is held per attempt, not across sleeps.
 */
static int at24_retry(struct at24 *a, int (*op)(struct at24 *a, void *arg),
		      void *arg)
{
	uint64_t deadline = at24_now_us() + a->write_timeout_ms * 1000ull;
	struct timespec pause = { 0, 200 * 1000 };
	int ret;

	for (;;) {
		if (atomic_load_explicit(&a->cancelled, memory_order_relaxed))
			return -ENODEV;
		i2c_adapter_lock(a->ad);
		ret = op(a, arg);
		i2c_adapter_unlock(a->ad);
		if (ret >= 0 || at24_gone(ret) || !at24_retryable(ret))
			return ret;
		if (at24_now_us() > deadline)
			return -EIO;
		nanosleep(&pause, NULL);
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
	ret = at24_retry(a, at24_write_op, &x);
	if (ret == 0)
		ret = at24_retry(a, at24_poll_op, &x);
	if (ret < 0)
		return at24_error(ret);
	return x.len;
}

static void at24_cancel(void *priv)
{
	struct at24 *a = priv;

	atomic_store(&a->cancelled, true);
}

static void at24_destroy(void *priv)
{
	struct at24 *a = priv;

	i2c_adapter_put(a->ad);
	free(a);
}

const struct nvmem_provider_ops at24_provider_ops = {
	.name = "at24",
	.read = at24_read,
	.write = at24_write,
	.cancel = at24_cancel,
	.destroy = at24_destroy,
};

int at24_provider_open(const struct at24_params *p, struct i2c_adapter *ad,
		       void **priv, struct nvmem_provider_info *info)
{
	unsigned long funcs = i2c_adapter_funcs(ad);
	uint8_t probe;
	struct at24 *a;
	ssize_t n;

	if (!p->chip)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->ad = i2c_adapter_get(ad);
	a->chip = p->chip;
	a->address = p->address;
	a->addr_width = p->addr_width ? p->addr_width : p->chip->addr_width;
	a->size = p->size ? p->size : p->chip->size;
	a->page_size = p->page_size ? p->page_size : p->chip->page_size;
	a->io_limit = p->io_limit ? p->io_limit : AT24_DEFAULT_IO_LIMIT;
	a->write_timeout_ms = p->write_timeout_ms ? p->write_timeout_ms :
			      AT24_DEFAULT_WRITE_TIMEOUT_MS;
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
