// SPDX-License-Identifier: MIT
/*
 * Provider "file": pread/pwrite on a file descriptor.
 *
 * MTD devices cannot be written in place: a write first erases the whole
 * erase block, so a write here reads the block, merges the new bytes,
 * erases and writes the block back (write_chunk = erase size keeps every
 * write inside one block).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>
#include <mtd/mtd-user.h>

#include "base/log.h"
#include "base/util.h"
#include "providers/file.h"

/* Bounds one provider call, and so how long an unplug waits for a read
 * in flight: 64 KiB is a few milliseconds on the slowest storage we
 * serve this way (SPI NOR through MTD). */
#define FILE_READ_CHUNK		(64 * 1024)
/* A regular file is never unplugged (only its device's block device or
 * MTD is): one call per FUSE request, since each chunk costs a splice()
 * of its own. */
#define FILE_REG_READ_CHUNK	(1024 * 1024)
#define FILE_WRITE_CHUNK	4096

/*
 * Lifetime: see provider.h. @fd is closed only by destroy, after the
 * SRCU grace period, so no read can use a closed (or reused) descriptor.
 * @erase_lock (flash that must be erased) is held shared by reads and
 * exclusively across an erase and its rewrite: between the two the whole
 * erase block reads 0xff, bytes no write touched, which a reader (or the
 * cache it fills) must never see. May be held across a sleeping ioctl.
 * Writers go first: with glibc's default, a steady stream of readers
 * could keep an erase waiting for good, and with it the device's write
 * lock that every cell read takes.
 */
struct file_provider {
	int fd;
	bool node;		/* a block or character device */
	bool mtd;
	bool mtd_erase;		/* MTD needs an erase before writing */
	uint32_t erase_size;
	uint64_t size;
	atomic_bool cancelled;
	pthread_rwlock_t erase_lock;
};

static int file_size(struct file_provider *fp, const struct stat *st,
		     struct nvmem_provider_info *info)
{
	struct mtd_info_user mtd;
	uint64_t size;
	int ro = 0;

	info->type = NVMEM_TYPE_UNKNOWN;
	info->read_chunk = FILE_READ_CHUNK;
	info->write_chunk = FILE_WRITE_CHUNK;
	info->read_ahead = true;

	if (S_ISREG(st->st_mode)) {
		fp->size = st->st_size;
		info->read_chunk = FILE_REG_READ_CHUNK;
		return 0;
	}
	if (S_ISBLK(st->st_mode)) {
		if (ioctl(fp->fd, BLKGETSIZE64, &size) < 0)
			return -errno;
		fp->size = size;
		/* Read-ahead (megabytes on some devices) would turn a
		 * 64 KiB chunk into a much longer read and so delay the
		 * failure of a read in flight at unplug: read only what
		 * was asked for. */
		posix_fadvise(fp->fd, 0, 0, POSIX_FADV_RANDOM);
		/* A read-only block device (losetup -r, a write-protected
		 * eMMC boot partition) opens O_RDWR just fine and fails only
		 * the writes: ask it. */
		if (ioctl(fp->fd, BLKROGET, &ro) == 0 && ro)
			info->read_only = true;
		return 0;
	}
	if (S_ISCHR(st->st_mode) && ioctl(fp->fd, MEMGETINFO, &mtd) == 0) {
		fp->mtd = true;
		fp->size = mtd.size;
		fp->erase_size = mtd.erasesize ? mtd.erasesize : 1;
		fp->mtd_erase = !(mtd.flags & MTD_NO_ERASE);
		if (!(mtd.flags & MTD_WRITEABLE))
			info->read_only = true;
		if (fp->mtd_erase)
			info->write_chunk = fp->erase_size;
		return 0;
	}
	return -ENOTSUP;	/* a tty or the like: not a memory */
}

