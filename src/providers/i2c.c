// SPDX-License-Identifier: MIT
/* I2C adapters: shared, locked, and the real /dev/i2c-N transport. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/i2c-dev.h>

#include "providers/i2c.h"
#include "base/util.h"
#include "core/provider.h"

/*
 * @lock serialises transactions on the bus; @refs counts the providers
 * (and the opener) holding the adapter.
 */
struct i2c_adapter {
	int bus;
	const struct i2c_adapter_ops *ops;
	void *priv;
	unsigned int max_read;	/* 0: no limit */
	unsigned int max_write;
	pthread_mutex_t lock;
	struct util_ref refs;
	struct i2c_adapter *next;	/* in i2c_open_list, /dev/i2c-N only */
};

/*
 * Open /dev/i2c-N adapters, one per bus, so that every device on a bus
 * shares one adapter and one lock. An adapter leaves the list when its
 * last reference goes (under i2c_open_lock, so a concurrent open never
 * finds one that is being freed).
 */
static pthread_mutex_t i2c_open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct i2c_adapter *i2c_open_list;

struct i2c_adapter *i2c_adapter_new(int bus, const struct i2c_adapter_ops *ops,
				    void *priv)
{
	struct i2c_adapter *ad = calloc(1, sizeof(*ad));

	if (!ad)
		return NULL;
	ad->bus = bus;
	ad->ops = ops;
	ad->priv = priv;
	ad->max_read = ops->max_read;
	ad->max_write = ops->max_write;
	pthread_mutex_init(&ad->lock, NULL);
	util_ref_init(&ad->refs);
	return ad;
}

struct i2c_adapter *i2c_adapter_get(struct i2c_adapter *ad)
{
	util_ref_get(&ad->refs);
	return ad;
}

void i2c_adapter_put(struct i2c_adapter *ad)
{
	struct i2c_adapter **pp;

	if (!ad)
		return;
	if (ad->bus >= 0) {
		/* A shared /dev/i2c-N adapter: drop it from the list and
		 * the count together. */
		pthread_mutex_lock(&i2c_open_lock);
		if (!util_ref_put(&ad->refs)) {
			pthread_mutex_unlock(&i2c_open_lock);
			return;
		}
		for (pp = &i2c_open_list; *pp; pp = &(*pp)->next) {
			if (*pp == ad) {
				*pp = ad->next;
				break;
			}
		}
		pthread_mutex_unlock(&i2c_open_lock);
	} else if (!util_ref_put(&ad->refs)) {
		return;
	}
	if (ad->ops->close)
		ad->ops->close(ad->priv);
	pthread_mutex_destroy(&ad->lock);
	free(ad);
}

int i2c_adapter_bus(const struct i2c_adapter *ad)
{
	return ad->bus;
}

void i2c_adapter_lock(struct i2c_adapter *ad)
{
	pthread_mutex_lock(&ad->lock);
}

void i2c_adapter_unlock(struct i2c_adapter *ad)
{
	pthread_mutex_unlock(&ad->lock);
}

int i2c_adapter_transfer(struct i2c_adapter *ad, struct i2c_msg *msgs,
			 unsigned int n)
{
	return ad->ops->transfer(ad->priv, msgs, n);
}

unsigned long i2c_adapter_funcs(struct i2c_adapter *ad)
{
	return ad->ops->funcs(ad->priv);
}

bool i2c_adapter_gone(struct i2c_adapter *ad)
{
	return ad->ops->gone && ad->ops->gone(ad->priv);
}

int i2c_adapter_smbus_block_read(struct i2c_adapter *ad, uint16_t addr,
				 uint8_t cmd, uint8_t *buf, unsigned int len)
{
	if (!ad->ops->smbus_block_read)
		return -EOPNOTSUPP;
	return ad->ops->smbus_block_read(ad->priv, addr, cmd, buf, len);
}

unsigned int i2c_adapter_max_read(const struct i2c_adapter *ad)
{
	return ad->max_read;
}

unsigned int i2c_adapter_max_write(const struct i2c_adapter *ad)
{
	return ad->max_write;
}

void i2c_adapter_set_limits(struct i2c_adapter *ad, unsigned int max_read,
			    unsigned int max_write)
{
	ad->max_read = max_read;
	ad->max_write = max_write;
}

/* ---- /dev/i2c-N ---- */

struct i2c_dev {
	int fd;
	dev_t rdev;
};

/*
 * USB bridges whose kernel drivers reject transfers over the chip's
 * limits with EINVAL but cannot tell user space those limits (I2C_FUNCS
 * has no room for them): matched by adapter name. From the drivers and
 * datasheets: the CP2112 moves at most 512 bytes per read and 61 bytes
 * per write report.
 */
