// SPDX-License-Identifier: MIT
/* Write-protect lines (wp_gpio.h), and the libgpiod backend. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gpiod.h>

#include "providers/wp_gpio.h"
#include "base/log.h"
#include "base/util.h"

/*
 * @lock orders the level changes and guards @writers, the writes in
 * progress: the line is released for the first and asserted again after
 * the last, so that one writer's end never protects the chip under
 * another's bus write. @asserted is what was last driven successfully.
 */
struct wp_gpio {
	const struct wp_gpio_ops *ops;
	void *priv;
	bool active_low;
	pthread_mutex_t lock;
	unsigned int writers;
	bool asserted;
};

/* A failed level change that is not the chip going away may be a USB
 * hiccup (the CP2112's GPIOs are HID requests): tried this often. */
#define WP_GPIO_TRIES	3

static int wp_gpio_drive(struct wp_gpio *g, bool assert)
{
	int ret = -EIO, i;

	for (i = 0; i < WP_GPIO_TRIES; i++) {
		ret = g->ops->set(g->priv, assert != g->active_low);
		if (ret == 0) {
			g->asserted = assert;
			return 0;
		}
		if (ret == -ENODEV)
			return ret;
	}
	return ret;
}

int wp_gpio_new(const struct wp_gpio_ops *ops, void *priv, bool active_low,
		struct wp_gpio **out)
{
	struct wp_gpio *g = calloc(1, sizeof(*g));
	int ret;

	if (!g) {
		ops->close(priv);
		return -ENOMEM;
	}
	g->ops = ops;
	g->priv = priv;
	g->active_low = active_low;
	pthread_mutex_init(&g->lock, NULL);
	ret = wp_gpio_drive(g, true);
	if (ret < 0) {
		wp_gpio_close(g);
		return ret;
	}
	*out = g;
	return 0;
}

int wp_gpio_unprotect(struct wp_gpio *g)
{
	int ret = 0;

	pthread_mutex_lock(&g->lock);
	if (g->writers == 0)
		ret = wp_gpio_drive(g, false);
	if (ret == 0)
		g->writers++;
	pthread_mutex_unlock(&g->lock);
	return ret;
}

int wp_gpio_protect(struct wp_gpio *g)
{
	int ret = 0;

	pthread_mutex_lock(&g->lock);
	if (g->writers && --g->writers == 0)
		ret = wp_gpio_drive(g, true);
	pthread_mutex_unlock(&g->lock);
	if (ret < 0 && ret != -ENODEV)
		log_err("wp-gpio: cannot assert write protection again: %s",
			strerror(-ret));
	return ret;
}

bool wp_gpio_asserted(struct wp_gpio *g)
{
	bool a;

	pthread_mutex_lock(&g->lock);
	a = g->asserted;
	pthread_mutex_unlock(&g->lock);
	return a;
}

