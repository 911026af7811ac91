// SPDX-License-Identifier: MIT
/*
 * Layouts applied to a device: the parsers (layout_*.c) read a buffer;
 * this file reads the device, turns the result into cells, and gives the
 * U-Boot environment's variables read and write operations.
 *
 * ONIE and sl28 cells are fixed cells at the offsets the parser found.
 * U-Boot variables move whenever one changes length, so their cells have
 * ops that re-read and re-parse the environment on every access; a write
 * rewrites the whole environment with a fresh CRC, into the inactive copy
 * when there are two, so that a power cut leaves one valid environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "layouts/layout.h"
#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"

/* The largest ONIE TlvInfo: 11-byte header + a 16-bit length. */
#define ONIE_MAX	(11 + 0xffff)
#define SL28_SIZE	64

/*
 * Where a device's U-Boot environment lives. Shared by the cells of all
 * its variables (each holds a reference); freed with the last one, which
 * goes with the device.
 */
struct uboot_where {
	uint64_t off[2];
	bool redundant;
	enum uboot_redund redund;	/* what the flags byte means */
	size_t size;
	char *lock;		/* libubootenv's lock file, NULL: none */
	atomic_bool lock_warned;
	struct util_ref refs;
	/* Per device: max_raw is this environment's size for text
	 * variables, 6 bytes for MAC addresses. */
	struct nvmem_cell_ops ops, mac_ops;
};

struct uboot_var {
	struct uboot_where *where;
	char name[NAME_MAX + 1];	/* whole: a cut name is another variable */
};

static void uboot_where_put(struct uboot_where *w)
{
	if (!util_ref_put(&w->refs))
		return;
	free(w->lock);
	free(w);
}

static void uboot_var_free(void *priv)
{
	struct uboot_var *v = priv;

	uboot_where_put(v->where);
	free(v);
}

/*
 * fw_printenv and fw_setenv (libubootenv) flock() one file around every
 * access to the environment: take it too, around every read and every
 * read-modify-write, so that neither side loses the other's update nor
 * reads a copy the other is halfway through writing. Taken before the
 * device's content lock, and never held by an unplug. Returns the
 * descriptor whose close releases it, or -1 without a lock (none
 * configured, or the file cannot be opened: said once per device).
 */
