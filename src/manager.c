// SPDX-License-Identifier: MIT
/*
 * Configuration -> devices, and udev events -> registration.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <libudev.h>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "nvmem.h"
#include "provider_file.h"

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
};

struct manager {
	const struct config *cfg;
	struct binding *bindings;
	size_t nbindings;
	pthread_mutex_t lock;
};

static const char *const manager_subsys[] = { "block", "mtd", NULL };

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

void manager_free(struct manager *m)
{
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++)
		manager_unbind(&m->bindings[i], "shutting down");
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_destroy(&m->lock);
	free(m->bindings);
	free(m);
}

/*
 * What this build can serve. A configuration asking for more must not
 * start (or pass --check-config) silently without it.
 */
static int manager_check_supported(const struct config *cfg)
{
	char section[300];
	int ret = 0;
	size_t i;

	for (i = 0; i < cfg->ndevices; i++) {
		const struct config_device *cd = &cfg->devices[i];

		snprintf(section, sizeof(section), "device %s", cd->name);
		if (cd->provider != CONFIG_PROVIDER_FILE) {
			config_error(cfg, config_device_line(cd, "provider"),
				     section, "provider",
				     "provider %s is not supported by this build",
				     config_provider_name(cd->provider));
			ret = -EINVAL;
		}
		if (cd->layout != CONFIG_LAYOUT_FIXED) {
			config_error(cfg, config_device_line(cd, "layout"),
				     section, "layout",
				     "layout %s is not supported by this build",
				     config_layout_name(cd->layout));
			ret = -EINVAL;
		}
	}
	return ret;
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
		};

		ret = nvmem_device_add_cell(dev, &cell);
		if (ret < 0) {
			manager_cell_error(cfg, cc, ret, nvmem_device_size(dev));
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Open the backing of @b and register it. Returns 0, -ENOENT when the
 * backing is absent (not an error for hot-pluggable backings), or another
 * -errno with the reason logged.
 */
static int manager_bind(struct manager *m, struct binding *b)
{
	const struct config_device *cd = b->cfg;
	struct nvmem_provider_info info;
	struct nvmem_device *dev;
	struct stat st;
	void *priv;
	int ret;

	if (cd->provider != CONFIG_PROVIDER_FILE)
		return -EOPNOTSUPP;

	ret = file_provider_open(cd->path, cd->read_only == 1, &priv, &info);
	if (ret < 0)
		return ret;
	if (cd->size && cd->size < info.size)
		info.size = cd->size;	/* serve only the configured part */

	dev = nvmem_device_new(cd->name, &file_provider_ops, priv, &info);
	if (!dev) {
		ret = -errno;
		file_provider_ops.destroy(priv);
		return ret;
	}
	nvmem_device_set_backing(dev, cd->path);
	if (cd->read_only == 1)
		nvmem_device_set_read_only(dev, true);
	if (cd->type_set)
		nvmem_device_set_type(dev, cd->type);

	ret = manager_add_cells(m->cfg, cd, dev);
	if (ret < 0)
		goto err_put;

	ret = nvmem_device_register(dev);
	if (ret < 0) {
		char section[300];

		snprintf(section, sizeof(section), "device %s", cd->name);
		config_error(m->cfg, cd->line, section, NULL,
			     "cannot register: %s", strerror(-ret));
		goto err_put;
	}
	b->dev = dev;
	b->rdev = (stat(cd->path, &st) == 0 &&
		   (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))) ? st.st_rdev : 0;
	return 0;

err_put:
	nvmem_device_put(dev);
	return ret;
}

