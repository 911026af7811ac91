// SPDX-License-Identifier: MIT
/*
 * cp2112-emul's HID side (tests/kernel/cp2112_emul.c): the uhid device a
 * CP2112 is to the kernel, its report descriptor, and the feature
 * reports AN495 gives it: version, SMBus configuration, strings and the
 * GPIOs, whose pin may drive the EEPROM's WP input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/uhid.h>

#include "cp2112_emul.h"

static int uhid_send(const struct uhid_event *ev)
{
	ssize_t n = write(emu.fd, ev, sizeof(*ev));

	if (n < 0) {
		fprintf(stderr, "cp2112-emul: uhid write: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

void send_input(const uint8_t *data, size_t len)
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

int plug(void)
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

void unplug(void)
{
	struct uhid_event ev = { .type = UHID_DESTROY };

	emu_log("unplug after %lld bytes read at %llu", emu.read_bytes,
		realtime_ns());
	uhid_send(&ev);
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
void wp_update(void)
{
	bool wp;

	if (emu.o.wp_gpio < 0)
		return;
	wp = gpio_level(emu.o.wp_gpio) != emu.o.wp_inverted;
	if (wp != emu.wp)
		emu_log("G wp %d at %llu", wp, realtime_ns());
	emu.wp = wp;
}

void handle_get_report(const struct uhid_get_report_req *g)
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

void handle_set_report(const struct uhid_set_report_req *s)
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