static int uboot_lock(struct nvmem_device *dev, struct uboot_where *w)
{
	int fd;

	if (!w->lock)
		return -1;
	fd = open(w->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		fd = open(w->lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!atomic_exchange(&w->lock_warned, true))
			log_warn("%s: cannot open %s (%s): the environment is accessed without fw_setenv's lock",
				 nvmem_device_name(dev), w->lock,
				 strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
		;
	return fd;
}

static void uboot_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* Read and parse both copies; the caller frees *env. */
static int uboot_load(struct nvmem_device *dev, const struct uboot_where *w,
		      struct uboot_env **env, char *why, size_t whylen)
{
	uint8_t *buf;
	ssize_t n;
	int i, ret;

	buf = malloc(w->redundant ? w->size * 2 : w->size);
	if (!buf) {
		snprintf(why, whylen, "no memory for a %zu-byte environment",
			 w->size);
		return -ENOMEM;
	}
	for (i = 0; i < (w->redundant ? 2 : 1); i++) {
		n = nvmem_device_read(dev, w->off[i], buf + i * w->size, w->size);
		if (n < 0 || (size_t)n != w->size) {
			ret = n < 0 ? (int)n : -EINVAL;
			if (n < 0)
				snprintf(why, whylen, "cannot read environment copy %d: %s",
					 i, strerror(-ret));
			else
				snprintf(why, whylen, "environment copy %d at 0x%llx is beyond the device",
					 i, (unsigned long long)w->off[i]);
			goto out;
		}
	}
	ret = uboot_env_parse_redund(buf, w->redundant ? buf + w->size : NULL,
				     w->size, w->redund, env, why, whylen);
out:
	free(buf);
	return ret;
}

static ssize_t uboot_var_read(struct nvmem_device *dev,
			      const struct nvmem_cell *cell, uint8_t *buf,
			      size_t size)
{
	struct uboot_var *v = cell->priv;
	struct uboot_env *env;
	const char *value = NULL;
	char why[160];
	ssize_t ret;
	size_t i;
	int lock;

	/* Not while a write rewrites a copy: a half-written one reads as
	 * a bad CRC. */
	lock = uboot_lock(dev, v->where);
	nvmem_device_content_lock(dev);
	ret = uboot_load(dev, v->where, &env, why, sizeof(why));
	nvmem_device_content_unlock(dev);
	uboot_unlock(lock);
	if (ret < 0)
		return ret == -ENODEV ? ret : -EIO;
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

static int uboot_var_write(struct nvmem_device *dev,
			   const struct nvmem_cell *cell, const uint8_t *raw,
			   size_t len)
{
	struct uboot_var *v = cell->priv;
	struct uboot_where *w = v->where;
	struct uboot_env *env = NULL;
	uint8_t *buf = NULL;
	char why[160], text[32], *value;
	int ret, target = 0, lock;
	uint8_t retire;
	ssize_t n;

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

	lock = uboot_lock(dev, w);
	nvmem_device_content_lock(dev);
	ret = uboot_load(dev, w, &env, why, sizeof(why));
	if (ret < 0)
		goto out;
	ret = uboot_env_set(env, v->name, value);
	if (ret < 0)
		goto out;
	buf = malloc(w->size);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (w->redundant)
		target = !uboot_env_active(env);	/* never the live copy */
	ret = uboot_env_serialise(env, buf, w->redundant,
				  w->redundant ? uboot_env_next_flags(env) : 0);
	if (ret < 0)
		goto out;
	n = nvmem_device_write_locked(dev, w->off[target], buf, w->size);
	ret = n < 0 ? (int)n : ((size_t)n == w->size ? 0 : -EIO);
	/* Boolean flags: only now that the new copy is whole, the old one
	 * is marked obsolete. */
	if (!ret && uboot_env_retire(env, &retire)) {
		n = nvmem_device_write_locked(dev, w->off[!target] +
					      UBOOT_ENV_FLAGS_AT, &retire, 1);
		ret = n < 0 ? (int)n : (n == 1 ? 0 : -EIO);
	}
out:
	nvmem_device_content_unlock(dev);
	uboot_unlock(lock);
	uboot_env_free(env);
	free(buf);
	free(value);
	return ret;
}

/*
 * Why a layout cell is not served. A name a configured cell already has
 * is the device's data, not a configuration mistake (fw_setenv can add
 * such a variable any day), so it must not take the device down: the
 * configured cell wins and the layout's is skipped.
 */
static void layout_skipped(struct nvmem_device *dev, const char *name, int err)
{
	if (err == -EEXIST)
		log_warn("%s: layout cell '%s' not served: a configured cell has that name",
			 nvmem_device_name(dev), name);
	else
		log_warn("%s: layout cell '%s' not served: %s",
			 nvmem_device_name(dev), name, strerror(-err));
}

/* Add one cell; only running out of memory is an error. */
static int layout_add(struct nvmem_device *dev, struct nvmem_cell *cell)
{
	int ret = nvmem_device_add_cell(dev, cell);

	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		layout_skipped(dev, cell->name, ret);
	return 0;
}

static int layout_fixed_cells(struct nvmem_device *dev,
			      const struct layout_cells *cells)
{
	size_t i;
	int ret;

	for (i = 0; i < cells->n; i++) {
		struct nvmem_cell cell = {
			.name = cells->cells[i].name,
			.offset = cells->cells[i].offset,
			.bytes = cells->cells[i].len,
			.format = cells->cells[i].format,
			.read_only = true,	/* the CRC covers them */
		};

		ret = layout_add(dev, &cell);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int layout_table(struct nvmem_device *dev, enum layout_kind kind)
{
	struct layout_cells cells = { 0 };
	size_t len = kind == LAYOUT_ONIE_TLV ? ONIE_MAX : SL28_SIZE;
	char why[160] = "";
	uint8_t *buf;
	ssize_t n;
	int ret;

	if (len > nvmem_device_size(dev))
		len = nvmem_device_size(dev);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	n = nvmem_device_read(dev, 0, buf, len);
	if (n < 0) {
		snprintf(why, sizeof(why), "cannot read the device: %s", strerror(-n));
		ret = -EIO;
	} else if (kind == LAYOUT_ONIE_TLV) {
		ret = onie_tlv_parse(buf, n, &cells, why, sizeof(why));
	} else {
		ret = sl28_vpd_parse(buf, n, &cells, why, sizeof(why));
	}
	free(buf);
	if (ret < 0) {
		/* Bad data: no cells from it; the raw device stays served. */
		log_warn("%s: %s layout not applied: %s", nvmem_device_name(dev),
			 layout_name(kind), why);
		return 0;
	}
	ret = layout_fixed_cells(dev, &cells);
	layout_cells_free(&cells);
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

static int layout_uboot(struct nvmem_device *dev, const struct layout_params *p)
{
	const char *key;
	int lock;
	struct uboot_where *w;
	struct uboot_env *env;
	char why[160] = "";
	uint64_t size;
	size_t i;
	int ret;

	if (layout_uboot_geometry(p, nvmem_device_size(dev), &size, &key, why,
				  sizeof(why)) < 0) {
		log_warn("%s: u-boot-env layout not applied: %s",
			 nvmem_device_name(dev), why);
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	util_ref_init(&w->refs);	/* ours, dropped at the end */
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
	w->mac_ops = w->ops;
	w->mac_ops.max_raw = 6;
	lock = uboot_lock(dev, w);
	ret = uboot_load(dev, w, &env, why, sizeof(why));
	uboot_unlock(lock);
	if (ret < 0) {
		log_warn("%s: u-boot-env layout not applied: %s",
			 nvmem_device_name(dev), why);
		ret = 0;
		goto out;
	}
	if (uboot_env_skipped(env))
		log_warn("%s: %zu U-Boot environment entries without name=value skipped, as U-Boot skips them",
			 nvmem_device_name(dev), uboot_env_skipped(env));
	for (i = 0; i < uboot_env_count(env); i++) {
		struct uboot_var *v = calloc(1, sizeof(*v));
		struct nvmem_cell cell = {
			.ops = &w->ops,
			.priv = v,
			.priv_free = uboot_var_free,
		};
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		if (strlen(uboot_env_name(env, i)) >= sizeof(v->name)) {
			free(v);
			layout_skipped(dev, uboot_env_name(env, i), -ENAMETOOLONG);
			continue;
		}
		strcpy(v->name, uboot_env_name(env, i));
		v->where = w;
		util_ref_get(&w->refs);
		cell.name = v->name;
		/* .flags: read-only, or write-once and set */
		cell.read_only = uboot_env_read_only(env, v->name);
		cell.format = uboot_is_mac(v->name) ? CELL_FORMAT_MAC :
			      CELL_FORMAT_TEXT;
		if (cell.format == CELL_FORMAT_MAC)
			cell.ops = &w->mac_ops;
		ret = nvmem_device_add_cell(dev, &cell);
		if (ret < 0) {
			uboot_var_free(v);	/* not taken by the device */
			if (ret == -ENOMEM)
				break;
			layout_skipped(dev, uboot_env_name(env, i), ret);
			ret = 0;
		}
	}
	uboot_env_free(env);
out:
	uboot_where_put(w);
	return ret;
}

static const char *const layout_names[LAYOUT_KINDS] = {
	[LAYOUT_FIXED] = "fixed",
	[LAYOUT_ONIE_TLV] = "onie-tlv",
	[LAYOUT_U_BOOT_ENV] = "u-boot-env",
	[LAYOUT_SL28_VPD] = "sl28-vpd",
};

const char *layout_name(enum layout_kind kind)
{
	return (unsigned int)kind < LAYOUT_KINDS ? layout_names[kind] : "?";
}

int layout_kind_parse(const char *name, enum layout_kind *kind)
{
	unsigned int i;

	for (i = 0; i < LAYOUT_KINDS; i++) {
		if (!strcmp(name, layout_names[i])) {
			*kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A CRC, a flags byte and one empty variable's terminator. */
#define LAYOUT_UBOOT_MIN	8

int layout_uboot_geometry(const struct layout_params *p, uint64_t dev_size,
			  uint64_t *sizep, const char **key, char *why,
			  size_t whylen)
{
	bool redundant = p->env_redundant_offset >= 0;
	uint64_t off[2] = { p->env_offset, redundant ? p->env_redundant_offset : 0 };
	uint64_t size = p->env_size, apart;
	unsigned int i;

	if (!size && dev_size) {
		uint64_t end = dev_size;

		if (redundant && off[1] > off[0])
			end = off[1];
		size = end > off[0] ? end - off[0] : 0;
	}
	*sizep = size;
	if (!size && !dev_size)
		return 0;	/* decided once the device is open */
	if (size < LAYOUT_UBOOT_MIN) {
		*key = "env-size";
		snprintf(why, whylen, "%llu bytes cannot hold an environment (at least %d)",
			 (unsigned long long)size, LAYOUT_UBOOT_MIN);
		return -EINVAL;
	}
	apart = off[0] < off[1] ? off[1] - off[0] : off[0] - off[1];
	if (redundant && apart < size) {
		*key = "env-redundant-offset";
		snprintf(why, whylen, "the copies at 0x%llx and 0x%llx overlap (env-size %llu)",
			 (unsigned long long)off[0], (unsigned long long)off[1],
			 (unsigned long long)size);
		return -EINVAL;
	}
	/* Checked before any buffer is sized from them: the numbers come
	 * from the user. */
	for (i = 0; dev_size && i < (redundant ? 2u : 1u); i++) {
		if (off[i] > dev_size || size > dev_size - off[i] ||
		    size > SIZE_MAX / 2) {
			*key = i ? "env-redundant-offset" : "env-offset";
			snprintf(why, whylen, "copy %u (0x%llx + %llu bytes) lies beyond the device (%llu bytes)",
				 i, (unsigned long long)off[i],
				 (unsigned long long)size,
				 (unsigned long long)dev_size);
			return -EINVAL;
		}
	}
	return 0;
}

int layout_apply(struct nvmem_device *dev, const struct layout_params *p)
{
	switch (p->kind) {
	case LAYOUT_ONIE_TLV:
	case LAYOUT_SL28_VPD:
		return layout_table(dev, p->kind);
	case LAYOUT_U_BOOT_ENV:
		return layout_uboot(dev, p);
	default:
		return 0;
	}
}