void wp_gpio_close(struct wp_gpio *g)
{
	if (!g)
		return;
	g->ops->close(g->priv);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* ---- libgpiod (the GPIO character device) ---- */

struct wp_cdev {
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	dev_t rdev;		/* of /dev/gpiochipN, to tell it has gone */
};

/*
 * The line's chip has gone when its node has left sysfs: the request
 * then fails with whatever the chip's driver saw first (hid-cp2112 does
 * not even report a failed level change), so the node is asked.
 */
static int wp_cdev_set(void *priv, bool level)
{
	struct wp_cdev *c = priv;
	int ret = 0;

	if (gpiod_line_set_value(c->line, level) < 0)
		ret = -errno;
	if (!util_dev_present(c->rdev, false))
		return -ENODEV;
	return ret;
}

static void wp_cdev_close(void *priv)
{
	struct wp_cdev *c = priv;

	/* The kernel keeps the last level driven: asserted, unless the
	 * chip went first, and then its GPIOs went with it. */
	gpiod_line_release(c->line);
	gpiod_chip_close(c->chip);
	free(c);
}

static const struct wp_gpio_ops wp_cdev_ops = {
	.set = wp_cdev_set,
	.close = wp_cdev_close,
};

static bool wp_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* The device a sysfs device hangs off: @path/.. resolved. */
static bool wp_sysfs_parent(const char *path, char *out)
{
	char up[PATH_MAX];

	snprintf(up, sizeof(up), "%s/..", path);
	return realpath(up, out) != NULL;
}

/* Whether GPIO chip @name sits on the same device as I2C bus @bus. */
static bool wp_same_device(const char *name, int bus)
{
	char a[PATH_MAX], b[PATH_MAX], path[64];

	if (bus < 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/i2c/devices/i2c-%d", bus);
	if (!wp_sysfs_parent(path, a))
		return false;
	snprintf(path, sizeof(path), "/sys/bus/gpio/devices/%s", name);
	return wp_sysfs_parent(path, b) && !strcmp(a, b);
}

/* The chip by label: one that carries it, or of several the one on the
 * adapter's device. */
static int wp_chip_by_label(const struct wp_gpio_params *p,
			    struct gpiod_chip **out, char *why, size_t len)
{
	struct gpiod_chip_iter *it = gpiod_chip_iter_new();
	struct gpiod_chip *chip, *first = NULL, *near = NULL;
	unsigned int n = 0;

	if (!it) {
		/* No GPIO chip at all gives ENOENT here. */
		snprintf(why, len, "no GPIO chip '%s' (a name, path, number or label)",
			 p->chip);
		return errno == ENOENT ? -ENOENT : -errno;
	}
	gpiod_foreach_chip_noclose(it, chip) {
		if (strcmp(gpiod_chip_label(chip), p->chip)) {
			gpiod_chip_close(chip);
			continue;
		}
		n++;
		if (!near && wp_same_device(gpiod_chip_name(chip), p->i2c_bus))
			near = chip;
		else if (!first)
			first = chip;
		else
			gpiod_chip_close(chip);
	}
	gpiod_chip_iter_free_noclose(it);
	if (near) {
		if (first)
			gpiod_chip_close(first);
		*out = near;
		return 0;
	}
	if (n == 1) {
		*out = first;
		return 0;
	}
	if (first)
		gpiod_chip_close(first);
	if (n > 1) {
		snprintf(why, len, "%u GPIO chips carry the label '%s' and none is on the I2C adapter's device: name one (gpiochipN)",
			 n, p->chip);
		return -ENOTUNIQ;
	}
	snprintf(why, len, "no GPIO chip '%s' (a name, path, number or label)",
		 p->chip);
	return -ENOENT;
}

static int wp_chip_open(const struct wp_gpio_params *p,
			struct gpiod_chip **out, char *why, size_t len)
{
	struct gpiod_chip *chip = NULL;

	if (p->chip[0] == '/')
		chip = gpiod_chip_open(p->chip);
	else if (wp_all_digits(p->chip))
		chip = gpiod_chip_open_by_number(strtoul(p->chip, NULL, 10));
	else if (!strncmp(p->chip, "gpiochip", 8))
		chip = gpiod_chip_open_by_name(p->chip);
	else
		return wp_chip_by_label(p, out, why, len);
	if (!chip) {
		int err = errno;

		snprintf(why, len, "GPIO chip '%s': %s", p->chip, strerror(err));
		return err == ENODEV || err == ENXIO ? -ENOENT : -err;
	}
	*out = chip;
	return 0;
}

int wp_gpio_open(const struct wp_gpio_params *p, struct wp_gpio **out,
		 char *why, size_t len)
{
	struct wp_cdev *c;
	char node[300];
	struct stat st;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = wp_chip_open(p, &c->chip, why, len);
	if (ret < 0)
		goto err_free;
	snprintf(node, sizeof(node), "/dev/%s", gpiod_chip_name(c->chip));
	if (stat(node, &st) < 0 || !S_ISCHR(st.st_mode)) {
		snprintf(why, len, "%s: not there", node);
		ret = -ENOENT;
		goto err_chip;
	}
	c->rdev = st.st_rdev;
	if (wp_all_digits(p->line)) {
		unsigned long off = strtoul(p->line, NULL, 10);

		if (off >= gpiod_chip_num_lines(c->chip)) {
			snprintf(why, len, "%s (%s) has lines 0 to %u, not %s",
				 gpiod_chip_name(c->chip),
				 gpiod_chip_label(c->chip),
				 gpiod_chip_num_lines(c->chip) - 1, p->line);
			ret = -ERANGE;
			goto err_chip;
		}
		c->line = gpiod_chip_get_line(c->chip, off);
	} else {
		c->line = gpiod_chip_find_line(c->chip, p->line);
		if (!c->line && (errno == ENOENT || errno == 0)) {
			snprintf(why, len, "%s (%s) has no line named '%s'",
				 gpiod_chip_name(c->chip),
				 gpiod_chip_label(c->chip), p->line);
			ret = -ERANGE;
			goto err_chip;
		}
	}
	if (!c->line) {
		ret = -errno;
		snprintf(why, len, "%s line %s: %s", gpiod_chip_name(c->chip),
			 p->line, strerror(-ret));
		goto err_chip;
	}
	/* Asserted from the request on: never a moment unprotected. */
	if (gpiod_line_request_output(c->line, "nvmemfs",
				      !p->active_low) < 0) {
		ret = -errno;
		if (ret == -EBUSY)
			snprintf(why, len, "%s line %s is used by %s",
				 gpiod_chip_name(c->chip), p->line,
				 gpiod_line_consumer(c->line) ?
				 gpiod_line_consumer(c->line) : "another user");
		else
			snprintf(why, len, "%s line %s: %s",
				 gpiod_chip_name(c->chip), p->line,
				 strerror(-ret));
		goto err_chip;
	}
	/* Which chip a label or number came to, for the one who wired it. */
	log_info("wp-gpio %s %s: %s (%s) line %s, active %s", p->chip, p->line,
		 gpiod_chip_name(c->chip), gpiod_chip_label(c->chip), p->line,
		 p->active_low ? "low" : "high");
	return wp_gpio_new(&wp_cdev_ops, c, p->active_low, out);

err_chip:
	gpiod_chip_close(c->chip);
err_free:
	free(c);
	return ret;
}