static const struct {
	const char *name;	/* glob on the adapter's name attribute */
	unsigned int max_read, max_write;
} i2c_bridges[] = {
	{ "CP2112 SMBus Bridge on hidraw*", 512, 61 },
};

static void i2c_dev_limits(struct i2c_adapter *ad, int bus)
{
	char node[32], name[128];
	size_t i;

	snprintf(node, sizeof(node), "i2c-%d", bus);
	/* /sys/bus/i2c/devices, not /sys/class/i2c-adapter: the class
	 * exists only with CONFIG_I2C_COMPAT, which Debian's arm64 kernel
	 * does not set, and a CP2112's writes then went out unsplit. */
	if (util_sysfs_attr("/sys/bus/i2c/devices", node, "name", name,
		       sizeof(name)) < 0)
		return;
	for (i = 0; i < sizeof(i2c_bridges) / sizeof(i2c_bridges[0]); i++) {
		if (fnmatch(i2c_bridges[i].name, name, 0) == 0) {
			i2c_adapter_set_limits(ad, i2c_bridges[i].max_read,
					       i2c_bridges[i].max_write);
			return;
		}
	}
}

/*
 * An adapter that has been removed (USB bridge pulled out) fails
 * transfers with whatever the bridge driver saw: ETIMEDOUT, EIO,
 * EPROTO... Its i2c-dev node leaves sysfs as soon as the removal starts,
 * long before our file descriptor goes, so that tells a vanished adapter
 * from a chip that did not answer. The at24 provider asks again after
 * every failure of its retries (at24.c), since a bridge often falls
 * silent some time before the kernel removes it.
 */
static bool i2c_dev_gone(void *priv)
{
	const struct i2c_dev *d = priv;

	return !util_dev_present(d->rdev, false);
}

static int i2c_dev_error(struct i2c_dev *d, int err)
{
	if (provider_errno_gone(err) || i2c_dev_gone(d))
		return -ENODEV;
	return -err;
}

static int i2c_dev_transfer(void *priv, struct i2c_msg *msgs, unsigned int n)
{
	struct i2c_dev *d = priv;
	struct i2c_rdwr_ioctl_data data = { .msgs = msgs, .nmsgs = n };

	if (ioctl(d->fd, I2C_RDWR, &data) < 0)
		return i2c_dev_error(d, errno);
	return 0;
}

static unsigned long i2c_dev_funcs(void *priv)
{
	struct i2c_dev *d = priv;
	unsigned long funcs = 0;

	if (ioctl(d->fd, I2C_FUNCS, &funcs) < 0)
		return 0;
	return funcs;
}

static int i2c_dev_smbus_block_read(void *priv, uint16_t addr, uint8_t cmd,
				    uint8_t *buf, unsigned int len)
{
	struct i2c_dev *d = priv;
	union i2c_smbus_data data;
	struct i2c_smbus_ioctl_data args = {
		.read_write = I2C_SMBUS_READ,
		.command = cmd,
		.size = I2C_SMBUS_I2C_BLOCK_DATA,
		.data = &data,
	};

	if (len > I2C_SMBUS_BLOCK_MAX)
		len = I2C_SMBUS_BLOCK_MAX;
	data.block[0] = len;
	if (ioctl(d->fd, I2C_SLAVE, addr) < 0)
		return i2c_dev_error(d, errno);
	if (ioctl(d->fd, I2C_SMBUS, &args) < 0)
		return i2c_dev_error(d, errno);
	if (data.block[0] < len)
		len = data.block[0];
	memcpy(buf, data.block + 1, len);
	return len;
}

static void i2c_dev_close(void *priv)
{
	struct i2c_dev *d = priv;

	close(d->fd);
	free(d);
}

static const struct i2c_adapter_ops i2c_dev_ops = {
	.transfer = i2c_dev_transfer,
	.funcs = i2c_dev_funcs,
	.smbus_block_read = i2c_dev_smbus_block_read,
	.gone = i2c_dev_gone,
	.close = i2c_dev_close,
};

