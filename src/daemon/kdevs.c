// SPDX-License-Identifier: MIT
/*
 * Kernel nvmem devices served under their kernel names (kdevs.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/log.h"
#include "core/nvmem.h"
#include "daemon/factory.h"
#include "daemon/kdevs.h"
#include "providers/sysfs.h"

/* How long an announced device's cells/ is waited for: the kernel adds
 * it right after the uevent, in the same registration. */
#define KDEVS_CELLS_WAIT_MS 100

struct kdev {
	struct nvmem_device *dev;
	struct kdev *next;
};

/* Unregister the kernel device *@pp and take it off the list. */
static void kdevs_drop(struct kdev **pp, const char *why)
{
	struct kdev *k = *pp;

	*pp = k->next;
	log_info("%s: %s", nvmem_device_name(k->dev), why);
	nvmem_device_unregister(k->dev);
	nvmem_device_put(k->dev);
	free(k);
}

bool kdevs_present(const char *kname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", SYSFS_NVMEM_ROOT, kname);
	return access(path, F_OK) == 0;
}

/* Can the kernel announce a device before its cells/? Only a kernel
 * that has cells/ at all (>= 6.7) adds it after the uevent. */
static bool kdevs_cells_lag(void)
{
	static int lag = -1;	/* the uevent thread's only */
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (lag < 0) {
		if (uname(&u) == 0)
			sscanf(u.release, "%u.%u", &major, &minor);
		lag = major > 6 || (major == 6 && minor >= 7);
	}
	return lag;
}

/* The kernel's cells, as its sysfs shows them; a cell that cannot be
 * served is logged and skipped. A device its uevent has just announced
 * may not have its cells/ yet: served without them, it would stay so
 * until it went again. One found by a scan has been there a while. */
static void kdevs_add_cells(struct nvmem_device *dev, const char *kname,
			    bool announced)
{
	unsigned int wait_ms = 0;
	struct nvmem_cell *cells;
	size_t i, n;

	if (announced && kdevs_cells_lag())
		wait_ms = KDEVS_CELLS_WAIT_MS;
	if (sysfs_provider_cells(SYSFS_NVMEM_ROOT, kname, wait_ms, &cells,
				 &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (nvmem_device_add_cell(dev, &cells[i]) == 0)
			cells[i].priv = NULL;	/* the device's now */
		else
			log_warn("%s: kernel cell '%s' not served", kname,
				 cells[i].name);
	}
	sysfs_provider_cells_free(cells, n);
}

static void kdevs_add(struct kdev **list, const char *kname, bool announced)
{
	struct nvmem_provider_info info;
	struct nvmem_device *dev;
	char backing[300];
	struct kdev *k;
	void *priv;
	int ret;

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
				   factory_cache_default(dev)) < 0)
		log_warn("%s: no memory for a cache; served uncached", kname);
	kdevs_add_cells(dev, kname, announced);
	k = calloc(1, sizeof(*k));
	if (!k || nvmem_device_register(dev) < 0) {
		free(k);
		nvmem_device_put(dev);
		return;
	}
	k->dev = dev;
	k->next = *list;
	*list = k;
}

void kdevs_event(struct kdev **list, const struct config *cfg,
		 const char *kname, bool add, bool announced)
{
	struct kdev **pp;

	for (pp = list; *pp; pp = &(*pp)->next)
		if (!strcmp(nvmem_device_name((*pp)->dev), kname))
			break;
	if (*pp && (!add || !nvmem_device_alive((*pp)->dev)))
		kdevs_drop(pp, "kernel device removed");
	else if (*pp)
		return;		/* a change, or a duplicate add */
	if (!add || !cfg->kernel_devices)
		return;
	if (config_find_device(cfg, kname)) {
		log_warn("%s: a configured device has the kernel device's name; not serving the kernel one",
			 kname);
		return;
	}
	kdevs_add(list, kname, announced);
}

void kdevs_resync(struct kdev **list)
{
	struct kdev **pp, *k;

	for (pp = list; (k = *pp);) {
		if (nvmem_device_alive(k->dev) &&
		    kdevs_present(nvmem_device_name(k->dev))) {
			pp = &k->next;
			continue;
		}
		kdevs_drop(pp, "kernel device gone while events were lost");
	}
}

void kdevs_free(struct kdev **list)
{
	while (*list)
		kdevs_drop(list, "shutting down");
}
