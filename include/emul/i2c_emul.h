/* SPDX-License-Identifier: MIT */
/*
 * An emulated I2C bus with AT24 chips on it, behind the same adapter
 * interface as /dev/i2c-N, so the real at24 provider runs on it unchanged
 * in tests and in the demo. It behaves like the chip: an address pointer
 * that auto-increments, wraps inside a page on writes and at the end of
 * the array on reads; a write cycle during which the chip NACKs; bus time
 * of 9 bits per byte plus start/stop at the configured clock (slept, so
 * races with an unplug are real); and injectable faults.
 */
#ifndef NVMEMFS_I2C_EMUL_H
#define NVMEMFS_I2C_EMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct at24_chip;
struct i2c_adapter;
struct i2c_emul;
struct wp_gpio;

struct i2c_emul_stats {
	uint64_t bus_ns;	/* time the bus was busy */
	uint64_t transfers;	/* transactions attempted */
	uint64_t nacks;		/* transactions NACKed */
	uint64_t data_bytes;	/* data bytes read or written */
	uint64_t busy_writes;	/* writes with data sent while busy */
	uint64_t polls_acked;	/* address-only writes that ACKed */
	uint64_t collisions;	/* transfers started while the bus was
				 * busy with another (must never happen) */
	uint64_t stalled;	/* transfers lost to a stall */
	uint64_t wp_ignored;	/* data writes ignored: WP was high */
};

/*
 * A bus at @clock_hz (e.g. 100000, 400000). With @sleep false the bus time
 * is only counted (fast unit tests); with it true every transfer takes its
 * bus time. Returns an adapter (one reference) owning the bus.
 */
struct i2c_adapter *i2c_emul_new(unsigned int clock_hz, bool sleep,
				 struct i2c_emul **emul);

/* Attach a chip at @address with @image (copied; size = chip size) and a
 * write cycle of @t_wr_us. */
int i2c_emul_add_chip(struct i2c_emul *e, const struct at24_chip *chip,
		      uint16_t address, const uint8_t *image,
		      uint32_t t_wr_us);

/* Copy the current contents of chip @index out. */
int i2c_emul_image(struct i2c_emul *e, unsigned int index, uint8_t *buf,
		   size_t len);

/* Faults. */
void i2c_emul_nack_next(struct i2c_emul *e, unsigned int n);
void i2c_emul_timeout_next(struct i2c_emul *e, unsigned int n);
/* After @bytes more data bytes on the wire the adapter is gone: the
 * transfer in progress is cut there and every later one fails -ENODEV. */
void i2c_emul_unplug_after(struct i2c_emul *e, uint64_t bytes);
void i2c_emul_replug(struct i2c_emul *e);
/*
 * The bus falls silent, as a USB bridge that loses its answers: for the
 * next @ms milliseconds (0: end it now, UINT_MAX: until then) every
 * transfer moves nothing and fails -ETIMEDOUT after @timeout_ms, the
 * bridge's own transfer timeout. That wait is slept even on a bus that
 * does not sleep: a stall is wall-clock time. An unplug during a stall
 * does not cut the transfer in flight short (a bridge driver only sees
 * its timeout); the adapter's gone op tells it.
 */
void i2c_emul_stall(struct i2c_emul *e, unsigned int ms,
		    unsigned int timeout_ms);

void i2c_emul_stats(struct i2c_emul *e, struct i2c_emul_stats *st);

/* Behave like an SMBus-only adapter (no I2C_FUNC_I2C, plain I2C messages
 * refused, SMBus "I2C block read" of up to 32 bytes instead). */
void i2c_emul_set_smbus_only(struct i2c_emul *e, bool on);

/* Behave like a USB bridge with small reports: messages longer than
 * @max_read / @max_write bytes (0: any) fail with EINVAL, as the CP2112
 * driver's do. Tell the adapter with i2c_adapter_set_limits(). */
void i2c_emul_set_limits(struct i2c_emul *e, unsigned int max_read,
			 unsigned int max_write);

/*
 * The WP input of chip @index, high: write-protected, as an AT24's (its
 * data bytes are ACKed but not stored, and no write cycle starts). Low
 * at power-on, as the chip's own pull-down keeps it.
 */
void i2c_emul_set_wp(struct i2c_emul *e, unsigned int index, bool high);
/*
 * A write-protect line (providers/wp_gpio.h) wired straight to that
 * input, asserted from now on; @active_low as wp-gpio-active says (then
 * asserted drives WP low: a wrong polarity leaves the chip writable).
 * It fails -ENODEV once the bus is unplugged. Close it before the
 * bus's adapter goes (the at24 provider does).
 */
int i2c_emul_wp_gpio(struct i2c_emul *e, unsigned int index, bool active_low,
		     struct wp_gpio **out);

#endif
