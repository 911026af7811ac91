// SPDX-License-Identifier: MIT
/*
 * A U-Boot environment served as cells: one per variable, plus the whole
 * environment as one file (<device>/environment, uboot_file.c); reads and
 * writes go through uboot_io.c.
 *
 * Variables move whenever one changes length, and fw_setenv adds and
 * removes them behind our back: they are dynamic cells (nvmem.h) whose
 * ops re-read and re-parse the environment on every access, and whose
 * names follow the device: every lookup and listing first syncs with it,
 * re-parsing only when a copy's header (CRC, flags) has changed. A write
 * rewrites the whole environment with a fresh CRC, into the inactive copy
 * when there are two, so that a power cut leaves one valid environment.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"
#include "layout_priv.h"

static ssize_t uboot_var_read(struct nvmem_device *dev,
			      const struct nvmem_cell *cell, uint8_t *buf,
			      size_t size)
{
	struct uboot_var *v = cell->priv;
	struct uboot_env *env;
	const char *value = NULL;
	ssize_t ret;
	size_t i;

	ret = uboot_load_locked(dev, v->where, &env);
	if (ret < 0)
		return ret;
	for (i = 0; i < uboot_env_count(env); i++)
		if (!strcmp(uboot_env_name(env, i), v->name))
			value = uboot_env_value(env, i);
	if (!value) {
		ret = -ENOENT;	/* removed behind our back */
	} else if (cell->format == CELL_FORMAT_MAC) {
		/* Stored as text; the cell's raw value is the 6 bytes. */
		ret = format_decode(CELL_FORMAT_MAC, value, strlen(value), buf, 6);
		ret = ret < 0 ? -EIO : 6;
	} else if (strlen(value) > size) {
		ret = -ENOSPC;
	} else {
		ret = strlen(value);
		memcpy(buf, value, ret);
	}
	uboot_env_free(env);
	return ret;
}

struct uboot_assign {
	const char *name, *value;
};

static int uboot_edit_set(struct uboot_env *env, const void *arg)
{
	const struct uboot_assign *a = arg;

	return uboot_env_set(env, a->name, a->value);
}

static int uboot_var_write(struct nvmem_device *dev,
			   const struct nvmem_cell *cell, const uint8_t *raw,
			   size_t len)
{
	struct uboot_var *v = cell->priv;
	struct uboot_assign a = { .name = v->name };
	char text[32], *value;
	int ret;

	if (cell->format == CELL_FORMAT_MAC) {
		if (len != 6 || format_encode(CELL_FORMAT_MAC, raw, 6, text,
					      sizeof(text)) != 18)
			return -EINVAL;
		text[17] = '\0';
		value = strdup(text);
	} else {
		if (memchr(raw, '\0', len))
			return -EINVAL;
		value = strndup((const char *)raw, len);
	}
	if (!value)
		return -ENOMEM;
	a.value = value;
	ret = uboot_edit(dev, v->where, uboot_edit_set, &a);
	free(value);
	return ret;
}

