// SPDX-License-Identifier: MIT
/*
 * Provider "sysfs": pread/pwrite on a kernel nvmem device's "nvmem"
 * attribute. When the kernel unregisters the device under an open file,
 * reads fail (ENODEV and friends), which the core reports as ENODEV.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"
#include "providers/sysfs.h"

/* The kernel serves the attribute page by page; one page per call keeps
 * an unplug's wait for a read in flight short. */
#define SYSFS_CHUNK 4096

/* Lifetime: see provider.h; @fd is closed by destroy only. */
struct sysfs_provider {
	int fd;
	atomic_bool cancelled;
	char path[];		/* of the nvmem attribute */
};

/*
 * What a reader sees of a failed kernel read or write (the error table
 * of README.md): ENODEV once the device is gone, EIO for every bus error. A read in flight when
 * the kernel removes the device fails with what the bus driver saw
 * (ETIMEDOUT from a pulled CP2112, say), but its attribute leaves sysfs as
 * the removal starts; while the attribute stays, the chip merely did not
 * answer. That must not pass for an unplug: an ENXIO from one NACK (as
 * some adapters report it) would unregister a device that no uevent ever
 * brings back. EPERM is the kernel's answer to a write once root set
 * force_ro.
 */
static ssize_t sysfs_map_error(int err, bool gone)
{
	if (gone || provider_errno_gone(err))
		return -ENODEV;
	if (err == EPERM || err == EACCES || err == EROFS)
		return -EROFS;
	if (err != EIO)
		log_debug("sysfs: kernel I/O failed: %s", strerror(err));
	return -EIO;
}

static ssize_t sysfs_error(const struct sysfs_provider *sp, int err)
{
	return sysfs_map_error(err, access(sp->path, F_OK) < 0 &&
				    errno == ENOENT);
}

