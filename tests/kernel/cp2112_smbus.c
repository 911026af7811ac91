// SPDX-License-Identifier: MIT
/*
 * cp2112-emul's bus side (tests/kernel/cp2112_emul.c): the interrupt
 * reports that carry SMBus transfers, the time they take on the bus, the
 * stalls and the unplug in the middle of one, and the AT24 EEPROM that
 * answers them, with its address pointer, page writes and write cycle.
 */
#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cp2112_emul.h"

/* Bus time of @bytes bytes (address bytes included) and @starts
 * start/repeated-start conditions, plus the stop. */
static uint64_t bus_us(unsigned int bytes, unsigned int starts)
{
	uint64_t clocks = 9ull * bytes + 2ull * starts + 2;

	return (clocks * 1000000 + emu.o.clock - 1) / emu.o.clock;
}

static bool chip_acks(uint8_t addr7, uint64_t t)
{
	return addr7 == emu.o.address && t >= emu.busy_until && !silent;
}

static uint32_t take_word(const uint8_t *p, unsigned int n)
{
	uint32_t w = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		w = w << 8 | p[i];
	return w % emu.o.size;
}

static void xfer_start(uint64_t duration, bool ok)
{
	emu.active = true;
	emu.done_at = now_us() + duration;
	emu.status0 = ok ? ST0_COMPLETE : ST0_ERROR;
	emu.status1 = ok ? ST1_SUCCESS : ST1_TIMEOUT_NACK;
	emu.pos = 0;
}

/*
 * The bridge stops answering: the transfer asked for is never made, and
 * no report is answered until the stall ends (stall_check). Nothing in
 * flight is answered late either: the kernel's driver, which gave up
 * waiting, would take a late answer for the next transfer's.
 */
static void stall_start(void)
{
	emu.o.stall_at = -1;
	emu.active = false;
	emu.stall_until = emu.o.stall_ms < 0 ? UINT64_MAX :
			  now_us() + emu.o.stall_ms * 1000ull;
	emu_log("stall after %lld bytes read at %llu", emu.read_bytes,
		realtime_ns());
}

/* 1 when the stall has ended in an unplug. */
int stall_check(void)
{
	if (!emu.stall_until || now_us() < emu.stall_until)
		return 0;
	emu.stall_until = 0;
	if (emu.o.stall_unplug)
		return 1;
	emu_log("answers again at %llu", realtime_ns());
	return 0;
}

static bool stall_due(uint16_t len)
{
	if (emu.o.stall_at < 0 || emu.read_bytes + len <= emu.o.stall_at)
		return false;
	stall_start();
	return true;
}

/* Read @len bytes at the address pointer into the transfer buffer,
 * vanishing half-way if --unplug-at says so. */
static bool chip_read(uint16_t len, uint64_t t0)
{
	uint16_t i;

	if (emu.o.unplug_at >= 0 && emu.read_bytes + len > emu.o.unplug_at) {
		uint32_t k = emu.o.unplug_at - emu.read_bytes;

		/* Pulled out while byte k is on the wire. */
		sleep_until(t0 + bus_us(k, 1));
		emu.read_bytes += k;
		return false;
	}
	for (i = 0; i < len; i++) {
		emu.data[i] = emu.mem[emu.ptr];
		emu.ptr = (emu.ptr + 1) % emu.o.size;
	}
	emu.read_bytes += len;
	emu.len = len;
	return true;
}

