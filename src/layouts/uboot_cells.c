// SPDX-License-Identifier: MIT
/*
 * A U-Boot environment served as cells: one per variable, plus the whole
 * environment as one file (<device>/environment).
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
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/log.h"
#include "core/nvmem.h"
#include "layout_priv.h"

/* CRC-32 and, in a redundant environment, the flags byte. */
#define UBOOT_HEAD	5

/*
 * Where a device's U-Boot environment lives, and what the last sync saw.
 * Owned by the device (nvmem_device_set_layout()), freed after its cells,
 * so every variable's cell may point here. Everything above @sync_lock is
 * fixed once the layout is applied; what follows it is guarded by it.
 * Lock order: @sync_lock, the libubootenv flock, the content lock.
 * Writers never take @sync_lock: their change shows at the next sync.
 */
struct uboot_layout {
	uint64_t off[2];
	bool redundant;
	size_t size;
	char *lock;		/* libubootenv's lock file, NULL: none */
	atomic_bool lock_warned;
	/* max_raw is this environment's size for text variables and the
	 * environment file, 6 bytes for MAC addresses */
	struct nvmem_cell_ops ops, mac_ops, file_ops;
	struct nvmem_cell file;

	pthread_mutex_t sync_lock;
	uint8_t head[2][UBOOT_HEAD];
	bool head_known;
	bool bad_logged;
};

struct uboot_var {
	struct uboot_layout *where;
	char name[NAME_MAX + 1];	/* whole: a cut name is another variable */
};

/*
 * fw_printenv and fw_setenv (libubootenv) flock() one file around every
 * access to the environment: take it too, around every read and every
 * read-modify-write, so that neither side loses the other's update nor
 * reads a copy the other is halfway through writing. Never held by an
 * unplug. Returns the descriptor whose close releases it, or -1 without
 * a lock (none configured, or the file cannot be opened: said once).
 */
static int uboot_lock(struct nvmem_device *dev, struct uboot_layout *w)
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

/* Read and parse both copies; the caller holds the locks and frees *env.
 * @head (NULL: not wanted) gets each copy's first bytes. */
static int uboot_load_head(struct nvmem_device *dev,
			   const struct uboot_layout *w,
			   struct uboot_env **env, uint8_t (*head)[UBOOT_HEAD],
			   char *why, size_t whylen)
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
		if (head)
			memcpy(head[i], buf + i * w->size, UBOOT_HEAD);
	}
	ret = uboot_env_parse(buf, w->redundant ? buf + w->size : NULL,
			      w->size, env, why, whylen);
out:
	free(buf);
	return ret;
}

static int uboot_load(struct nvmem_device *dev, const struct uboot_layout *w,
		      struct uboot_env **env, char *why, size_t whylen)
{
	return uboot_load_head(dev, w, env, NULL, why, whylen);
}

/* uboot_load() under both locks, for one read. */
static int uboot_load_locked(struct nvmem_device *dev, struct uboot_layout *w,
			     struct uboot_env **env)
{
	char why[160];
	int lock, ret;

	/* Not while a write rewrites a copy: a half-written one reads as
	 * a bad CRC. */
	lock = uboot_lock(dev, w);
	nvmem_device_content_lock(dev);
	ret = uboot_load(dev, w, env, why, sizeof(why));
	nvmem_device_content_unlock(dev);
	uboot_unlock(lock);
	return ret < 0 ? (ret == -ENODEV || ret == -ENOMEM ? ret : -EIO) : 0;
}

/* Store @env whole, into the inactive copy of a redundant environment;
 * the caller holds both locks. 0 or -errno. */
static int uboot_store(struct nvmem_device *dev, const struct uboot_layout *w,
		       const struct uboot_env *env)
{
	uint8_t *buf = malloc(w->size);
	int ret, target = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (w->redundant)
		target = !uboot_env_active(env);	/* never the live copy */
	ret = uboot_env_serialise(env, buf, w->redundant,
				  w->redundant ? uboot_env_next_flags(env) : 0);
	if (ret == 0) {
		n = nvmem_device_write_locked(dev, w->off[target], buf, w->size);
		ret = n < 0 ? (int)n : ((size_t)n == w->size ? 0 : -EIO);
	}
	free(buf);
	return ret;
}

/* Load, let @edit change the environment, store: one read-modify-write
 * under both locks. */
static int uboot_edit(struct nvmem_device *dev, struct uboot_layout *w,
		      int (*edit)(struct uboot_env *env, const void *arg),
		      const void *arg)
{
	struct uboot_env *env = NULL;
	char why[160];
	int lock, ret;

	lock = uboot_lock(dev, w);
	nvmem_device_content_lock(dev);
	ret = uboot_load(dev, w, &env, why, sizeof(why));
	if (ret < 0) {
		/* A bad CRC is not replaced by a new environment: U-Boot
		 * would have used its defaults, which we do not know. */
		ret = ret == -ENODEV || ret == -ENOMEM ? ret : -EIO;
		goto out;
	}
	ret = edit(env, arg);
	if (ret == 0)
		ret = uboot_store(dev, w, env);
out:
	nvmem_device_content_unlock(dev);
	uboot_unlock(lock);
	uboot_env_free(env);
	return ret;
}

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

/* The environment file's raw value: "name=value" lines, as fw_printenv
 * prints them (the text format adds the last newline). */
