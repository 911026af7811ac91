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
 *
 * This file has the options, the start-up and the loop over uhid events,
 * and the clock and log the other parts use; cp2112_hid.c the uhid device
 * and its feature reports (the GPIOs among them); cp2112_smbus.c the
 * SMBus transfers and the EEPROM. cp2112_emul.h is what they share.
 */
#include <endian.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/uhid.h>

#include "cp2112_emul.h"

struct emu emu;

static volatile sig_atomic_t stop;
volatile sig_atomic_t silent;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		silent = !silent;
	else
		stop = 1;
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

unsigned long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void sleep_until(uint64_t t)
{
	uint64_t n = now_us();
	struct timespec ts;

	if (t <= n)
		return;
	ts.tv_sec = (t - n) / 1000000;
	ts.tv_nsec = (t - n) % 1000000 * 1000;
	nanosleep(&ts, NULL);
}

void emu_log(const char *fmt, ...)
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
