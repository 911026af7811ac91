// SPDX-License-Identifier: MIT
/*
 * The provider factory (factory.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "core/mac_cell.h"
#include "core/nvmem.h"
#include "daemon/factory.h"
#include "emul/i2c_emul.h"
#include "layouts/layout.h"
#include "providers/at24.h"
#include "providers/file.h"
#include "providers/i2c.h"
#include "providers/sysfs.h"
#include "providers/wp_gpio.h"

static void factory_cell_error(const struct config *cfg,
			       const struct config_cell *cc, int err,
			       uint64_t dev_size)
{
	char section[512];
	const char *key = "offset";

	snprintf(section, sizeof(section), "cell %s/%s", cc->device, cc->name);
	switch (err) {
	case -ERANGE:
		config_error(cfg, config_cell_line(cc, key), section, key,
			     "cell (0x%" PRIx64 " + %u bytes) does not fit in the device (%" PRIu64 " bytes)",
			     cc->offset, cc->size, dev_size);
		break;
	case -EEXIST:
		config_error(cfg, cc->line, section, "name",
			     "a cell of that name already exists on the device");
		break;
	default:
		config_error(cfg, cc->line, section, "format",
			     "cannot be added: %s", strerror(-err));
		break;
	}
}

/* Add the configured cells; on error the message names file and line. */
static int factory_add_cells(const struct config *cfg,
			     const struct config_device *cd,
			     struct nvmem_device *dev)
{
	size_t i;
	int ret;

	for (i = 0; i < cd->ncells; i++) {
		const struct config_cell *cc = &cd->cells[i];
		struct nvmem_cell cell = {
			.name = cc->name,
			.offset = cc->offset,
			.bytes = cc->size,
			.bit_offset = cc->bit_offset,
			.nbits = cc->nbits,
			.format = cc->format,
			.read_only = cc->read_only,
			.perm = cc->perm,
		};

		if (cc->mac_base &&
		    mac_cell_init(&cell, cc->mac_base, cc->mac_index) < 0)
			return -ENOMEM;
		ret = nvmem_device_add_cell(dev, &cell);
		if (ret < 0) {
			if (cell.ops && cell.ops->priv_free)
				cell.ops->priv_free(cell.priv);
			factory_cell_error(cfg, cc, ret, nvmem_device_size(dev));
			return -EINVAL;
		}
	}
	return 0;
}

/* How many addresses ONIE's num-macs gives, or 0 without one. */
static uint64_t factory_num_macs(struct nvmem_device *dev)
{
	ssize_t i = nvmem_device_find_cell(dev, "num-macs");
	char text[32];

	if (i < 0 || cell_read_text(dev, nvmem_device_cell(dev, i), text,
				    sizeof(text)) < 0)
		return 0;
	return strtoull(text, NULL, 10);
}

/*
 * Once the layout's cells are there, each derived MAC address must have
 * its base: a MAC cell of the device that is not derived itself, and
 * with ONIE's num-macs, an index among the addresses it counts.
 */
static int factory_check_macs(const struct config *cfg,
			      const struct config_device *cd,
			      struct nvmem_device *dev)
{
	const struct nvmem_cell *base;
	char section[600];
	uint64_t num, other;
	int ret = 0;
	ssize_t b;
	size_t i;

	for (i = 0; i < cd->ncells; i++) {
		const struct config_cell *cc = &cd->cells[i];

		if (!cc->mac_base)
			continue;
		snprintf(section, sizeof(section), "cell %s/%s", cc->device,
			 cc->name);
		b = nvmem_device_find_cell(dev, cc->mac_base);
		base = b < 0 ? NULL : nvmem_device_cell(dev, b);
		if (!base || base->format != CELL_FORMAT_MAC ||
		    mac_cell_base(base, &other)) {
			config_error(cfg, config_cell_line(cc, "mac-base"),
				     section, "mac-base",
				     "'%s' is no MAC address cell of the device",
				     cc->mac_base);
			ret = -EINVAL;
			continue;
		}
		num = factory_num_macs(dev);
		if (num && cc->mac_index >= num) {
			config_error(cfg, config_cell_line(cc, "mac-index"),
				     section, "mac-index",
				     "%llu is past the %llu addresses of the device's num-macs",
				     (unsigned long long)cc->mac_index,
				     (unsigned long long)num);
			ret = -EINVAL;
		}
	}
	return ret;
}