static ssize_t uboot_file_read(struct nvmem_device *dev,
			       const struct nvmem_cell *cell, uint8_t *buf,
			       size_t size)
{
	struct uboot_env *env;
	size_t i, pos = 0, n, v;
	ssize_t ret;

	ret = uboot_load_locked(dev, cell->priv, &env);
	if (ret < 0)
		return ret;
	for (i = 0; i < uboot_env_count(env); i++) {
		n = strlen(uboot_env_name(env, i));
		v = strlen(uboot_env_value(env, i));
		if (pos + (i > 0) + n + 1 + v > size) {
			ret = -ENOSPC;	/* cannot be: it fits in the copy */
			goto out;
		}
		if (i > 0)
			buf[pos++] = '\n';
		memcpy(buf + pos, uboot_env_name(env, i), n);
		buf[pos + n] = '=';
		memcpy(buf + pos + n + 1, uboot_env_value(env, i), v);
		pos += n + 1 + v;
	}
	ret = pos;
out:
	uboot_env_free(env);
	return ret;
}

/* A new content for the environment file, split into variables. */
struct uboot_script {
	char *text;
	char **name, **value;
	size_t n;
};

static bool uboot_script_has(const struct uboot_script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return true;
	return false;
}

/* Every variable the script does not name goes; the rest is set, in the
 * script's order (a name given twice: the last value). */
static int uboot_edit_replace(struct uboot_env *env, const void *arg)
{
	const struct uboot_script *s = arg;
	char *name;
	size_t i;
	int ret;

	for (i = uboot_env_count(env); i-- > 0;) {
		if (uboot_script_has(s, uboot_env_name(env, i)))
			continue;
		name = strdup(uboot_env_name(env, i));
		if (!name)
			return -ENOMEM;
		ret = uboot_env_unset(env, name);
		free(name);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < s->n; i++) {
		ret = uboot_env_set(env, s->name[i], s->value[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Lines "name=value"; empty lines and "#" comments are skipped, as
 * fw_setenv -s skips them. Anything else is refused whole (-EINVAL). */
static int uboot_script_parse(struct uboot_script *s, const uint8_t *raw,
			      size_t len)
{
	char *line, *next, *eq;
	size_t lines = 1, i;

	if (memchr(raw, '\0', len))
		return -EINVAL;
	s->text = strndup((const char *)raw, len);
	if (!s->text)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		lines += raw[i] == '\n';
	s->name = calloc(lines, sizeof(*s->name));
	s->value = calloc(lines, sizeof(*s->value));
	if (!s->name || !s->value)
		return -ENOMEM;
	for (line = s->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line)
			return -EINVAL;
		*eq = '\0';
		s->name[s->n] = line;
		s->value[s->n++] = eq + 1;
	}
	return 0;
}

static int uboot_file_write(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, const uint8_t *raw,
			    size_t len)
{
	struct uboot_script s = { 0 };
	int ret;

	ret = uboot_script_parse(&s, raw, len);
	if (ret == 0)
		ret = uboot_edit(dev, cell->priv, uboot_edit_replace, &s);
	free(s.text);
	free(s.name);
	free(s.value);
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

static void uboot_var_free(void *priv)
{
	free(priv);
}

/* The cell of variable @name, added hidden: its index, or -errno. */
static ssize_t uboot_add_var(struct nvmem_device *dev, struct uboot_layout *w,
			     const char *name)
{
	struct uboot_var *v;
	struct nvmem_cell cell = { .priv_free = uboot_var_free };
	ssize_t ret;

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
	ret = nvmem_device_add_dyn_cell(dev, &cell);
	if (ret < 0)
		free(v);	/* not taken by the device */
	if (ret == -EEXIST)	/* added by a sync meanwhile */
		ret = nvmem_device_find_cell(dev, name);
	return ret;
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
	char why[160] = "";
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
		if (!w->bad_logged)
			log_warn("%s: U-Boot environment %s: %s; its variables are not served until it is valid",
				 nvmem_device_name(dev),
				 initial ? "not applied" : "no longer valid", why);
		w->bad_logged = true;
		goto out;
	}
	if (w->bad_logged && !initial)
		log_info("%s: U-Boot environment valid again",
			 nvmem_device_name(dev));
	w->bad_logged = false;
	if (initial && uboot_env_skipped(env))
		log_warn("%s: %zu U-Boot environment entries without name=value skipped, as U-Boot skips them",
			 nvmem_device_name(dev), uboot_env_skipped(env));
	for (i = 0; i < uboot_env_count(env); i++) {
		const char *name = uboot_env_name(env, i);

		idx = nvmem_device_find_cell(dev, name);
		if (idx < 0)
			idx = uboot_add_var(dev, w, name);
		if (idx == -ENOMEM) {
			ret = -ENOMEM;
			goto out;
		}
		if (idx >= NVMEM_CELL_DYN_BASE)
			nvmem_device_sync_mark(dev, idx, sync);
		else if (initial)
			layout_skipped(dev, name, idx < 0 ? idx : -EEXIST);
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
	idx = nvmem_device_find_cell(dev, name);
	if (idx >= 0)
		return idx < NVMEM_CELL_DYN_BASE ||
		       nvmem_device_cell_present(dev, idx) ? -EEXIST : idx;
	return uboot_add_var(dev, priv, name);
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
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->off[0] = p->env_offset;
	w->redundant = p->env_redundant_offset >= 0;
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