static bool uboot_is_mac(const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(name, "ethaddr"))
		return true;
	/* eth1addr, eth2addr, ... */
	if (n < 8 || strncmp(name, "eth", 3) || strcmp(name + n - 4, "addr"))
		return false;
	for (size_t i = 3; i < n - 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

/* The cell of variable @name, added hidden: its index, or -errno. Its
 * mode follows .flags in @env (NULL: a variable not set yet) as they are
 * now: read-only, or write-once and set. Writes check them every time. */
static ssize_t uboot_add_var(struct nvmem_device *dev, struct uboot_layout *w,
			     const char *name, const struct uboot_env *env)
{
	struct uboot_var *v;
	struct nvmem_cell cell = { 0 };

	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	strcpy(v->name, name);
	v->where = w;
	cell.name = v->name;
	cell.priv = v;
	cell.format = uboot_is_mac(name) ? CELL_FORMAT_MAC : CELL_FORMAT_TEXT;
	cell.ops = cell.format == CELL_FORMAT_MAC ? &w->mac_ops : &w->ops;
	cell.read_only = env && uboot_env_read_only(env, name);
	return layout_add_dyn(dev, &cell);
}

/* The state a sync found in a valid environment, for <device>/status. */
static void uboot_set_status(struct nvmem_device *dev,
			     const struct uboot_layout *w,
			     const struct uboot_env *env,
			     uint8_t (*head)[UBOOT_HEAD])
{
	int active = uboot_env_active(env);

	if (w->redundant)
		nvmem_device_set_layout_status(dev, "layout: u-boot-env\nlayout-state: applied\nenv-active-copy: %d\nenv-flags: %u\n",
					       active, head[active][4]);
	else
		nvmem_device_set_layout_status(dev, "layout: u-boot-env\nlayout-state: applied\n");
}

/*
 * Show the variables the device holds now. @initial: the first look,
 * which says why a variable cannot be served (later syncs would say it
 * again at every lookup).
 */
static int uboot_sync_now(struct nvmem_device *dev, struct uboot_layout *w,
			  bool initial)
{
	uint8_t head[2][UBOOT_HEAD];
	struct uboot_env *env = NULL;
	char why[160] = "", when[UTIL_ISO_TIME_MAX];
	uint64_t sync;
	ssize_t idx;
	size_t i;
	int lock, ret;

	lock = uboot_lock(dev, w);
	nvmem_device_content_lock(dev);
	ret = uboot_load_head(dev, w, &env, head, why, sizeof(why));
	nvmem_device_content_unlock(dev);
	uboot_unlock(lock);
	if (ret == -ENODEV || ret == -ENOMEM)
		return ret;
	sync = nvmem_device_sync_begin(dev);
	if (ret < 0) {
		/* Nothing to show until the environment is valid again;
		 * the raw device stays readable. */
		if (!w->bad_logged) {
			log_warn("%s: U-Boot environment %s: %s; its variables are not served until it is valid",
				 nvmem_device_name(dev),
				 initial ? "not applied" : "no longer valid", why);
			/* Since the first sync that found it invalid. */
			nvmem_device_set_layout_status(dev, "layout: u-boot-env\nlayout-state: invalid since %s: %s\n",
						       util_iso_time(util_realtime_ns(), when),
						       why);
		}
		w->bad_logged = true;
		goto out;
	}
	if (w->bad_logged && !initial)
		log_info("%s: U-Boot environment valid again",
			 nvmem_device_name(dev));
	w->bad_logged = false;
	uboot_set_status(dev, w, env, head);
	if (initial && uboot_env_skipped(env))
		log_warn("%s: %zu U-Boot environment entries without name=value skipped, as U-Boot skips them",
			 nvmem_device_name(dev), uboot_env_skipped(env));
	for (i = 0; i < uboot_env_count(env); i++) {
		const char *name = uboot_env_name(env, i);

		idx = nvmem_device_find_cell(dev, name);
		if (idx < 0)
			idx = uboot_add_var(dev, w, name, env);
		ret = layout_sync_found(dev, name, idx, sync, initial);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	nvmem_device_sync_end(dev, sync);
	memcpy(w->head, head, sizeof(head));
	w->head_known = ret == 0 || ret == -EBADMSG || ret == -EINVAL;
	uboot_env_free(env);
	return ret < 0 && ret != -ENOMEM ? 0 : ret;
}

/* Cheap when nothing changed: one small read per copy. */
static int uboot_sync(struct nvmem_device *dev, void *priv)
{
	struct uboot_layout *w = priv;
	uint8_t head[2][UBOOT_HEAD];
	int i, ret = 0;
	ssize_t n;

	pthread_mutex_lock(&w->sync_lock);
	for (i = 0; w->head_known && i < (w->redundant ? 2 : 1); i++) {
		n = nvmem_device_read(dev, w->off[i], head[i], UBOOT_HEAD);
		if (n < 0) {
			ret = n;
			goto out;
		}
		if (n != UBOOT_HEAD || memcmp(head[i], w->head[i], UBOOT_HEAD))
			break;
	}
	if (!w->head_known || i < (w->redundant ? 2 : 1))
		ret = uboot_sync_now(dev, w, false);
out:
	pthread_mutex_unlock(&w->sync_lock);
	return ret;
}

static ssize_t uboot_create(struct nvmem_device *dev, void *priv,
			    const char *name)
{
	ssize_t idx;

	if (nvmem_device_read_only(dev))
		return -EROFS;
	if (strchr(name, '='))
		return -EINVAL;
	idx = layout_find_hidden(dev, name);
	if (idx != -ENOENT)
		return idx;
	return uboot_add_var(dev, priv, name, NULL);
}

static int uboot_edit_unset(struct uboot_env *env, const void *arg)
{
	return uboot_env_unset(env, arg);
}

static int uboot_remove(struct nvmem_device *dev, void *priv,
			const struct nvmem_cell *cell)
{
	const struct uboot_var *v = cell->priv;

	if (nvmem_device_read_only(dev))
		return -EROFS;
	return uboot_edit(dev, priv, uboot_edit_unset, v->name);
}

static const struct nvmem_cell *uboot_file(struct nvmem_device *dev,
					   void *priv)
{
	struct uboot_layout *w = priv;

	return &w->file;
}

static const struct nvmem_layout_ops uboot_layout_ops = {
	.sync = uboot_sync,
	.create = uboot_create,
	.remove = uboot_remove,
	.file = uboot_file,
};

static void uboot_layout_free(void *priv)
{
	struct uboot_layout *w = priv;

	pthread_mutex_destroy(&w->sync_lock);
	free(w->lock);
	free(w);
}

int layout_uboot(struct nvmem_device *dev, const struct layout_params *p)
{
	struct uboot_layout *w;
	const char *key;
	char why[160] = "";
	uint64_t size;
	int ret;

	if (layout_uboot_geometry(p, nvmem_device_size(dev), &size, &key, why,
				  sizeof(why)) < 0) {
		log_warn("%s: u-boot-env layout not applied: %s",
			 nvmem_device_name(dev), why);
		nvmem_device_set_layout_status(dev, "layout: u-boot-env\nlayout-state: not applied: %s\n",
					       why);
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->off[0] = p->env_offset;
	w->redundant = p->env_redundant_offset >= 0;
	w->redund = p->env_redund;
	w->off[1] = w->redundant ? (uint64_t)p->env_redundant_offset : 0;
	if (p->env_lock && !(w->lock = strdup(p->env_lock))) {
		free(w);
		return -ENOMEM;
	}
	w->size = size;
	w->ops.read = uboot_var_read;
	w->ops.write = uboot_var_write;
	w->ops.max_raw = w->size;
	w->ops.priv_free = free;
	w->mac_ops = w->ops;
	w->mac_ops.max_raw = 6;
	w->file_ops.read = uboot_file_read;
	w->file_ops.write = uboot_file_write;
	w->file_ops.max_raw = w->size;
	w->file.name = (char *)"environment";
	w->file.format = CELL_FORMAT_TEXT;
	w->file.ops = &w->file_ops;
	w->file.priv = w;
	pthread_mutex_init(&w->sync_lock, NULL);
	ret = nvmem_device_set_layout(dev, &uboot_layout_ops, w,
				      uboot_layout_free);
	if (ret < 0) {
		uboot_layout_free(w);
		return ret;
	}
	pthread_mutex_lock(&w->sync_lock);
	ret = uboot_sync_now(dev, w, true);
	pthread_mutex_unlock(&w->sync_lock);
	return ret == -ENOMEM ? ret : 0;
}
