// SPDX-License-Identifier: MIT
/*
 * Configuration -> devices, and udev events -> registration.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libudev.h>

#include "providers/at24.h"
#include "daemon/config.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "layouts/layout.h"
#include "base/log.h"
#include "base/util.h"
#include "daemon/manager.h"
#include "core/nvmem.h"
#include "providers/file.h"
#include "providers/sysfs.h"

/*
 * One configured device and what it is bound to.
 * @dev: the registered device, with the manager's reference; NULL while
 *       the backing is absent. Changed only under the manager's lock.
 * @rdev: device number of the backing node (0 for regular files), to
 *        recognise its remove event, when the node may already be gone.
 */
struct binding {
	const struct config_device *cfg;
	struct nvmem_device *dev;
	dev_t rdev;
	/* provider = at24 with emulate: the emulated bus, kept across
	 * unplugs so that a re-scan can plug the same chip back in. */
	struct i2c_adapter *emul_ad;
	struct i2c_emul *emul;
};

/*
 * Kernel nvmem devices served under their kernel names (kernel-devices =
 * yes), with the manager's reference. Under the manager's lock.
 */
struct kdev {
	struct nvmem_device *dev;
	struct kdev *next;
};

struct manager {
	const struct config *cfg;
	struct binding *bindings;
	size_t nbindings;
	struct kdev *kdevs;
	pthread_mutex_t lock;
};

static const char *const manager_subsys[] = {
	"block", "mtd", "i2c-dev", "nvmem", NULL,
};

const char *const *manager_subsystems(const struct manager *m)
{
	return manager_subsys;
}

int manager_new(const struct config *cfg, struct manager **out)
{
	struct manager *m;
	size_t i;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->bindings = calloc(cfg->ndevices ? cfg->ndevices : 1,
			     sizeof(*m->bindings));
	if (!m->bindings) {
		free(m);
		return -ENOMEM;
	}
	for (i = 0; i < cfg->ndevices; i++)
		m->bindings[i].cfg = &cfg->devices[i];
	m->nbindings = cfg->ndevices;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

static void manager_unbind(struct binding *b, const char *why)
{
	if (!b->dev)
		return;
	log_info("%s: %s", b->cfg->name, why);
	nvmem_device_unregister(b->dev);
	nvmem_device_put(b->dev);
	b->dev = NULL;
	b->rdev = 0;
}

/* Unregister the kernel device *@pp and take it off the list. */
static void manager_kdev_drop(struct kdev **pp, const char *why)
{
	struct kdev *k = *pp;

	*pp = k->next;
	log_info("%s: %s", nvmem_device_name(k->dev), why);
	nvmem_device_unregister(k->dev);
	nvmem_device_put(k->dev);
	free(k);
}

void manager_free(struct manager *m)
{
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		manager_unbind(&m->bindings[i], "shutting down");
		i2c_adapter_put(m->bindings[i].emul_ad);
	}
	while (m->kdevs)
		manager_kdev_drop(&m->kdevs, "shutting down");
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_destroy(&m->lock);
	free(m->bindings);
	free(m);
}

/* A path under /dev may come and go with udev; anything else (an image
 * file) must be there when we start. */
static bool manager_path_hotplug(const char *path)
{
	return !strncmp(path, "/dev/", 5);
}

static void manager_cell_error(const struct config *cfg,
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
static int manager_add_cells(const struct config *cfg,
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

		ret = nvmem_device_add_cell(dev, &cell);
		if (ret < 0) {
			manager_cell_error(cfg, cc, ret, nvmem_device_size(dev));
			return -EINVAL;
		}
	}
	return 0;
}