/* The emulated bus of an at24 device, created once from its image. */
static int factory_emulator(const struct config_device *cd,
			    struct factory_emul *e)
{
	const struct at24_chip *chip = cd->emulate_chip ? cd->emulate_chip :
				       at24_chip_find(cd->chip);
	uint8_t *image;
	ssize_t n;
	int fd, ret;

	if (e->ad)
		return 0;
	image = calloc(1, chip->size);
	if (!image)
		return -ENOMEM;
	fd = open(cd->emulate, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* A short image leaves the rest erased, as a new chip is. */
	memset(image, 0xff, chip->size);
	n = pread(fd, image, chip->size, 0);
	close(fd);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	e->ad = i2c_emul_new(cd->emulate_clock ? cd->emulate_clock : 100000,
			     true, &e->emul);
	if (!e->ad) {
		ret = -ENOMEM;
		goto out;
	}
	/* t_WR of 5 ms, the datasheets' maximum for the family. */
	ret = i2c_emul_add_chip(e->emul, chip, cd->address, image, 5000);
	if (ret == 0 && cd->emulate_unplug_at >= 0)
		i2c_emul_unplug_after(e->emul, cd->emulate_unplug_at);
out:
	free(image);
	return ret;
}

/*
 * wp-gpio: the write-protect line, asserted from here on (*@wp NULL
 * without the key). An emulated chip's WP input is driven directly; a
 * real line is looked up with a short wait, because a USB bridge adds
 * its GPIO chip just after the I2C adapter whose event got us here.
 */
static int factory_wp_gpio(const struct config *cfg,
			   const struct config_device *cd,
			   struct factory_emul *emul, struct i2c_adapter *ad,
			   int bus, struct wp_gpio **wp)
{
	struct wp_gpio_params p = {
		.chip = cd->wp_gpio,
		.line = cd->wp_gpio_line,
		.active_low = cd->wp_gpio_active_low,
		.i2c_bus = bus,
	};
	char why[300] = "", section[300];
	int ret, i;

	*wp = NULL;
	if (!cd->wp_gpio)
		return 0;
	if (cd->emulate)
		return i2c_emul_wp_gpio(emul->emul, 0, cd->wp_gpio_active_low,
					wp);
	for (i = 0; i < 50; i++) {
		ret = wp_gpio_open(&p, wp, why, sizeof(why));
		if (ret != -ENOENT || i2c_adapter_gone(ad))
			break;
		usleep(20 * 1000);
	}
	if (ret == 0 || ret == -ENOMEM)
		return ret;
	if (ret == -ENOENT && i2c_adapter_gone(ad))
		return -ENODEV;	/* unplugged while being set up */
	snprintf(section, sizeof(section), "device %s", cd->name);
	config_error(cfg, config_device_line(cd, "wp-gpio"), section,
		     "wp-gpio", "%s", why);
	return -EINVAL;
}

static int factory_open_at24(const struct config *cfg,
			     const struct config_device *cd,
			     struct factory_emul *emul, int bus,
			     struct i2c_adapter *ad, void **priv,
			     struct nvmem_provider_info *info)
{
	struct wp_gpio *wp;
	int ret = factory_wp_gpio(cfg, cd, emul, ad, bus, &wp);

	if (ret < 0)
		return ret;
	struct at24_params p = {
		.chip = at24_chip_find(cd->chip),
		.address = cd->address,
		.size = cd->size,
		.page_size = cd->page_size,
		.addr_width = cd->address_width,
		.io_limit = cd->io_limit,
		.write_timeout_ms = cd->write_timeout_ms,
		.bus_timeout_ms = cd->bus_timeout_ms,
		.read_only = cd->read_only == 1,
		.wp = wp,
	};

	return at24_provider_open(&p, ad, priv, info);
}

int factory_kernel_client(const struct config_device *cd, int bus,
			  struct i2c_client_info *ci)
{
	int ret;