/* 0: handled; 1: the bridge has been pulled out. */
int handle_output(const uint8_t *d, size_t n)
{
	uint64_t t = now_us();
	unsigned int w = emu.o.width / 8;
	uint16_t len;
	uint8_t addr7;
	uint8_t r[64] = { 0 };

	if (n < 2)
		return 0;
	if (stall_check())
		return 1;
	if (emu.stall_until)
		return 0;		/* lost */
	switch (d[0]) {
	case R_READ_REQUEST:		/* current-address read */
		addr7 = d[1] >> 1;
		len = be16toh(*(const uint16_t *)(d + 2));
		if (len < 1 || len > XFER_MAX)
			return 0;
		if (stall_due(len))
			return 0;
		if (!chip_acks(addr7, t)) {
			xfer_start(bus_us(1, 1), false);
			emu_log("R nack");
			return 0;
		}
		emu_log("R %u %u", emu.ptr, len);
		if (!chip_read(len, t))
			return 1;
		xfer_start(bus_us(1 + len, 1), true);
		return 0;
	case R_WRITE_READ_REQUEST:
		addr7 = d[1] >> 1;
		len = be16toh(*(const uint16_t *)(d + 2));
		if (len < 1 || len > XFER_MAX || d[4] > 16)
			return 0;
		if (stall_due(len))
			return 0;
		if (!chip_acks(addr7, t)) {
			xfer_start(bus_us(1, 1), false);
			emu_log("WR nack");
			return 0;
		}
		if (d[4] >= w)
			emu.ptr = take_word(d + 5, w);
		emu_log("R %u %u", emu.ptr, len);
		if (!chip_read(len, t + bus_us(1 + d[4], 1)))
			return 1;
		xfer_start(bus_us(2 + d[4] + len, 2), true);
		return 0;
	case R_WRITE_REQUEST: {
		uint32_t page_base, off;
		unsigned int i;

		addr7 = d[1] >> 1;
		len = d[2];
		if (len < 1 || len > DATA_MAX)
			return 0;
		if (!chip_acks(addr7, t)) {
			xfer_start(bus_us(1, 1), false);
			emu_log("W nack");
			return 0;
		}
		xfer_start(bus_us(1 + len, 1), true);
		if (len < w) {
			emu_log("W probe");
			return 0;
		}
		emu.ptr = take_word(d + 3, w);
		if (len == w) {		/* sets the pointer only */
			emu_log("W probe");
			return 0;
		}
		if (emu.wp) {		/* ACKed, ignored, no write cycle */
			emu_log("W %u %u ignored (WP)", emu.ptr, len - w);
			return 0;
		}
		/* Page write: the low address bits roll over in the page. */
		page_base = emu.ptr - emu.ptr % emu.o.page;
		off = emu.ptr % emu.o.page;
		emu_log("W %u %u", emu.ptr, len - w);
		for (i = w; i < len; i++) {
			emu.mem[page_base + off] = d[3 + i];
			off = (off + 1) % emu.o.page;
		}
		emu.ptr = page_base + off;
		emu.busy_until = emu.done_at + emu.o.twr_us;
		return 0;
	}
	case R_STATUS_REQUEST:
		if (emu.active && t < emu.done_at) {
			/* Answer at the end of the transfer, but no later
			 * than a USB interrupt interval or so would allow. */
			sleep_until(emu.done_at < t + 20000 ? emu.done_at :
				    t + 20000);
			t = now_us();
		}
		r[0] = R_STATUS_RESPONSE;
		if (!emu.active) {
			r[1] = ST0_IDLE;
		} else if (t < emu.done_at) {
			r[1] = ST0_BUSY;
		} else {
			r[1] = emu.status0;
			r[2] = emu.status1;
			*(uint16_t *)(r + 5) = htobe16(emu.status0 ==
				ST0_COMPLETE ? emu.len : 0);
			if (emu.status0 == ST0_ERROR)
				emu.active = false;
		}
		send_input(r, 7);
		return 0;
	case R_READ_FORCE_SEND: {
		uint16_t want = be16toh(*(const uint16_t *)(d + 1));
		uint16_t k = emu.len - emu.pos;

		if (k > want)
			k = want;
		if (k > DATA_MAX)
			k = DATA_MAX;
		r[0] = R_READ_RESPONSE;
		r[1] = ST0_COMPLETE;
		r[2] = k;
		memcpy(r + 3, emu.data + emu.pos, k);
		emu.pos += k;
		if (emu.pos >= emu.len)
			emu.active = false;
		send_input(r, 3 + k);
		return 0;
	}
	case R_CANCEL:
		emu.active = false;
		return 0;
	}
	return 0;
}