/* The emulated bus of an at24 device, created once from its image. */
static int manager_emulator(struct binding *b)
{
	const struct config_device *cd = b->cfg;
	const struct at24_chip *chip = at24_chip_find(cd->chip);
	uint8_t *image;
	ssize_t n;
	int fd, ret;

	if (b->emul_ad)
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
	b->emul_ad = i2c_emul_new(cd->emulate_clock ? cd->emulate_clock : 100000,
				  true, &b->emul);
	if (!b->emul_ad) {
		ret = -ENOMEM;
		goto out;
	}
	/* t_WR of 5 ms, the datasheets' maximum for the family. */
	ret = i2c_emul_add_chip(b->emul, chip, cd->address, image, 5000);
	if (ret == 0 && cd->emulate_unplug_at >= 0)
		i2c_emul_unplug_after(b->emul, cd->emulate_unplug_at);
out:
	free(image);
	return ret;
}

static int manager_open_at24(struct binding *b, struct i2c_adapter *ad,
			     void **priv, struct nvmem_provider_info *info)
{
	const struct config_device *cd = b->cfg;
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
	};

	return at24_provider_open(&p, ad, priv, info);
}

/*
 * cache = unset: read-only devices are cached (OTP, a write-protected
 * EEPROM: their contents do not change while served), but only up to
 * 1 MiB, so that a large flash read once does not stay in a small
 * board's RAM.
 */
#define MANAGER_CACHE_DEFAULT_MAX	(1u << 20)

static bool manager_cache_default(const struct nvmem_device *dev)
{
	return nvmem_device_read_only(dev) &&
	       nvmem_device_size(dev) <= MANAGER_CACHE_DEFAULT_MAX;
}

/*
 * Build the device of @b from its backing (for at24 on a real bus:
 * adapter @bus), with its cells and layout, without registering it: what
 * binding registers and what --check-config tries. Returns 0 with the
 * caller holding *@devp, -ENOENT when the backing is absent, -EINVAL for
 * configuration problems (logged with file and line), or another -errno.
 */
static int manager_prepare(const struct config *cfg, struct binding *b,
			   int bus, struct nvmem_device **devp, dev_t *rdevp)
{
	const struct config_device *cd = b->cfg;
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
			ret = manager_emulator(b);
			if (ret < 0)
				return ret;
			/* The image stands for the chip: its owner owns it. */
			if (stat(cd->emulate, &st) < 0)
				return -errno;
			ad = i2c_adapter_get(b->emul_ad);
			snprintf(backing, sizeof(backing),
				 "emulated %s at 0x%02x, %u Hz, image %s",
				 cd->chip, cd->address,
				 cd->emulate_clock ? cd->emulate_clock : 100000,
				 cd->emulate);
		} else {
			char node[32];

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
		ret = manager_open_at24(b, ad, &priv, &info);
		i2c_adapter_put(ad);	/* the provider holds its own */
		if (ret < 0)
			return ret;
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
				     manager_cache_default(dev) : cd->cache);
	if (ret < 0)
		goto err_put;

	ret = manager_add_cells(cfg, cd, dev);
	if (ret < 0)
		goto err_put;
	ret = layout_apply(dev, &cd->layout);	/* only for want of memory */
	if (ret < 0)
		goto err_put;
	*devp = dev;
	*rdevp = rdev;
	return 0;

err_put:
	nvmem_device_put(dev);
	return ret;
}

/*
 * Open the backing of @b and register it. Returns 0 (b->dev stays NULL
 * if the hardware went while the device was set up: absent, and logged
 * here), or what manager_prepare() returns.
 */
static int manager_bind(struct manager *m, struct binding *b, int bus)
{
	const struct config_device *cd = b->cfg;
	struct nvmem_device *dev;
	dev_t rdev;
	int ret;

	ret = manager_prepare(m->cfg, b, bus, &dev, &rdev);
	if (ret < 0)
		return ret;
	ret = nvmem_device_register(dev);
	if (ret == -ENODEV) {
		/* Unplugged while it was being set up: absent, as before.
		 * Not an error: no retry would find it, the next uevent
		 * or re-scan binds it again. */
		log_info("%s: gone while it was being set up", cd->name);
		nvmem_device_put(dev);
		return 0;
	}
	if (ret < 0) {
		char section[300];

		snprintf(section, sizeof(section), "device %s", cd->name);
		config_error(m->cfg, cd->line, section, NULL,
			     "cannot register: %s", strerror(-ret));
		goto err_put;
	}
	b->dev = dev;
	b->rdev = rdev;
	return 0;

err_put:
	nvmem_device_put(dev);
	return ret;
}

