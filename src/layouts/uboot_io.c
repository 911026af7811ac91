// SPDX-License-Identifier: MIT
/*
 * How a U-Boot environment is read and written, whoever asks (a
 * variable's cell, the environment file, a sync): under libubootenv's
 * lock and the device's content lock, both copies read and parsed, the
 * new content stored whole into the copy that is not live.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/log.h"
#include "core/nvmem.h"
#include "layout_priv.h"

/*
 * fw_printenv and fw_setenv (libubootenv) flock() one file around every
 * access to the environment: take it too, around every read and every
 * read-modify-write, so that neither side loses the other's update nor
 * reads a copy the other is halfway through writing. Never held by an
 * unplug. Returns the descriptor whose close releases it, or -1 without
 * a lock (none configured, or the file cannot be opened: said once).
 */
int uboot_lock(struct nvmem_device *dev, struct uboot_layout *w)
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

void uboot_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* Read and parse both copies; the caller holds the locks and frees *env.
 * @head (NULL: not wanted) gets each copy's first bytes. */
int uboot_load_head(struct nvmem_device *dev,
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
	ret = uboot_env_parse_redund(buf, w->redundant ? buf + w->size : NULL,
				     w->size, w->redund, env, why, whylen);
out:
	free(buf);
	return ret;
}

int uboot_load(struct nvmem_device *dev, const struct uboot_layout *w,
		      struct uboot_env **env, char *why, size_t whylen)
{
	return uboot_load_head(dev, w, env, NULL, why, whylen);
}

/* uboot_load() under both locks, for one read. */
int uboot_load_locked(struct nvmem_device *dev, struct uboot_layout *w,
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
int uboot_store(struct nvmem_device *dev, const struct uboot_layout *w,
		       const struct uboot_env *env)
{
	uint8_t *buf = malloc(w->size), retire;
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
	/* Boolean flags: only now that the new copy is whole, the old one
	 * is marked obsolete. */
	if (ret == 0 && uboot_env_retire(env, &retire)) {
		n = nvmem_device_write_locked(dev, w->off[!target] +
					      UBOOT_ENV_FLAGS_AT, &retire, 1);
		ret = n < 0 ? (int)n : (n == 1 ? 0 : -EIO);
	}
	free(buf);
	return ret;
}

/* Load, let @edit change the environment, store: one read-modify-write
 * under both locks. */
int uboot_edit(struct nvmem_device *dev, struct uboot_layout *w,
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