int manager_start(struct manager *m)
{
	size_t i;
	int ret = 0, r;

	if (manager_check_supported(m->cfg) < 0)
		return -EINVAL;
	if (m->cfg->kernel_devices)
		log_notice("kernel-devices = yes: kernel nvmem devices are not served by this build yet");
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];
		const struct config_device *cd = b->cfg;

		r = manager_bind(m, b);
		if (r == -ENOENT && manager_path_hotplug(cd->path)) {
			log_notice("%s: %s is not present yet; waiting for it",
				   cd->name, cd->path);
			continue;
		}
		if (r < 0 && r != -EINVAL) {
			char section[300];

			snprintf(section, sizeof(section), "device %s", cd->name);
			config_error(m->cfg, config_device_line(cd, "path"),
				     section, "path", "%s: %s", cd->path,
				     strerror(-r));
		}
		if (r < 0)
			ret = -EINVAL;
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* Does the udev device stand for the node configured in @b? */
static bool manager_matches(const struct binding *b, struct udev_device *ud,
			    dev_t devnum)
{
	const char *node = udev_device_get_devnode(ud);
	struct stat st;

	if (b->cfg->provider != CONFIG_PROVIDER_FILE ||
	    !manager_path_hotplug(b->cfg->path))
		return false;
	if (b->dev && b->rdev)
		return devnum == b->rdev;
	if (node && !strcmp(node, b->cfg->path))
		return true;
	/* symlinks such as /dev/disk/by-label/... */
	return devnum && stat(b->cfg->path, &st) == 0 && st.st_rdev == devnum &&
	       (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));
}

/* A node that udev announced may take a moment to appear (udevd creates
 * symlinks after the kernel event): retry briefly. */
static int manager_bind_retry(struct manager *m, struct binding *b)
{
	int i, ret = -ENOENT;

	for (i = 0; i < 20; i++) {
		ret = manager_bind(m, b);
		if (ret != -ENOENT)
			break;
		usleep(25 * 1000);
	}
	return ret;
}

void manager_uevent(struct manager *m, const char *action,
		    struct udev_device *ud)
{
	dev_t devnum = udev_device_get_devnum(ud);
	bool add = !strcmp(action, "add") || !strcmp(action, "change") ||
		   !strcmp(action, "bind") || !strcmp(action, "online");
	bool remove = !strcmp(action, "remove") || !strcmp(action, "offline");
	size_t i;
	int ret;

	if (!add && !remove)
		return;
	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		if (!manager_matches(b, ud, devnum))
			continue;
		if (remove) {
			manager_unbind(b, "backing removed");
			continue;
		}
		if (b->dev)
			continue;	/* duplicate add, or a change */
		ret = manager_bind_retry(m, b);
		if (ret < 0 && ret != -EINVAL)
			log_err("%s: cannot open %s: %s", b->cfg->name,
				b->cfg->path, strerror(-ret));
	}
	pthread_mutex_unlock(&m->lock);
}

void manager_resync(struct manager *m)
{
	struct stat st;
	size_t i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->nbindings; i++) {
		struct binding *b = &m->bindings[i];

		if (b->dev && b->rdev &&
		    (stat(b->cfg->path, &st) < 0 || st.st_rdev != b->rdev))
			manager_unbind(b, "backing gone while events were lost");
	}
	pthread_mutex_unlock(&m->lock);
}

int manager_print_plan(const struct config *cfg, FILE *out)
{
	size_t i, j;

	if (manager_check_supported(cfg) < 0)
		return -EINVAL;
	fprintf(out, "configuration: %s\n", cfg->path ? cfg->path : "(none)");
	fprintf(out, "kernel nvmem devices: %s\n",
		cfg->kernel_devices ?
		"requested, but not served by this build (no sysfs provider yet)" :
		"not served");
	for (i = 0; i < cfg->ndevices; i++) {
		const struct config_device *cd = &cfg->devices[i];
		const char *backing = cd->path ? cd->path :
				      cd->kernel_name ? cd->kernel_name :
				      cd->chip ? cd->chip : "-";

		fprintf(out, "\ndevice %s: provider %s, backing %s, layout %s%s\n",
			cd->name, config_provider_name(cd->provider), backing,
			config_layout_name(cd->layout),
			cd->read_only == 1 ? ", read-only" : "");
		if (cd->provider == CONFIG_PROVIDER_FILE && cd->path)
			fprintf(out, "  backing is %s\n",
				access(cd->path, F_OK) == 0 ? "present" :
				"absent (registered when it appears)");
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
		}
	}
	return 0;
}