/*
 * Bring up @b as the daemon does at start, or with @dry only build its
 * device and drop it (--check-config): both refuse the same
 * configurations with the same messages. Backings that udev announces
 * (I2C adapters, kernel nvmem devices, /dev nodes) may be absent now;
 * anything else (an image file) must be there. 0 or -EINVAL (logged).
 */
static int manager_start_one(struct manager *m, struct binding *b, bool dry)
{
	const struct config_device *cd = b->cfg;
	const char *key = cd->path ? "path" : cd->emulate ? "emulate" : "name";
	const char *what = cd->path ? cd->path : cd->emulate ? cd->emulate :
			   cd->kernel_name;
	struct nvmem_device *dev;
	char section[300];
	dev_t rdev;
	int r;

	if (cd->provider == CONFIG_PROVIDER_AT24 && !cd->emulate) {
		if (!dry)
			log_notice("%s: waiting for its I2C adapter", cd->name);
		return 0;	/* the udev enumeration finds it */
	}
	if (cd->provider == CONFIG_PROVIDER_SYSFS && !dry)
		return 0;	/* likewise, from the nvmem bus */
	if (dry) {
		r = manager_prepare(m->cfg, b, -1, &dev, &rdev);
		if (r == 0)
			nvmem_device_put(dev);
	} else {
		r = manager_bind(m, b, -1);
	}
	if (r == -ENOENT && (cd->provider == CONFIG_PROVIDER_SYSFS ||
			     (cd->path && manager_path_hotplug(cd->path)))) {
		if (!dry)
			log_notice("%s: %s is not present yet; waiting for it",
				   cd->name, what);
		return 0;
	}
	if (r < 0 && r != -EINVAL) {
		snprintf(section, sizeof(section), "device %s", cd->name);
		config_error(m->cfg, config_device_line(cd, key), section, key,
			     "%s: %s", what, strerror(-r));
	}
	return r < 0 ? -EINVAL : 0;
}

static int manager_start_all(struct manager *m, bool dry)
{
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++)
		if (manager_start_one(m, &m->bindings[i], dry) < 0)
			ret = -EINVAL;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int manager_start(struct manager *m)
{
	return manager_start_all(m, false);
}

/* The I2C adapter behind an i2c-dev device: does it match the
 * configuration's bus number, adapter name glob or USB serial? */
static bool manager_i2c_matches(const struct config_device *cd,
				struct udev_device *ud, int *bus)
{
	const char *sysname = udev_device_get_sysname(ud);
	struct udev_device *usb;
	const char *v;

	if (!sysname || sscanf(sysname, "i2c-%d", bus) != 1)
		return false;
	if (cd->bus >= 0)
		return *bus == cd->bus;
	if (cd->adapter) {
		v = udev_device_get_sysattr_value(ud, "name");
		return v && fnmatch(cd->adapter, v, 0) == 0;
	}
	if (cd->usb_serial) {
		usb = udev_device_get_parent_with_subsystem_devtype(ud, "usb",
								    "usb_device");
		v = usb ? udev_device_get_sysattr_value(usb, "serial") : NULL;
		if (!usb) {
			/* HID bridges (CP2112, MCP2221, FT260) also carry
			 * the serial as their HID device's uniq; that is all
			 * there is when the HID device has no USB parent. */
			usb = udev_device_get_parent_with_subsystem_devtype(
				ud, "hid", NULL);
			v = usb ? udev_device_get_property_value(usb,
								 "HID_UNIQ")
				: NULL;
		}
		return v && !strcmp(v, cd->usb_serial);
	}
	return false;
}

/*
 * Does the udev device stand for the backing configured in @b? For at24
 * devices *bus gets the adapter's bus number.
 */
