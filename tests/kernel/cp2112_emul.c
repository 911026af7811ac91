// SPDX-License-Identifier: MIT
/*
 * cp2112-emul: a Silicon Labs CP2112 USB HID-to-SMBus bridge with an
 * AT24 EEPROM behind it, made out of /dev/uhid, for the real-kernel
 * tests (tests/kernel/). The kernel's own hid-cp2112 driver binds to it
 * and registers a real I2C adapter; destroying it is a real hot-unplug.
 *
 *   cp2112-emul [options] IMAGE
 *     --address A      7-bit I2C address of the EEPROM (default 0x50)
 *     --size N         EEPROM size in bytes (default 65536, a 24c512)
 *     --page N         page size (default 128)
 *     --width 8|16     word address bits (default 16)
 *     --clock HZ       SMBus clock (default 100000)
 *     --twr US         write cycle time in microseconds (default 5000)
 *     --serial S       USB serial number (HID uniq)
 *     --unplug-at N    vanish when byte N of the reads since start is on
 *                      the wire, in the middle of a transfer
 *     --stall-at N     stop answering when a read that would carry byte
 *                      N of the reads since start is asked for: that
 *                      request and every report after it are lost, as
 *                      by a bridge whose USB answers go missing
 *     --stall-ms MS    ... for MS milliseconds, then answer again
 *                      (default: never again)
 *     --stall-unplug   ... and at the end of the stall be pulled out
 *                      instead (a cable pulled: silence, then removal)
 *     --wp-gpio N      the bridge's GPIO.N is wired to the EEPROM's WP
 *                      input: while it is high the chip ACKs writes but
 *                      ignores them (no write cycle), as an AT24 does;
 *                      an undriven pin reads low (the chip's pull-down)
 *     --wp-inverted    ... through an inverter (a board whose WP is
 *                      asserted low): WP is high while the pin is low
 *     --log FILE       one line per bus transaction and per change of
 *                      the WP input ("G wp 0|1"); the lines of a
 *                      stall and of the unplug end in "at NS", the
 *                      CLOCK_REALTIME nanoseconds, for tests to measure
 *
 * The image (exactly N bytes) is mapped shared, so writes land in the
 * file. SIGTERM or SIGINT unplugs the bridge and exits; starting the
 * program again plugs it back in. SIGUSR1 silences the EEPROM (it NACKs
 * its address, as a chip with a loose contact does, while the bridge
 * stays plugged in) and the next SIGUSR1 brings it back.
 *
 * What the chip does is taken from the CP2112 datasheet and AN495 (the
 * HID report interface) and the AT24 datasheets: report IDs and layouts,
 * status codes, 61-byte data reports, 512-byte transfer limit; the
 * EEPROM's address pointer, roll-over within a page on writes and over
 * the whole array on reads, and NACKs during the write cycle. Time on
 * the bus is 9 clocks per byte plus start, repeated start and stop; a
 * transfer status request answers "busy" until that time has passed.
 * The GPIOs (AN495's reports 0x02 configuration, 0x03 get, 0x04 set):
 * a direction and a push-pull mask, a latch that a set report changes
 * under its mask; a pin drives its latch only as a push-pull output.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/uhid.h>

/* AN495 report IDs. */
enum {
	R_GPIO_CONFIG = 0x02,
	R_GPIO_GET = 0x03,
	R_GPIO_SET = 0x04,
	R_VERSION = 0x05,
	R_SMBUS_CONFIG = 0x06,
	R_READ_REQUEST = 0x10,
	R_WRITE_READ_REQUEST = 0x11,
	R_READ_FORCE_SEND = 0x12,
	R_READ_RESPONSE = 0x13,
	R_WRITE_REQUEST = 0x14,
	R_STATUS_REQUEST = 0x15,
	R_STATUS_RESPONSE = 0x16,
	R_CANCEL = 0x17,
	R_LOCK_BYTE = 0x20,
	R_USB_CONFIG = 0x21,
	R_MANUFACTURER = 0x22,
	R_PRODUCT = 0x23,
	R_SERIAL = 0x24,
};