int file_provider_open(const char *path, bool read_only, void **priv,
		       struct nvmem_provider_info *info)
{
	struct file_provider *fp;
	pthread_rwlockattr_t attr;
	struct stat st;
	int ret;

	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return -ENOMEM;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&fp->erase_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	memset(info, 0, sizeof(*info));
	/* Not writable: served read-only. */
	fp->fd = util_open_rw_or_ro(path, &read_only);
	if (fp->fd < 0) {
		ret = fp->fd;
		goto err_free;
	}
	info->read_only = read_only;
	if (fstat(fp->fd, &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	fp->node = S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode);
	ret = file_size(fp, &st, info);
	if (ret < 0)
		goto err_close;
	if (fp->size == 0) {
		/* A loop device without a backing file, an empty image:
		 * nothing to serve (yet). */
		ret = -ENOMEDIUM;
		goto err_close;
	}
	info->size = fp->size;
	info->perm = (struct nvmem_perm){ st.st_mode & 07777, st.st_uid,
					  st.st_gid };
	*priv = fp;
	return 0;

err_close:
	close(fp->fd);
err_free:
	pthread_rwlock_destroy(&fp->erase_lock);
	free(fp);
	return ret;
}

/*
 * A failed read or write: for a device node, ENXIO too means that its
 * driver has no device any more (a block device or MTD gone under us);
 * otherwise the kernel's one rule (provider_errno_gone()).
 */
static ssize_t file_error(const struct file_provider *fp, ssize_t n)
{
	if (n < 0 && (provider_errno_gone(-n) || (fp->node && n == -ENXIO)))
		return -ENODEV;
	return n;
}

static ssize_t file_read(void *priv, uint64_t off, void *buf, size_t len)
{
	struct file_provider *fp = priv;
	ssize_t n;

	if (fp->mtd_erase)
		pthread_rwlock_rdlock(&fp->erase_lock);
	n = util_pio(fp->fd, false, buf, len, off, &fp->cancelled);
	if (fp->mtd_erase)
		pthread_rwlock_unlock(&fp->erase_lock);
	return n ? file_error(fp, n) : -EIO;	/* 0: the file shrank */
}

/*
 * Page cache pages go into the pipe by reference: the bytes are copied
 * once, into the reader's buffer, instead of twice. Regular files and
 * block devices only; MTD character devices cannot be spliced.
 */
static ssize_t file_splice_read(void *priv, uint64_t off, int pipe_fd,
				size_t len)
{
	struct file_provider *fp = priv;
	loff_t pos = off;
	ssize_t n;

	if (fp->mtd)
		return -EOPNOTSUPP;
	do {
		if (atomic_load_explicit(&fp->cancelled, memory_order_relaxed))
			return -ENODEV;
		n = splice(fp->fd, &pos, pipe_fd, NULL, len,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0)	/* EAGAIN: the pipe is full, which the core avoids */
		return errno == EINVAL || errno == EAGAIN ? -EOPNOTSUPP :
		       file_error(fp, -errno);
	return n ? n : -EIO;	/* the file shrank under us */
}

static ssize_t file_pwrite_all(struct file_provider *fp, uint64_t off,
			       const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = util_pio(fp->fd, true, (char *)buf + done, len - done,
			     off + done, &fp->cancelled);
		if (n <= 0)
			return n < 0 ? file_error(fp, n) : -EIO;
		done += n;
	}
	return done;
}

/* Read-merge-erase-write of one erase block. */
static ssize_t file_mtd_write(struct file_provider *fp, uint64_t off,
			      const void *buf, size_t len)
{
	uint64_t start = off - off % fp->erase_size;
	struct erase_info_user64 ei = { .start = start,
					.length = fp->erase_size };
	uint8_t *block;
	ssize_t n;

	block = malloc(fp->erase_size);
	if (!block)
		return -ENOMEM;
	n = util_pio(fp->fd, false, block, fp->erase_size, start,
		     &fp->cancelled);
	if (n != (ssize_t)fp->erase_size) {
		n = n < 0 ? file_error(fp, n) : -EIO;
		goto out;
	}
	memcpy(block + (off - start), buf, len);
	pthread_rwlock_wrlock(&fp->erase_lock);
	if (ioctl(fp->fd, MEMERASE64, &ei) < 0)
		n = -errno;
	else
		n = file_pwrite_all(fp, start, block, fp->erase_size);
	pthread_rwlock_unlock(&fp->erase_lock);
	if (n >= 0)
		n = len;
out:
	free(block);
	return n;
}

static ssize_t file_write(void *priv, uint64_t off, const void *buf,
			  size_t len)
{
	struct file_provider *fp = priv;
	ssize_t n;

	if (fp->mtd && fp->mtd_erase)
		return file_mtd_write(fp, off, buf, len);
	n = file_pwrite_all(fp, off, buf, len);
	/* Block devices cache writes: make the data reach the medium before
	 * the write returns, as an EEPROM write would. */
	if (n > 0 && fdatasync(fp->fd) < 0 && errno != EINVAL)
		return -errno;
	return n;
}

static void file_cancel(void *priv)
{
	struct file_provider *fp = priv;

	atomic_store(&fp->cancelled, true);
}

static void file_destroy(void *priv)
{
	struct file_provider *fp = priv;

	close(fp->fd);
	pthread_rwlock_destroy(&fp->erase_lock);
	free(fp);
}

const struct nvmem_provider_ops file_provider_ops = {
	.name = "file",
	.read = file_read,
	.splice_read = file_splice_read,
	.write = file_write,
	.cancel = file_cancel,
	.destroy = file_destroy,
};