static bool manager_matches(const struct binding *b, struct udev_device *ud,
			    dev_t devnum, int *bus)
{
	const char *subsys = udev_device_get_subsystem(ud);
	const char *node = udev_device_get_devnode(ud);
	const struct config_device *cd = b->cfg;
	struct stat st;

	*bus = -1;
	/* Once bound, the device number identifies the backing even when
	 * its node and sysfs entry are already gone. */
	if (b->dev && b->rdev)
		return devnum == b->rdev;
	if (cd->provider == CONFIG_PROVIDER_AT24)
		return !cd->emulate && subsys && !strcmp(subsys, "i2c-dev") &&
		       manager_i2c_matches(cd, ud, bus);
	if (cd->provider == CONFIG_PROVIDER_SYSFS)
		return subsys && !strcmp(subsys, "nvmem") &&
		       !strcmp(udev_device_get_sysname(ud), cd->kernel_name);
	if (cd->provider != CONFIG_PROVIDER_FILE ||
	    !manager_path_hotplug(cd->path))
		return false;
	if (node && !strcmp(node, cd->path))
		return true;
	/* symlinks such as /dev/disk/by-label/... */
	return devnum && stat(cd->path, &st) == 0 && st.st_rdev == devnum &&
	       (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));
}

/* A node that udev announced may take a moment to appear (udevd creates
 * symlinks after the kernel event), or for a moment have no driver behind
 * it (ENXIO, ENODEV: a USB bridge that is still being set up, or an old
 * node not yet removed): retry briefly. */
static int manager_bind_retry(struct manager *m, struct binding *b, int bus)
{
	int i, ret = -ENOENT;

	for (i = 0; i < 20; i++) {
		ret = manager_bind(m, b, bus);
		if (ret != -ENOENT && ret != -ENXIO && ret != -ENODEV)
			break;
		usleep(25 * 1000);
	}
	return ret;
}

/* A device whose provider found the hardware gone unregistered itself;
 * forget it so that the backing can be bound again. */
static void manager_reap(struct binding *b)
{
	if (b->dev && !nvmem_device_alive(b->dev))
		manager_unbind(b, "hardware gone");
}

/*
 * kernel-devices = yes: a kernel nvmem device that no [device] section
 * claims is served under its kernel name, with the kernel's cells.
 * Called with the manager's lock held.
 */
static void manager_kernel_device(struct manager *m, const char *kname,
				  bool add)
{
	struct nvmem_provider_info info;
	struct kdev **pp, *k;
	struct nvmem_cell *cells;
	struct nvmem_device *dev;
	char backing[300];
	size_t i, n;
	void *priv;
	int ret;

	for (pp = &m->kdevs; *pp; pp = &(*pp)->next)
		if (!strcmp(nvmem_device_name((*pp)->dev), kname))
			break;
	k = *pp;
	if (k && (!add || !nvmem_device_alive(k->dev))) {
		manager_kdev_drop(pp, "kernel device removed");
		k = NULL;
	}
	if (!add || k || !m->cfg->kernel_devices)
		return;
	if (config_find_device(m->cfg, kname)) {
		log_warn("%s: a configured device has the kernel device's name; not serving the kernel one",
			 kname);
		return;
	}
	ret = sysfs_provider_open(SYSFS_NVMEM_ROOT, kname, false, &priv, &info);
	if (ret < 0) {
		log_warn("%s: kernel device not served: %s", kname, strerror(-ret));
		return;
	}
	dev = nvmem_device_new(kname, &sysfs_provider_ops, priv, &info);
	if (!dev) {
		sysfs_provider_ops.destroy(priv);
		return;
	}
	snprintf(backing, sizeof(backing), "kernel nvmem device %s", kname);
	nvmem_device_set_backing(dev, backing);
	/* No configuration says that nothing else writes it, so only what
	 * nothing can write is cached: force_ro, or a daemon that is not
	 * root, make a device read-only to us and no less changeable.
	 * Without memory for a cache the device is still worth serving. */
	if (nvmem_device_set_cache(dev, info.immutable &&
				   manager_cache_default(dev)) < 0)
		log_warn("%s: no memory for a cache; served uncached", kname);
	if (sysfs_provider_cells(SYSFS_NVMEM_ROOT, kname, &cells, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (nvmem_device_add_cell(dev, &cells[i]) == 0)
				cells[i].priv = NULL;	/* the device's now */
			else
				log_warn("%s: kernel cell '%s' not served", kname,
					 cells[i].name);
		}
		sysfs_provider_cells_free(cells, n);
	}
	k = calloc(1, sizeof(*k));
	if (!k || nvmem_device_register(dev) < 0) {
		free(k);
		nvmem_device_put(dev);
		return;
	}
	k->dev = dev;
	k->next = m->kdevs;
	m->kdevs = k;
}