	if (cd->provider != CONFIG_PROVIDER_AT24 || cd->emulate || bus < 0)
		return 0;
	ret = i2c_client_lookup(I2C_SYSFS_ROOT, bus, cd->address, ci);
	if (ret <= 0 || !ci->driver[0])
		return ret < 0 ? ret : 0;	/* no client, or unbound */
	if (cd->kernel_driver == CONFIG_KDRIVER_USE && ci->nvmem[0])
		return FACTORY_KCLIENT_USE;
	return FACTORY_KCLIENT_REFUSE;
}

/*
 * A kernel driver bound at the chip's address owns the chip: I2C_RDWR
 * checks nothing, and our transfers would interleave with its page
 * writes and move the address pointer under its reads. Serve the
 * driver's nvmem device instead (kernel-driver = use), or refuse and say
 * how to unbind it. 1 when @ci's nvmem device was opened into *@priv,
 * 0 when there is no driver (the chip is ours), -EINVAL when refused
 * (logged with file and line), or another -errno.
 */
static int factory_open_kernel(const struct config *cfg,
			       const struct config_device *cd, int bus,
			       void **priv, struct nvmem_provider_info *info,
			       char *backing, size_t size)
{
	struct i2c_client_info ci;
	char section[300];
	int ret;

	ret = factory_kernel_client(cd, bus, &ci);
	if (ret <= 0)
		return ret;
	snprintf(section, sizeof(section), "device %s", cd->name);
	if (ret == FACTORY_KCLIENT_REFUSE) {
		config_error(cfg, config_device_line(cd, "address"), section,
			     "address",
			     "%s (%s) is bound to a kernel driver%s; unbind it with 'echo %s > /sys/bus/i2c/drivers/%s/unbind'%s",
			     ci.name, ci.driver,
			     ci.nvmem[0] ? "" : " without an nvmem device",
			     ci.name, ci.driver,
			     cd->kernel_driver == CONFIG_KDRIVER_REFUSE ?
			     " (kernel-driver = refuse)" : "");
		return -EINVAL;
	}
	ret = sysfs_provider_open(SYSFS_NVMEM_ROOT, ci.nvmem,
				  cd->read_only == 1, priv, info);
	if (ret < 0)
		return ret;
	log_notice("%s: %s (%s) is bound to the kernel's driver: served through its nvmem device %s; chip, page-size, address-width, io-limit, write-timeout and bus-timeout do not apply",
		   cd->name, ci.name, ci.driver, ci.nvmem);
	snprintf(backing, size, "kernel %s client %s, nvmem device %s",
		 ci.driver, ci.name, ci.nvmem);
	return 1;
}

/*
 * cache = unset: read-only devices are cached (OTP, a write-protected
 * EEPROM: their contents do not change while served), but only up to
 * 1 MiB, so that a large flash read once does not stay in a small
 * board's RAM.
 */
#define FACTORY_CACHE_DEFAULT_MAX	(1u << 20)

bool factory_cache_default(const struct nvmem_device *dev)
{
	return nvmem_device_read_only(dev) &&
	       nvmem_device_size(dev) <= FACTORY_CACHE_DEFAULT_MAX;
}

int factory_build(const struct config *cfg, const struct config_device *cd,
		  struct factory_emul *emul, int bus,
		  struct nvmem_device **devp, dev_t *rdevp)
{
	const struct nvmem_provider_ops *ops;
	struct nvmem_provider_info info;
	struct i2c_adapter *ad = NULL;
	struct nvmem_device *dev;
	char backing[300];
	struct stat st;
	dev_t rdev = 0;
	void *priv;
	int ret;