enum { ST0_IDLE, ST0_BUSY, ST0_COMPLETE, ST0_ERROR };
enum { ST1_TIMEOUT_NACK = 0, ST1_SUCCESS = 5 };

#define XFER_MAX	512	/* bytes in one CP2112 transfer */
#define DATA_MAX	61	/* bytes in one data report */

struct opts {
	uint8_t address;
	uint32_t size, page;
	unsigned int width;
	uint32_t clock;
	uint32_t twr_us;
	const char *serial;
	long long unplug_at;
	long long stall_at;
	long stall_ms;		/* < 0: for good */
	bool stall_unplug;
	int wp_gpio;		/* -1: WP not wired */
	bool wp_inverted;
	const char *image, *log;
};

static struct {
	struct opts o;
	int fd;
	uint8_t *mem;
	FILE *log;
	uint32_t ptr;			/* the EEPROM's address pointer */
	uint64_t busy_until;		/* end of the write cycle, us */
	uint8_t smbus_config[14];
	/* the transfer in progress */
	bool active;
	uint64_t done_at;
	uint8_t status0, status1;
	uint8_t data[XFER_MAX];
	uint16_t len, pos;
	long long read_bytes;		/* read from the chip since start */
	uint64_t stall_until;		/* us; 0: answering */
	/* GPIO configuration (report 0x02 after its ID) and the latch */
	uint8_t gpio_dir, gpio_pp, gpio_special, gpio_clkdiv, gpio_latch;
	bool wp;			/* the EEPROM's WP input */
} emu;

static volatile sig_atomic_t stop;
static volatile sig_atomic_t silent;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		silent = !silent;
	else
		stop = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static unsigned long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	uint64_t n = now_us();
	struct timespec ts;

	if (t <= n)
		return;
	ts.tv_sec = (t - n) / 1000000;
	ts.tv_nsec = (t - n) % 1000000 * 1000;
	nanosleep(&ts, NULL);
}

static void emu_log(const char *fmt, ...)
{
	va_list ap;

	if (!emu.log)
		return;
	va_start(ap, fmt);
	vfprintf(emu.log, fmt, ap);
	va_end(ap);
	fputc('\n', emu.log);
	fflush(emu.log);
}

/* Bus time of @bytes bytes (address bytes included) and @starts
 * start/repeated-start conditions, plus the stop. */
static uint64_t bus_us(unsigned int bytes, unsigned int starts)
{
	uint64_t clocks = 9ull * bytes + 2ull * starts + 2;

	return (clocks * 1000000 + emu.o.clock - 1) / emu.o.clock;
}