void manager_uevent(struct manager *m, const char *action,
		    struct udev_device *ud)
{
	dev_t devnum = udev_device_get_devnum(ud);
	bool add = !strcmp(action, "add") || !strcmp(action, "change") ||
		   !strcmp(action, "bind") || !strcmp(action, "online");
	bool remove = !strcmp(action, "remove") || !strcmp(action, "offline");
	size_t i;
	int ret, bus;

	const char *subsys = udev_device_get_subsystem(ud);
	bool claimed = false, reaped;

	if (!add && !remove)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		if (!manager_matches(b, ud, devnum, &bus))
			continue;
		claimed = true;
		if (remove) {
			manager_unbind(b, "backing removed");
			continue;
		}
		reaped = b->dev;
		manager_reap(b);
		if (b->dev)
			continue;	/* duplicate add, or a change */
		/* Matched as a dead device by its number (its remove was
		 * lost): what has that number now must match in full, which
		 * also finds the bus an at24 binding needs. */
		if (reaped && !manager_matches(b, ud, devnum, &bus))
			continue;
		ret = manager_bind_retry(m, b, bus);
		if (ret < 0 && ret != -EINVAL)
			log_err("%s: cannot open %s: %s", b->cfg->name,
				udev_device_get_devnode(ud) ?
				udev_device_get_devnode(ud) : "its backing",
				strerror(-ret));
	}
	if (!claimed && subsys && !strcmp(subsys, "nvmem"))
		manager_kernel_device(m, udev_device_get_sysname(ud), add);
	pthread_mutex_unlock(&m->lock);
}

void manager_rescan(struct manager *m)
{
	size_t i;
	int ret;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		manager_reap(b);
		if (b->dev || b->cfg->provider != CONFIG_PROVIDER_AT24 ||
		    !b->cfg->emulate)
			continue;
		/* An emulated chip is plugged back by a re-scan. */
		i2c_emul_replug(b->emul);
		ret = manager_bind(m, b, -1);
		if (ret < 0 && ret != -EINVAL)
			log_err("%s: cannot bind: %s", b->cfg->name,
				strerror(-ret));
	}
	pthread_mutex_unlock(&m->lock);
}

static bool manager_kernel_present(const char *kname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", SYSFS_NVMEM_ROOT, kname);
	return access(path, F_OK) == 0;
}

/* Is the backing that @b is bound to still there? */
static bool manager_backing_present(const struct binding *b)
{
	const struct config_device *cd = b->cfg;
	struct stat st;

	switch (cd->provider) {
	case CONFIG_PROVIDER_FILE:
		return !b->rdev || (stat(cd->path, &st) == 0 &&
				    st.st_rdev == b->rdev);
	case CONFIG_PROVIDER_AT24:
		return !b->rdev || util_dev_present(b->rdev, false);
	case CONFIG_PROVIDER_SYSFS:
		return manager_kernel_present(cd->kernel_name);
	}
	return true;
}

void manager_resync(struct manager *m)
{
	struct kdev **pp, *k;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		manager_reap(b);
		if (b->dev && !manager_backing_present(b))
			manager_unbind(b, "backing gone while events were lost");
	}
	for (pp = &m->kdevs; (k = *pp);) {
		const char *kname = nvmem_device_name(k->dev);

		if (nvmem_device_alive(k->dev) && manager_kernel_present(kname)) {
			pp = &k->next;
			continue;
		}
		manager_kdev_drop(pp, "kernel device gone while events were lost");
	}
	pthread_mutex_unlock(&m->lock);
}