int sysfs_provider_open(const char *root, const char *name, bool read_only,
			void **priv, struct nvmem_provider_info *info)
{
	struct sysfs_provider *sp;
	char path[PATH_MAX], attr[64];
	struct stat st;
	int ret;

	memset(info, 0, sizeof(*info));
	snprintf(path, sizeof(path), "%s/%s/nvmem", root, name);
	sp = calloc(1, sizeof(*sp) + strlen(path) + 1);
	if (!sp)
		return -ENOMEM;
	strcpy(sp->path, path);
	if (util_sysfs_attr(root, name, "force_ro", attr, sizeof(attr)) == 0 &&
	    attr[0] == '1')
		read_only = true;
	sp->fd = util_open_rw_or_ro(path, &read_only);
	if (sp->fd < 0) {
		ret = sp->fd;
		goto err_free;
	}
	if (fstat(sp->fd, &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (st.st_size <= 0) {
		ret = -ENOMEDIUM;
		goto err_close;
	}
	info->size = st.st_size;
	info->perm = (struct nvmem_perm){ st.st_mode & 07777, st.st_uid,
					  st.st_gid };
	/* kernfs refuses to open such an attribute for writing, even for
	 * root; a tree of plain files (the tests') would not. */
	info->immutable = !(st.st_mode & 0222);
	info->read_only = read_only || info->immutable;
	info->type = NVMEM_TYPE_UNKNOWN;
	if (util_sysfs_attr(root, name, "type", attr, sizeof(attr)) == 0)
		nvmem_type_parse(attr, &info->type);
	info->read_chunk = SYSFS_CHUNK;
	info->write_chunk = SYSFS_CHUNK;
	*priv = sp;
	return 0;

err_close:
	close(sp->fd);
err_free:
	free(sp);
	return ret;
}

static ssize_t sysfs_io(struct sysfs_provider *sp, bool write, void *buf,
		       size_t len, uint64_t off)
{
	ssize_t n = util_pio(sp->fd, write, buf, len, off, &sp->cancelled);

	if (n < 0)
		return n == -ENODEV ? n : sysfs_error(sp, -n);
	return n ? n : -EIO;
}

static ssize_t sysfs_read(void *priv, uint64_t off, void *buf, size_t len)
{
	return sysfs_io(priv, false, buf, len, off);
}

static ssize_t sysfs_write(void *priv, uint64_t off, const void *buf,
			   size_t len)
{
	return sysfs_io(priv, true, (void *)buf, len, off);
}

static void sysfs_cancel(void *priv)
{
	struct sysfs_provider *sp = priv;

	atomic_store(&sp->cancelled, true);
}

static void sysfs_destroy(void *priv)
{
	struct sysfs_provider *sp = priv;

	close(sp->fd);
	free(sp);
}

const struct nvmem_provider_ops sysfs_provider_ops = {
	.name = "sysfs",
	.read = sysfs_read,
	.write = sysfs_write,
	.cancel = sysfs_cancel,
	.destroy = sysfs_destroy,
};

/* ---- kernel cells ---- */

/*
 * The device's cells/ directory, opened once for all its cells. A cell
 * file opened through it fails with ENOENT once the kernel has removed
 * the device, where opening by path would reach a new device that took
 * the same name meanwhile. Each cell holds a reference; the last one,
 * freed with the device, closes it.
 */
struct sysfs_cells_dir {
	int fd;
	struct util_ref refs;
};

/* What a kernel cell's ops need: its file, in that directory. */
struct sysfs_cell {
	struct sysfs_cells_dir *dir;
	char name[NAME_MAX + 1];
};

static void sysfs_cell_free(void *priv)
{
	struct sysfs_cell *sc = priv;

	if (!sc)
		return;
	if (util_ref_put(&sc->dir->refs)) {
		close(sc->dir->fd);
		free(sc->dir);
	}
	free(sc);
}

static ssize_t sysfs_cell_read(struct nvmem_device *dev,
			       const struct nvmem_cell *cell, uint8_t *buf,
			       size_t size)
{
	const struct sysfs_cell *sc = cell->priv;
	ssize_t n;
	int fd;

	fd = openat(sc->dir->fd, sc->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)	/* ENOENT: gone with its device */
		return sysfs_map_error(errno, errno == ENOENT);
	n = pread(fd, buf, size, 0);
	if (n < 0) {
		int err = errno;

		n = sysfs_map_error(err, faccessat(sc->dir->fd, sc->name, F_OK,
						   0) < 0 && errno == ENOENT);
	}
	close(fd);
	/* As for the device's own reads: bytes that arrived after the
	 * unplug was seen are not answered. */
	if (n >= 0 && !nvmem_device_alive(dev))
		n = -ENODEV;
	return n;
}

static int sysfs_cell_write(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, const uint8_t *raw,
			    size_t len)
{
	return -EROFS;	/* the kernel's cell files are read-only */
}

/* Hex digits only: strtoull() would also take blanks, a sign or "0x". */
static bool sysfs_hex(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

int sysfs_cell_name_parse(const char *file, char *name, size_t size,
			  uint64_t *off, unsigned int *bit)
{
	const char *at = strrchr(file, '@');
	const char *comma, *end;
	unsigned long long o;
	unsigned int b = 0;

	if (!at || at == file || (size_t)(at - file) >= size)
		return -EINVAL;
	end = at + strlen(at);
	comma = strchr(at, ',');
	if (!sysfs_hex(at + 1, comma ? comma : end))
		return -EINVAL;
	/* The kernel prints a bit offset of 0-7 as one digit. */
	if (comma) {
		if (end - comma != 2 || comma[1] < '0' || comma[1] > '7')
			return -EINVAL;
		b = comma[1] - '0';
	}
	errno = 0;
	o = strtoull(at + 1, NULL, 16);
	if (errno)
		return -EINVAL;	/* more than 64 bits */
	memcpy(name, file, at - file);
	name[at - file] = '\0';
	*off = o;
	*bit = b;
	return 0;
}

int sysfs_provider_cells(const char *root, const char *name,
			 unsigned int wait_ms, struct nvmem_cell **cells,
			 size_t *n)
{
	static struct nvmem_cell_ops ops = {
		.read = sysfs_cell_read,
		.write = sysfs_cell_write,
		.max_raw = 4096,	/* one sysfs page */
		.priv_free = sysfs_cell_free,
	};
	struct nvmem_cell *list = NULL, *grown;
	struct sysfs_cells_dir *cdir;
	char dir[PATH_MAX], cname[256];
	struct dirent *de;
	size_t count = 0;
	int fd, ret = 0;
	DIR *d;

	*cells = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/%s/cells", root, name);
	for (;;) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno != ENOENT)
			return -errno;
		if (wait_ms < SYSFS_CELLS_POLL_MS)
			return 0;	/* no cells, or before 6.7 */
		usleep(SYSFS_CELLS_POLL_MS * 1000);
		wait_ms -= SYSFS_CELLS_POLL_MS;
	}
	cdir = malloc(sizeof(*cdir));
	d = fdopendir(fd);
	if (!cdir || !d) {
		free(cdir);
		if (d)
			closedir(d);
		else
			close(fd);
		return -ENOMEM;
	}
	/* The listing's descriptor becomes the cells' own. */
	cdir->fd = dup(fd);
	util_ref_init(&cdir->refs);	/* ours, dropped at the end */
	if (cdir->fd < 0) {
		ret = -errno;
		goto out;
	}
	while ((de = readdir(d))) {
		struct sysfs_cell *sc;
		unsigned int bit;
		uint64_t off;

		if (de->d_name[0] == '.')
			continue;
		if (sysfs_cell_name_parse(de->d_name, cname, sizeof(cname), &off,
					  &bit) < 0) {
			log_warn("%s: kernel cell file '%s' not understood, skipped",
				 name, de->d_name);
			continue;
		}
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown)
			list = grown;
		sc = calloc(1, sizeof(*sc));
		if (!grown || !sc) {
			free(sc);
			ret = -ENOMEM;
			goto out;
		}
		sc->dir = cdir;
		util_ref_get(&cdir->refs);
		strcpy(sc->name, de->d_name);	/* d_name holds NAME_MAX at most */
		memset(&list[count], 0, sizeof(list[count]));
		list[count].name = strdup(cname);
		list[count].offset = off;
		list[count].bit_offset = bit;
		list[count].format = CELL_FORMAT_RAW;
		list[count].read_only = true;
		list[count].ops = &ops;
		list[count].priv = sc;
		count++;
		if (!list[count - 1].name) {
			ret = -ENOMEM;
			goto out;
		}
	}
out:
	closedir(d);
	if (util_ref_put(&cdir->refs)) {
		if (cdir->fd >= 0)
			close(cdir->fd);
		free(cdir);
	}
	if (ret < 0) {
		sysfs_provider_cells_free(list, count);
		return ret;
	}
	*cells = list;
	*n = count;
	return 0;
}

void sysfs_provider_cells_free(struct nvmem_cell *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(cells[i].name);
		sysfs_cell_free(cells[i].priv);
	}
	free(cells);
}