int i2c_adapter_open_dev(int bus, struct i2c_adapter **out)
{
	struct i2c_adapter *ad;
	struct i2c_dev *d;
	struct stat st;
	char path[32];
	int ret = 0;

	pthread_mutex_lock(&i2c_open_lock);
	for (ad = i2c_open_list; ad; ad = ad->next) {
		if (ad->bus == bus) {
			*out = i2c_adapter_get(ad);
			goto out;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(path, sizeof(path), "/dev/i2c-%d", bus);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		ret = -errno;
		free(d);
		goto out;
	}
	if (fstat(d->fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		ret = -ENODEV;
		i2c_dev_close(d);
		goto out;
	}
	d->rdev = st.st_rdev;
	ad = i2c_adapter_new(bus, &i2c_dev_ops, d);
	if (!ad) {
		i2c_dev_close(d);
		ret = -ENOMEM;
		goto out;
	}
	i2c_dev_limits(ad, bus);
	ad->next = i2c_open_list;
	i2c_open_list = ad;
	*out = ad;
out:
	pthread_mutex_unlock(&i2c_open_lock);
	return ret;
}

/* ---- the kernel's clients ---- */

int i2c_client_lookup(const char *root, int bus, uint16_t addr,
		      struct i2c_client_info *ci)
{
	char path[PATH_MAX / 2], link[PATH_MAX], attr[PATH_MAX];
	struct dirent *de;
	const char *base;
	ssize_t n;
	DIR *d;

	memset(ci, 0, sizeof(*ci));
	snprintf(ci->name, sizeof(ci->name), "%d-%04x", bus, addr);
	snprintf(path, sizeof(path), "%s/%s", root, ci->name);
	d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	/* "driver" links to /sys/bus/i2c/drivers/NAME while one is bound. */
	snprintf(attr, sizeof(attr), "%s/driver", path);
	n = readlink(attr, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(ci->driver, sizeof(ci->driver), "%.63s",
			 base ? base + 1 : link);
	}
	/* The nvmem device the driver registered is a child device of the
	 * client, the one directory with an "nvmem" attribute (at24's
	 * legacy "eeprom" file sits on the client itself). */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(ci->nvmem))
			continue;
		snprintf(attr, sizeof(attr), "%s/%s/nvmem", path, de->d_name);
		if (access(attr, F_OK) == 0) {
			strcpy(ci->nvmem, de->d_name);
			break;
		}
	}
	closedir(d);
	return 1;
}

int i2c_client_of_nvmem(const char *nvmem_root, const char *nvmem, int *bus,
			uint16_t *addr)
{
	char path[PATH_MAX], real[PATH_MAX], *slash, *client;
	unsigned int a;
	int b, end = 0;

	snprintf(path, sizeof(path), "%s/%s", nvmem_root, nvmem);
	if (!realpath(path, real))
		return -ENOENT;
	/* .../i2c-1/1-0050/1-00500: the parent is the client. */
	slash = strrchr(real, '/');
	if (!slash || slash == real)
		return -ENOENT;
	*slash = '\0';
	client = strrchr(real, '/');
	client = client ? client + 1 : real;
	if (sscanf(client, "%d-%4x%n", &b, &a, &end) != 2 ||
	    client[end] != '\0' || strlen(client) != (size_t)end ||
	    end < 6 || a > 0x3ff)
		return -ENOENT;
	*bus = b;
	*addr = a;
	return 0;
}

/* Does an ancestor of @dir (a resolved sysfs path) carry USB serial or
 * HID uniq @serial? As uevent.c reads them from udev: the USB device's
 * serial first, else the HID device's HID_UNIQ. */
static bool i2c_ancestor_serial(char *dir, const char *serial)
{
	char attr[PATH_MAX], buf[256], *line;
	char *slash;
	FILE *f;

	for (; (slash = strrchr(dir, '/')) && slash != dir; *slash = '\0') {
		if (snprintf(attr, sizeof(attr), "%s/idVendor", dir) >=
		    (int)sizeof(attr))
			return false;
		if (access(attr, F_OK) == 0) {
			if (util_sysfs_attr(dir, ".", "serial", buf,
					    sizeof(buf)) < 0)
				return false;
			return !strcmp(buf, serial);
		}
		if (snprintf(attr, sizeof(attr), "%s/uevent", dir) >=
		    (int)sizeof(attr))
			return false;
		f = fopen(attr, "re");
		if (!f)
			continue;
		while ((line = fgets(buf, sizeof(buf), f))) {
			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "HID_UNIQ=", 9) && line[9]) {
				fclose(f);
				return !strcmp(line + 9, serial);
			}
		}
		fclose(f);
	}
	return false;
}

int i2c_adapter_find(const char *root, int bus, const char *name_glob,
		     const char *usb_serial)
{
	char node[32], name[128], path[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	int best = -1, n;
	DIR *d;

	d = opendir(root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "i2c-%d", &n) != 1)
			continue;
		snprintf(node, sizeof(node), "i2c-%d", n);
		if (strcmp(node, de->d_name) || (best >= 0 && n > best))
			continue;
		if (bus >= 0 && n != bus)
			continue;
		if (name_glob &&
		    (util_sysfs_attr(root, node, "name", name, sizeof(name)) < 0 ||
		     fnmatch(name_glob, name, 0)))
			continue;
		if (usb_serial) {
			snprintf(path, sizeof(path), "%s/%s", root, node);
			if (!realpath(path, real) ||
			    !i2c_ancestor_serial(real, usb_serial))
				continue;
		}
		best = n;
	}
	closedir(d);
	return best >= 0 ? best : -ENOENT;
}