/* The configured mode, owner and group, for --check-config. */
static void manager_print_perm(FILE *out, const char *what,
			       const struct perm_override *o)
{
	if (!o->set)
		return;
	fprintf(out, "  %s:", what);
	if (o->set & PERM_SET_MODE)
		fprintf(out, " mode %04o", (unsigned int)o->mode);
	if (o->set & PERM_SET_UID)
		fprintf(out, " owner %u", (unsigned int)o->uid);
	if (o->set & PERM_SET_GID)
		fprintf(out, " group %u", (unsigned int)o->gid);
	fprintf(out, " (configured; otherwise the backing's)\n");
}

int manager_print_plan(const struct config *cfg, FILE *out)
{
	struct manager *m;
	size_t i, j;
	int ret;

	ret = manager_new(cfg, &m);
	if (ret < 0)
		return ret;
	ret = manager_start_all(m, true);
	manager_free(m);
	if (ret < 0)
		return ret;
	fprintf(out, "configuration: %s\n", cfg->path ? cfg->path : "(none)");
	fprintf(out, "kernel nvmem devices: %s\n",
		cfg->kernel_devices ?
		"served (those no [device] section claims, under their kernel names)" :
		"not served");
	for (i = 0; i < cfg->ndevices; i++) {
		const struct config_device *cd = &cfg->devices[i];
		char backing[600];

		if (cd->provider != CONFIG_PROVIDER_AT24)
			snprintf(backing, sizeof(backing), "%s",
				 cd->path ? cd->path :
				 cd->kernel_name ? cd->kernel_name : "-");
		else if (cd->emulate)
			snprintf(backing, sizeof(backing),
				 "%s at 0x%02x on an emulated bus (image %s)",
				 cd->chip, cd->address, cd->emulate);
		else if (cd->adapter)
			snprintf(backing, sizeof(backing),
				 "%s at 0x%02x on adapter %s", cd->chip,
				 cd->address, cd->adapter);
		else if (cd->usb_serial)
			snprintf(backing, sizeof(backing),
				 "%s at 0x%02x on the adapter with USB serial %s",
				 cd->chip, cd->address, cd->usb_serial);
		else
			snprintf(backing, sizeof(backing),
				 "%s at 0x%02x on bus %d", cd->chip,
				 cd->address, cd->bus);

		fprintf(out, "\ndevice %s: provider %s, backing %s, layout %s%s\n",
			cd->name, config_provider_name(cd->provider), backing,
			layout_name(cd->layout.kind),
			cd->read_only == 1 ? ", read-only" : "");
		if (cd->provider == CONFIG_PROVIDER_FILE && cd->path)
			fprintf(out, "  backing is %s\n",
				access(cd->path, F_OK) == 0 ? "present" :
				"absent (registered when udev reports it)");
		manager_print_perm(out, "files", &cd->perm);
		if (!cd->ncells) {
			fprintf(out, "  no configured cells\n");
			continue;
		}
		fprintf(out, "  %-24s %10s %8s %8s  %-7s %s\n", "CELL", "OFFSET",
			"SIZE", "BITS", "FORMAT", "ACCESS");
		for (j = 0; j < cd->ncells; j++) {
			const struct config_cell *cc = &cd->cells[j];
			char bits[32] = "-";

			if (cc->nbits)
				snprintf(bits, sizeof(bits), "%u:%u",
					 cc->bit_offset, cc->nbits);
			fprintf(out, "  %-24s %#10" PRIx64 " %8u %8s  %-7s %s\n",
				cc->name, cc->offset, cc->size, bits,
				format_name(cc->format),
				cc->read_only || cd->read_only == 1 ? "ro" : "rw");
			manager_print_perm(out, cc->name, &cc->perm);
		}
	}
	return 0;
}
