// SPDX-License-Identifier: MIT
/*
 * Configured devices and their bindings: a [device] section is bound
 * while its backing is there, and unbound when it goes. Which event is
 * about which section is match.c's to say, how a device is built
 * factory.c's, and kernel devices that no section claims are kdevs.c's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"
#include "daemon/factory.h"
#include "daemon/kdevs.h"
#include "daemon/manager.h"
#include "daemon/match.h"
#include "providers/i2c.h"
#include "providers/sysfs.h"

/*
 * One configured device and what it is bound to.
 * @dev: the registered device, with the manager's reference; NULL while
 *       the backing is absent. Changed only under the manager's lock.
 * @rdev: device number of the backing node (0 for regular files), to
 *        recognise its remove event, when the node may already be gone.
 * @emul: an emulated chip's bus, kept across unplugs (factory.h).
 * @bus: at24 on a real bus: the adapter last matched, -1 before; with
 *       @kname, the kernel nvmem device it is served through (empty: over
 *       /dev/i2c-N), and @refused when a kernel driver's client kept it
 *       from binding: what manager_kclient() needs to follow a kernel
 *       driver binding and unbinding at the address.
 */
struct binding {
	const struct config_device *cfg;
	struct nvmem_device *dev;
	dev_t rdev;
	struct factory_emul emul;
	int bus;
	char kname[64];
	bool refused;
};

/* @lock serialises every change of the bindings and of @kdevs: the
 * uevent thread, the re-scan thread and start-up and exit on the main
 * thread. */
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
	for (i = 0; i < cfg->ndevices; i++) {
		m->bindings[i].cfg = &cfg->devices[i];
		m->bindings[i].bus = -1;
	}
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
	b->kname[0] = '\0';
}

void manager_free(struct manager *m)
{
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		manager_unbind(&m->bindings[i], "shutting down");
		factory_emul_free(&m->bindings[i].emul);
	}
	kdevs_free(&m->kdevs);
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_destroy(&m->lock);
	free(m->bindings);
	free(m);
}

/*
 * Open the backing of @b and register it. Returns 0 (b->dev stays NULL
 * if the hardware went while the device was set up: absent, and logged
 * here), or what factory_build() returns.
 */
static int manager_bind(struct manager *m, struct binding *b, int bus)
{
	const struct config_device *cd = b->cfg;
	struct i2c_client_info ci;
	struct nvmem_device *dev;
	dev_t rdev;
	int ret;

	if (bus >= 0)
		b->bus = bus;
	ret = factory_build(m->cfg, b->cfg, &b->emul, bus, &dev, &rdev);
	b->refused = ret == -EINVAL && factory_kernel_client(cd, bus, &ci) ==
				       FACTORY_KCLIENT_REFUSE;
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
	if (factory_kernel_client(cd, bus, &ci) == FACTORY_KCLIENT_USE) {
		snprintf(b->kname, sizeof(b->kname), "%s", ci.nvmem);
		/* Served under the section's name, not twice. */
		kdevs_event(&m->kdevs, m->cfg, b->kname, false, false);
	}
	return 0;

err_put:
	nvmem_device_put(dev);
	return ret;
}

/*
 * Bring up @b as the daemon does at start, or with @dry only build its
 * device (--check-config), for *@built if not NULL, else dropped: both
 * refuse the same configurations with the same messages. Backings that
 * udev announces (I2C adapters, kernel nvmem devices, /dev nodes) may be
 * absent now; anything else (an image file) must be there. 0 or -EINVAL
 * (logged).
 */
