/* SPDX-License-Identifier: MIT */
/*
 * Private to cp2112-emul (cp2112_emul.c has the overview): what its parts
 * share. The CP2112's report IDs and status codes, the options, the
 * emulator's one state, and the functions each part gives the others.
 */
#ifndef NVMEMFS_CP2112_EMUL_H
#define NVMEMFS_CP2112_EMUL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

struct emu {
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
};

extern struct emu emu;
extern volatile sig_atomic_t silent;

/* cp2112_emul.c: time and the log */
uint64_t now_us(void);
unsigned long long realtime_ns(void);
void sleep_until(uint64_t t);
void emu_log(const char *fmt, ...);

/* cp2112_hid.c: the uhid device, its feature reports and the GPIOs */
void send_input(const uint8_t *data, size_t len);
int plug(void);
void unplug(void);
void wp_update(void);
void handle_get_report(const struct uhid_get_report_req *g);
void handle_set_report(const struct uhid_set_report_req *s);

/* cp2112_smbus.c: the SMBus transfers and the EEPROM behind them */
int stall_check(void);
int handle_output(const uint8_t *d, size_t n);

#endif