	switch (cd->provider) {
	case CONFIG_PROVIDER_FILE:
		ret = file_provider_open(cd->path, cd->read_only == 1, &priv,
					 &info);
		if (ret < 0)
			return ret;
		ops = &file_provider_ops;
		snprintf(backing, sizeof(backing), "%s", cd->path);
		if (stat(cd->path, &st) == 0 &&
		    (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)))
			rdev = st.st_rdev;
		break;
	case CONFIG_PROVIDER_AT24:
		if (cd->emulate) {
			ret = factory_emulator(cd, emul);
			if (ret < 0)
				return ret;
			/* The image stands for the chip: its owner owns it. */
			if (stat(cd->emulate, &st) < 0)
				return -errno;
			ad = i2c_adapter_get(emul->ad);
			snprintf(backing, sizeof(backing),
				 "emulated %s at 0x%02x, %u Hz, image %s",
				 cd->chip, cd->address,
				 cd->emulate_clock ? cd->emulate_clock : 100000,
				 cd->emulate);
		} else {
			char node[32];

			ret = factory_open_kernel(cfg, cd, bus, &priv, &info,
						  backing, sizeof(backing));
			if (ret < 0)
				return ret;
			snprintf(node, sizeof(node), "/dev/i2c-%d", bus);
			if (ret == 1) {
				/* Removed with the adapter: the i2c-dev node
				 * stays the binding's backing. */
				ops = &sysfs_provider_ops;
				if (stat(node, &st) == 0)
					rdev = st.st_rdev;
				break;
			}
			ret = i2c_adapter_open_dev(bus, &ad);
			if (ret < 0)
				return ret;
			snprintf(node, sizeof(node), "/dev/i2c-%d", bus);
			if (stat(node, &st) < 0) {
				ret = -errno;
				i2c_adapter_put(ad);
				return ret;
			}
			rdev = st.st_rdev;
			snprintf(backing, sizeof(backing), "%s at 0x%02x on %s",
				 cd->chip, cd->address, node);
		}
		ret = factory_open_at24(cfg, cd, emul, bus, ad, &priv, &info);
		i2c_adapter_put(ad);	/* the provider holds its own */
		if (ret < 0)
			return ret;
		if (cd->wp_gpio)
			snprintf(backing + strlen(backing),
				 sizeof(backing) - strlen(backing),
				 ", wp-gpio %s %s active %s", cd->wp_gpio,
				 cd->wp_gpio_line,
				 cd->wp_gpio_active_low ? "low" : "high");
		/* Whoever may open /dev/i2c-N may drive the chip anyway. */
		info.perm = (struct nvmem_perm){ st.st_mode & 07777, st.st_uid,
						 st.st_gid };
		ops = &at24_provider_ops;
		break;
	case CONFIG_PROVIDER_SYSFS:
		ret = sysfs_provider_open(SYSFS_NVMEM_ROOT, cd->kernel_name,
					  cd->read_only == 1, &priv, &info);
		if (ret < 0)
			return ret;
		ops = &sysfs_provider_ops;
		snprintf(backing, sizeof(backing), "kernel nvmem device %s",
			 cd->kernel_name);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (cd->size && cd->size < info.size)
		info.size = cd->size;	/* serve only the configured part */

	dev = nvmem_device_new(cd->name, ops, priv, &info);
	if (!dev) {
		ret = -errno;
		ops->destroy(priv);
		return ret;
	}
	nvmem_device_set_backing(dev, backing);
	if (cd->read_only == 1)
		nvmem_device_set_read_only(dev, true);
	if (cd->type_set)
		nvmem_device_set_type(dev, cd->type);
	nvmem_device_set_perm(dev, &cd->perm);
	ret = nvmem_device_set_cache(dev, cd->cache == -1 ?
				     factory_cache_default(dev) : cd->cache);
	if (ret < 0)
		goto err_put;

	ret = factory_add_cells(cfg, cd, dev);
	if (ret < 0)
		goto err_put;
	ret = layout_apply(dev, &cd->layout);	/* only for want of memory */
	if (ret < 0)
		goto err_put;
	ret = factory_check_macs(cfg, cd, dev);
	if (ret < 0)
		goto err_put;
	*devp = dev;
	*rdevp = rdev;
	return 0;

err_put:
	nvmem_device_put(dev);
	return ret;
}

void factory_emul_replug(struct factory_emul *emul)
{
	if (emul->emul)
		i2c_emul_replug(emul->emul);
}

void factory_emul_free(struct factory_emul *emul)
{
	i2c_adapter_put(emul->ad);
	emul->ad = NULL;
	emul->emul = NULL;
}