static int manager_start_one(struct manager *m, struct binding *b, bool dry,
			     struct manager_checked *built)
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
		r = factory_build(m->cfg, cd, &b->emul, -1, &dev, &rdev);
		if (built)
			built->ret = r;
		if (r == 0 && built) {
			built->dev = dev;
			built->emul = b->emul;
			memset(&b->emul, 0, sizeof(b->emul));
		} else if (r == 0) {
			nvmem_device_put(dev);
		}
	} else {
		r = manager_bind(m, b, -1);
	}
	if (r == -ENOENT && (cd->provider == CONFIG_PROVIDER_SYSFS ||
			     (cd->path && match_path_hotplug(cd->path)))) {
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

/* Bindings are made in the order of cfg->devices: @built[i] is for the
 * i-th (with @dry). */
static int manager_start_all(struct manager *m, bool dry,
			     struct manager_checked *built)
{
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++)
		if (manager_start_one(m, &m->bindings[i], dry,
				      built ? &built[i] : NULL) < 0)
			ret = -EINVAL;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int manager_start(struct manager *m)
{
	return manager_start_all(m, false, NULL);
}

int manager_check(const struct config *cfg, struct manager_checked *built)
{
	struct manager *m;
	int ret;

	ret = manager_new(cfg, &m);
	if (ret < 0)
		return ret;
	ret = manager_start_all(m, true, built);
	manager_free(m);
	return ret;
}

void manager_checked_free(struct manager_checked *c)
{
	nvmem_device_put(c->dev);
	c->dev = NULL;
	factory_emul_free(&c->emul);
}

/* What the binding knows for match_backing(). */
static struct match_state manager_match_state(const struct binding *b)
{
	const struct config_device *cd = b->cfg;
	struct match_state st = { .bound_rdev = b->dev ? b->rdev : 0 };
	struct stat sb;

	/* symlinks such as /dev/disk/by-label/... */
	if (cd->provider == CONFIG_PROVIDER_FILE &&
	    match_path_hotplug(cd->path) && stat(cd->path, &sb) == 0 &&
	    (S_ISBLK(sb.st_mode) || S_ISCHR(sb.st_mode)))
		st.path_rdev = sb.st_rdev;
	return st;
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

/* An add (or change) that matched @b: bind it if it is not bound. */
static void manager_added(struct manager *m, struct binding *b,
			  const struct uevent_event *ev, int bus)
{
	struct match_state st;
	bool reaped = b->dev;
	int ret;

	manager_reap(b);
	if (b->dev)
		return;		/* duplicate add, or a change */
	/* Matched as a dead device by its number (its remove was lost):
	 * what has that number now must match in full, which also finds
	 * the bus an at24 binding needs. */
	st = manager_match_state(b);
	if (reaped && !match_backing(b->cfg, &st, ev, &bus))
		return;
	ret = manager_bind_retry(m, b, bus);
	if (ret < 0 && ret != -EINVAL)
		log_err("%s: cannot open %s: %s", b->cfg->name,
			ev->devnode ? ev->devnode : "its backing",
			strerror(-ret));
}

/*
 * A kernel nvmem device came or went: is it a kernel driver's client at
 * the address of an at24 binding? A driver bound after the adapter came
 * (new_device, a module loaded late) takes the chip over: the binding is
 * rebuilt, and the factory serves the driver's nvmem device or refuses
 * (kernel-driver). A driver that goes leaves the chip to /dev/i2c-N
 * again, unless its adapter is going too: when the adapter is removed
 * its clients go first, and the i2c-dev remove follows at once. True
 * when a binding claims the nvmem device (kdevs.c must not serve it
 * twice).
 */
static bool manager_kclient(struct manager *m, const struct uevent_event *ev)
{
	struct i2c_client_info ci;
	bool claimed = false, waited = false;
	char node[32];
	uint16_t addr;
	size_t i;
	int bus;

	if (ev->action == UEVENT_ADD &&
	    i2c_client_of_nvmem(SYSFS_NVMEM_ROOT, ev->sysname, &bus, &addr) < 0)
		return false;
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];
		const struct config_device *cd = b->cfg;

		if (cd->provider != CONFIG_PROVIDER_AT24 || cd->emulate ||
		    b->bus < 0)
			continue;
		if (ev->action == UEVENT_ADD) {
			if (b->bus != bus || cd->address != addr)
				continue;
			if (!strcmp(b->kname, ev->sysname)) {
				claimed = true;
				continue;
			}
			if (!b->dev && b->refused)
				continue;	/* said so already */
			manager_unbind(b, "a kernel driver bound its address");
			manager_bind(m, b, bus);
			claimed |= !strcmp(b->kname, ev->sysname);
			continue;
		}
		if (strcmp(b->kname, ev->sysname) && !b->refused)
			continue;
		claimed |= !strcmp(b->kname, ev->sysname);
		manager_unbind(b, "the kernel driver at its address went");
		if (!waited) {
			usleep(100 * 1000);
			waited = true;
		}
		snprintf(node, sizeof(node), "i2c-%d", b->bus);
		if (!util_sysfs_attr(I2C_SYSFS_ROOT, node, "name", ci.name,
				     sizeof(ci.name)) &&
		    factory_kernel_client(cd, b->bus, &ci) == 0)
			manager_bind(m, b, b->bus);
	}
	return claimed;
}

void manager_uevent(struct manager *m, const struct uevent_event *ev)
{
	bool claimed = false;
	struct match_state st;
	size_t i;
	int bus;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		st = manager_match_state(b);
		if (!match_backing(b->cfg, &st, ev, &bus))
			continue;
		claimed = true;
		if (ev->action == UEVENT_REMOVE)
			manager_unbind(b, "backing removed");
		else
			manager_added(m, b, ev, bus);
	}
	if (!claimed && !strcmp(ev->subsystem, "nvmem"))
		claimed = manager_kclient(m, ev);
	if (!claimed && !strcmp(ev->subsystem, "nvmem"))
		kdevs_event(&m->kdevs, m->cfg, ev->sysname,
			    ev->action == UEVENT_ADD, !ev->enumerated);
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
		factory_emul_replug(&b->emul);
		ret = manager_bind(m, b, -1);
		if (ret < 0 && ret != -EINVAL)
			log_err("%s: cannot bind: %s", b->cfg->name,
				strerror(-ret));
	}
	pthread_mutex_unlock(&m->lock);
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
		/* Through a kernel client: its nvmem device too. */
		return (!b->rdev || util_dev_present(b->rdev, false)) &&
		       (!b->kname[0] || kdevs_present(b->kname));
	case CONFIG_PROVIDER_SYSFS:
		return kdevs_present(cd->kernel_name);
	}
	return true;
}

void manager_resync(struct manager *m)
{
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		manager_reap(b);
		if (b->dev && !manager_backing_present(b))
			manager_unbind(b, "backing gone while events were lost");
	}
	kdevs_resync(&m->kdevs);
	pthread_mutex_unlock(&m->lock);
}