static int uhid_send(const struct uhid_event *ev)
{
	ssize_t n = write(emu.fd, ev, sizeof(*ev));

	if (n < 0) {
		fprintf(stderr, "cp2112-emul: uhid write: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static void send_input(const uint8_t *data, size_t len)
{
	struct uhid_event ev = { .type = UHID_INPUT2 };

	memcpy(ev.u.input2.data, data, len);
	ev.u.input2.size = 64;	/* reports always travel as 64 bytes */
	uhid_send(&ev);
}

/* The HID report descriptor: every report the CP2112 has, vendor
 * defined, with the lengths AN495 gives (report ID not counted). */
static size_t build_descriptor(uint8_t *d)
{
	static const struct { uint8_t id, count; } features[] = {
		{ R_GPIO_CONFIG, 4 }, { R_GPIO_GET, 1 }, { R_GPIO_SET, 2 },
		{ R_VERSION, 2 }, { R_SMBUS_CONFIG, 13 }, { R_LOCK_BYTE, 1 },
		{ R_USB_CONFIG, 9 }, { R_MANUFACTURER, 62 },
		{ R_PRODUCT, 62 }, { R_SERIAL, 62 },
	};
	size_t n = 0, i;

	const uint8_t head[] = {
		0x06, 0x00, 0xff,	/* usage page: vendor 0xff00 */
		0x09, 0x01,		/* usage 1 */
		0xa1, 0x01,		/* collection: application */
		0x15, 0x00,		/* logical minimum 0 */
		0x26, 0xff, 0x00,	/* logical maximum 255 */
		0x75, 0x08,		/* report size 8 */
	};
	memcpy(d, head, sizeof(head));
	n = sizeof(head);
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const uint8_t f[] = { 0x85, features[i].id, 0x95,
				      features[i].count, 0x09, 0x01,
				      0xb1, 0x02 };
		memcpy(d + n, f, sizeof(f));
		n += sizeof(f);
	}
	/* Interrupt reports 0x10..0x17: 63 bytes in and out. */
	for (i = R_READ_REQUEST; i <= R_CANCEL; i++) {
		const uint8_t r[] = { 0x85, (uint8_t)i, 0x95, 63,
				      0x09, 0x01, 0x81, 0x02,
				      0x09, 0x01, 0x91, 0x02 };
		memcpy(d + n, r, sizeof(r));
		n += sizeof(r);
	}
	d[n++] = 0xc0;		/* end collection */
	return n;
}

static int plug(void)
{
	struct uhid_event ev = { .type = UHID_CREATE2 };
	struct uhid_create2_req *c = &ev.u.create2;

	snprintf((char *)c->name, sizeof(c->name),
		 "Silicon Labs CP2112 HID USB-to-SMBus Bridge");
	snprintf((char *)c->phys, sizeof(c->phys), "cp2112-emul");
	if (emu.o.serial)
		snprintf((char *)c->uniq, sizeof(c->uniq), "%s", emu.o.serial);
	c->rd_size = build_descriptor(c->rd_data);
	c->bus = 0x03;		/* BUS_USB */
	c->vendor = 0x10c4;
	c->product = 0xea90;
	c->version = 0x0100;
	return uhid_send(&ev);
}

static void unplug(void)
{
	struct uhid_event ev = { .type = UHID_DESTROY };

	emu_log("unplug after %lld bytes read at %llu", emu.read_bytes,
		realtime_ns());
	uhid_send(&ev);
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
static int stall_check(void)
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

/* Level of GPIO.@pin: its latch as a push-pull output, else low (an
 * open-drain output's high and an input float, pulled down). */
static bool gpio_level(unsigned int pin)
{
	uint8_t bit = 1u << pin;

	return (emu.gpio_dir & bit) && (emu.gpio_pp & bit) &&
	       (emu.gpio_latch & bit);
}

/* The WP input follows its pin after every change of the GPIOs. */
static void wp_update(void)
{
	bool wp;

	if (emu.o.wp_gpio < 0)
		return;
	wp = gpio_level(emu.o.wp_gpio) != emu.o.wp_inverted;
	if (wp != emu.wp)
		emu_log("G wp %d at %llu", wp, realtime_ns());
	emu.wp = wp;
}

/* 0: handled; 1: the bridge has been pulled out. */
static int handle_output(const uint8_t *d, size_t n)
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

static void handle_get_report(const struct uhid_get_report_req *g)
{
	struct uhid_event ev = { .type = UHID_GET_REPORT_REPLY };
	struct uhid_get_report_reply_req *rep = &ev.u.get_report_reply;
	uint8_t *p = rep->data;
	const char *s = NULL;
	size_t i;

	rep->id = g->id;
	p[0] = g->rnum;
	switch (g->rnum) {
	case R_VERSION:
		p[1] = 0x0c;	/* part number: CP2112 */
		p[2] = 0x02;	/* version 2: has repeated start */
		rep->size = 3;
		break;
	case R_SMBUS_CONFIG:
		memcpy(p, emu.smbus_config, sizeof(emu.smbus_config));
		rep->size = sizeof(emu.smbus_config);
		break;
	case R_GPIO_CONFIG:
		p[1] = emu.gpio_dir;
		p[2] = emu.gpio_pp;
		p[3] = emu.gpio_special;
		p[4] = emu.gpio_clkdiv;
		rep->size = 5;
		break;
	case R_GPIO_GET:
		for (i = 0; i < 8; i++)
			if (gpio_level(i))
				p[1] |= 1u << i;
		rep->size = 2;
		break;
	case R_LOCK_BYTE:
		p[1] = 0xff;
		rep->size = 2;
		break;
	case R_USB_CONFIG:
		p[1] = 0xc4; p[2] = 0x10; p[3] = 0x90; p[4] = 0xea;
		p[5] = 50;
		rep->size = 10;
		break;
	case R_MANUFACTURER:
		s = "Silicon Laboratories";
		break;
	case R_PRODUCT:
		s = "CP2112 HID USB-to-SMBus Bridge";
		break;
	case R_SERIAL:
		s = emu.o.serial ? emu.o.serial : "0001";
		break;
	default:
		rep->err = EIO;
		break;
	}
	if (s) {	/* USB string descriptor, UTF-16LE */
		for (i = 0; s[i] && i < 30; i++) {
			p[3 + 2 * i] = s[i];
			p[4 + 2 * i] = 0;
		}
		p[1] = 2 + 2 * i;
		p[2] = 0x03;
		rep->size = 3 + 2 * i;
	}
	uhid_send(&ev);
}

static void handle_set_report(const struct uhid_set_report_req *s)
{
	struct uhid_event ev = { .type = UHID_SET_REPORT_REPLY };

	ev.u.set_report_reply.id = s->id;
	if (s->rnum == R_SMBUS_CONFIG && s->size >= sizeof(emu.smbus_config))
		memcpy(emu.smbus_config, s->data, sizeof(emu.smbus_config));
	if (s->rnum == R_GPIO_CONFIG && s->size >= 5) {
		emu.gpio_dir = s->data[1];
		emu.gpio_pp = s->data[2];
		emu.gpio_special = s->data[3];
		emu.gpio_clkdiv = s->data[4];
		wp_update();
	}
	if (s->rnum == R_GPIO_SET && s->size >= 3) {
		emu.gpio_latch = (emu.gpio_latch & ~s->data[2]) |
				 (s->data[1] & s->data[2]);
		wp_update();
	}
	uhid_send(&ev);
}

static void usage(void)
{
	fprintf(stderr, "usage: cp2112-emul [--address A] [--size N] [--page N] "
		"[--width 8|16] [--clock HZ] [--twr US] [--serial S] "
		"[--unplug-at N] [--stall-at N [--stall-ms MS] "
		"[--stall-unplug]] [--wp-gpio N [--wp-inverted]] [--log FILE] "
		"IMAGE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "size", required_argument, NULL, 's' },
		{ "page", required_argument, NULL, 'p' },
		{ "width", required_argument, NULL, 'w' },
		{ "clock", required_argument, NULL, 'c' },
		{ "twr", required_argument, NULL, 't' },
		{ "serial", required_argument, NULL, 'S' },
		{ "unplug-at", required_argument, NULL, 'u' },
		{ "stall-at", required_argument, NULL, 'A' },
		{ "stall-ms", required_argument, NULL, 'M' },
		{ "stall-unplug", no_argument, NULL, 'U' },
		{ "wp-gpio", required_argument, NULL, 'g' },
		{ "wp-inverted", no_argument, NULL, 'i' },
		{ "log", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	struct uhid_event ev;
	struct stat st;
	int c, imgfd, ret = 0;
	bool started = false;

	emu.o = (struct opts){ .address = 0x50, .size = 65536, .page = 128,
			       .width = 16, .clock = 100000, .twr_us = 5000,
			       .unplug_at = -1, .stall_at = -1,
			       .stall_ms = -1, .wp_gpio = -1 };
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'a': emu.o.address = strtoul(optarg, NULL, 0); break;
		case 's': emu.o.size = strtoul(optarg, NULL, 0); break;
		case 'p': emu.o.page = strtoul(optarg, NULL, 0); break;
		case 'w': emu.o.width = strtoul(optarg, NULL, 0); break;
		case 'c': emu.o.clock = strtoul(optarg, NULL, 0); break;
		case 't': emu.o.twr_us = strtoul(optarg, NULL, 0); break;
		case 'S': emu.o.serial = optarg; break;
		case 'u': emu.o.unplug_at = strtoll(optarg, NULL, 0); break;
		case 'A': emu.o.stall_at = strtoll(optarg, NULL, 0); break;
		case 'M': emu.o.stall_ms = strtol(optarg, NULL, 0); break;
		case 'U': emu.o.stall_unplug = true; break;
		case 'g': emu.o.wp_gpio = strtol(optarg, NULL, 0); break;
		case 'i': emu.o.wp_inverted = true; break;
		case 'l': emu.o.log = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || !emu.o.size || !emu.o.page || !emu.o.clock ||
	    (emu.o.width != 8 && emu.o.width != 16) || emu.o.wp_gpio > 7)
		usage();
	emu.o.image = argv[optind];

	imgfd = open(emu.o.image, O_RDWR);
	if (imgfd < 0 || fstat(imgfd, &st) < 0 || st.st_size != emu.o.size) {
		fprintf(stderr, "cp2112-emul: %s: need a file of %u bytes\n",
			emu.o.image, emu.o.size);
		return 1;
	}
	emu.mem = mmap(NULL, emu.o.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       imgfd, 0);
	if (emu.mem == MAP_FAILED) {
		perror("cp2112-emul: mmap");
		return 1;
	}
	if (emu.o.log && !(emu.log = fopen(emu.o.log, "a"))) {
		perror(emu.o.log);
		return 1;
	}
	/* Power-on SMBus configuration: the clock we emulate, 0 timeouts. */
	emu.smbus_config[0] = R_SMBUS_CONFIG;
	*(uint32_t *)(emu.smbus_config + 1) = htobe32(emu.o.clock);
	/* Power-on GPIOs: inputs, latch high (AN495's defaults). */
	emu.gpio_latch = 0xff;
	wp_update();

	emu.fd = open("/dev/uhid", O_RDWR | O_CLOEXEC);
	if (emu.fd < 0) {
		perror("cp2112-emul: /dev/uhid");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (plug() < 0)
		return 1;
	emu_log("plug");

	while (!stop) {
		struct pollfd pfd = { .fd = emu.fd, .events = POLLIN };
		int timeout = 200;

		/* A stall ends on time, whether reports come or not. */
		if (emu.stall_until && emu.stall_until != UINT64_MAX) {
			uint64_t n = now_us();

			if (emu.stall_until <= n)
				timeout = 0;
			else if (emu.stall_until - n < 200000)
				timeout = (emu.stall_until - n + 999) / 1000;
		}
		if (stall_check())
			goto out;
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		if (read(emu.fd, &ev, sizeof(ev)) <= 0)
			continue;
		switch (ev.type) {
		case UHID_START:
			started = true;
			break;
		case UHID_OUTPUT:
			if (handle_output(ev.u.output.data,
					  ev.u.output.size) == 1)
				goto out;
			break;
		case UHID_GET_REPORT:
			handle_get_report(&ev.u.get_report);
			break;
		case UHID_SET_REPORT:
			handle_set_report(&ev.u.set_report);
			break;
		default:
			break;
		}
	}
out:
	if (!started)
		ret = 1;
	unplug();
	msync(emu.mem, emu.o.size, MS_SYNC);
	return ret;
}
