/* SPDX-License-Identifier: MIT */
/*
 * A write-protect line, as the kernel's "wp-gpios" of an EEPROM: held
 * asserted while the chip is idle and released only around a write
 * (wp_gpio_unprotect() .. wp_gpio_protect()), so that nothing else that
 * reaches the bus can change the chip meanwhile.
 *
 * The line is a GPIO through libgpiod's character-device API
 * (wp_gpio_open()), or anything else that can drive a level
 * (wp_gpio_new(): the emulated chip's WP input in emul/i2c_emul.c).
 * Polarity is applied here: the backend is given the physical level.
 *
 * Lifetime: one owner (the at24 provider, which closes it in its destroy
 * op). Any thread may call unprotect/protect: they nest, and the line is
 * asserted again only when the last writer is done.
 */
#ifndef NVMEMFS_WP_GPIO_H
#define NVMEMFS_WP_GPIO_H

#include <stdbool.h>
#include <stddef.h>

struct wp_gpio;

struct wp_gpio_ops {
	/* Drive the line to the physical @level (true: high). 0, -ENODEV
	 * when the line has gone with its chip, or another -errno. */
	int (*set)(void *priv, bool level);
	/* Release the line and free @priv. */
	void (*close)(void *priv);
};

/* Which line: what the configuration says (wp-gpio, wp-gpio-active). */
struct wp_gpio_params {
	const char *chip;	/* /dev/gpiochipN, gpiochipN, N or a label */
	const char *line;	/* an offset or a line name */
	bool active_low;	/* asserted = low */
	/* The I2C bus the chip is on, -1: unknown. When several GPIO chips
	 * carry the label, the one on the same device as this adapter is
	 * meant (the CP2112's own GPIOs). */
	int i2c_bus;
};

/*
 * Request the line as an output, asserted. 0, or -errno with a message
 * for the user in @why: -ENOENT no such chip (yet: a USB bridge adds its
 * GPIO chip just after its I2C adapter), -ENOTUNIQ a label several
 * chips carry, -ERANGE no such line, -EBUSY the line is someone else's.
 */
int wp_gpio_open(const struct wp_gpio_params *p, struct wp_gpio **out,
		 char *why, size_t len);

/* Wrap @ops/@priv (owned from now on; closed also on failure) and drive
 * it asserted. 0 or -errno. */
int wp_gpio_new(const struct wp_gpio_ops *ops, void *priv, bool active_low,
		struct wp_gpio **out);

/* Release write protection for a write; nests. 0 or -errno (-ENODEV:
 * the line has gone). On failure the line counts as not released. */
int wp_gpio_unprotect(struct wp_gpio *g);
/* End of a write: assert again once no other write is in progress.
 * 0 or -errno (-ENODEV: gone; the chip's GPIOs went with it). */
int wp_gpio_protect(struct wp_gpio *g);
/* Whether the line is asserted now (for tests and logs). */
bool wp_gpio_asserted(struct wp_gpio *g);

void wp_gpio_close(struct wp_gpio *g);

#endif
