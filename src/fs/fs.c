// SPDX-License-Identifier: MIT
/*
 * FUSE lowlevel operations. Stateless apart from open handles: every
 * request resolves its inode through the registry (lock-free), so nothing
 * here has to be torn down when a device goes; the kernel is told to drop
 * its cached entries instead (fs_removed()).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cell.h"
#include "fs/fs.h"
#include "base/log.h"
#include "core/nvmem.h"
#include "core/registry.h"

/* Kernel cache lifetimes. Entries and fixed-size attributes may be cached:
 * an unplug invalidates them explicitly. Cells whose text length depends
 * on the value (string, decimal) are never cached, so st_size is what a
 * read returns. File data is cached only as fs_page_cached() allows. */
#define FS_TIMEOUT	1.0

/*
 * An open file or directory. Holds a device reference, so the device
 * (name, cells, size) stays valid however long the handle lives; every
 * operation through it fails with ENODEV once the device is unregistered.
 * Owned by the kernel's file; freed in release/releasedir.
 */
struct fs_handle {
	struct nvmem_device *dev;	/* NULL for the root directory */
	unsigned int entry;
};

/*
 * The kernel answers a read before it sends the release of its file, and
 * ThreadSanitizer sees that order through the read()/writev() on
 * /dev/fuse that it intercepts, but not through splice(): a spliced
 * reply says so explicitly, on the handle that release frees.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(FS_TSAN)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define fs_tsan_release(p)	__tsan_release(p)
#define fs_tsan_acquire(p)	__tsan_acquire(p)
#else
#define fs_tsan_release(p)	((void)(p))
#define fs_tsan_acquire(p)	((void)(p))
#endif

/* Set by fs_attach(), cleared by fs_detach() on the main thread while
 * the uevent thread and gone workers may be reading it in fs_removed(). */
static _Atomic(struct fuse_session *) fs_session;
/* The root directory's owner and times: the daemon's own ids and start,
 * read once by fs_attach() before the loop starts, not per attribute
 * (ls -l of 10,000 cells asked the kernel 20,000 times). Every other
 * file has its device's owner (perm.h). */
static uid_t fs_uid;
static gid_t fs_gid;
static uint64_t fs_started_ns;
static atomic_bool fs_notify_ok;
static atomic_bool fs_splice_ok;	/* the session agreed to splice */

/*
 * Each FUSE worker thread's pipe for spliced reads (see fs_read_spliced):
 * created on its first read, closed by the thread-exit destructor.
 * Empty between requests; a pipe left holding bytes after an error is
 * closed and a fresh one made, rather than drained.
 */
struct fs_pipe {
	int fd[2];
};

#define FS_PIPE_SIZE	(2 * FS_MAX_READ)

static pthread_key_t fs_pipe_key;
static pthread_once_t fs_pipe_once = PTHREAD_ONCE_INIT;
static bool fs_pipe_key_ok;

static fuse_ino_t fs_ino(const struct nvmem_device *dev, unsigned int entry)
{
	return ((fuse_ino_t)nvmem_device_id(dev) << FS_INO_SHIFT) | entry;
}

static uint64_t fs_ino_id(fuse_ino_t ino)
{
	return ino >> FS_INO_SHIFT;
}

static unsigned int fs_ino_entry(fuse_ino_t ino)
{
	return ino & ((1u << FS_INO_SHIFT) - 1);
}

static const struct nvmem_cell *fs_cell(const struct nvmem_device *dev,
					unsigned int entry)
{
	if (entry < FS_ENTRY_CELL0)
		return NULL;
	return nvmem_device_cell(dev, entry - FS_ENTRY_CELL0);
}

static bool fs_entry_valid(const struct nvmem_device *dev, unsigned int entry)
{
	return entry < FS_ENTRY_CELL0 || fs_cell(dev, entry);
}

static bool fs_cell_fixed_size(const struct nvmem_cell *cell)
{
	switch (cell->format) {
	case CELL_FORMAT_RAW:
	case CELL_FORMAT_MAC:
	case CELL_FORMAT_HEX:
		return !cell->ops;
	default:
		return false;
	}
}

static bool fs_cell_read_only(const struct nvmem_device *dev,
			      const struct nvmem_cell *cell)
{
	return cell->read_only || nvmem_device_read_only(dev);
}

/*
 * May the kernel keep @entry's bytes in its page cache across opens?
 * Only where our own cache would answer anyway and nothing could make
 * the kernel's copy stale: a fixed-size cell of a cached, read-only
 * device, whose text is read whole on every request. Such pages are
 * dropped when the device goes (fs_removed) before its directory does;
 * every other file is direct I/O. Raw nvmem stays direct even then: a
 * page-sized read would cost a slow bus far more than the caller asked
 * for.
 */
static bool fs_device_page_cached(const struct nvmem_device *dev)
{
	return nvmem_device_cached(dev) && nvmem_device_read_only(dev);
}

static bool fs_page_cached(const struct nvmem_device *dev, unsigned int entry)
{
	const struct nvmem_cell *cell = fs_cell(dev, entry);

	return cell && fs_cell_fixed_size(cell) && fs_device_page_cached(dev);
}

/* Text of the "type" file. */
static int fs_type_text(const struct nvmem_device *dev, char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", nvmem_type_name(nvmem_device_type(dev)));
}

/* The cell's text as a read returns it, in a buffer the caller frees.
 * Returns the length or -errno. */
static ssize_t fs_cell_text(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, char **text)
{
	size_t max = cell_max_text(cell);
	ssize_t n;

	*text = malloc(max + 1);
	if (!*text)
		return -ENOMEM;
	n = cell_read_text(dev, cell, *text, max + 1);
	if (n < 0) {
		free(*text);
		*text = NULL;
	}
	return n;
}

/* st_size of a cell: exactly what a read returns now. */
static off_t fs_cell_size(struct nvmem_device *dev, const struct nvmem_cell *cell)
{
	char *text;
	ssize_t n;

	if (fs_cell_fixed_size(cell))
		return cell_max_text(cell);
	n = fs_cell_text(dev, cell, &text);
	free(text);
	/* Unreadable right now (bus error): report the bound; the read
	 * itself will report the error. */
	return n < 0 ? (off_t)cell_max_text(cell) : n;
}

static void fs_set_times(struct stat *st, uint64_t atime_ns, uint64_t mtime_ns)
{
	st->st_atim.tv_sec = atime_ns / 1000000000u;
	st->st_atim.tv_nsec = atime_ns % 1000000000u;
	st->st_mtim.tv_sec = mtime_ns / 1000000000u;
	st->st_mtim.tv_nsec = mtime_ns % 1000000000u;
	st->st_ctim = st->st_mtim;
}

static void fs_set_perm(struct stat *st, mode_t type, const struct nvmem_perm *p)
{
	st->st_mode = type | p->mode;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
}

/*
 * Directories are listable by everyone, as the kernel's nvmem sysfs
 * directories are: names are not secret, bytes are, and the files'
 * own modes guard those.
 */
#define FS_DIR_MODE	0555

static void fs_fill_attr(struct nvmem_device *dev, unsigned int entry,
			 struct stat *st, double *timeout)
{
	const struct nvmem_cell *cell;
	struct nvmem_perm perm;
	uint64_t reg;
	char tbuf[32];

	memset(st, 0, sizeof(*st));
	*timeout = FS_TIMEOUT;
	if (!dev) {
		st->st_ino = FUSE_ROOT_ID;
		st->st_mode = S_IFDIR | FS_DIR_MODE;
		st->st_uid = fs_uid;
		st->st_gid = fs_gid;
		st->st_nlink = 2;
		fs_set_times(st, fs_started_ns, fs_started_ns);
		return;
	}
	st->st_ino = fs_ino(dev, entry);
	st->st_nlink = 1;
	perm = nvmem_device_perm(dev);
	reg = nvmem_device_registered_ns(dev);
	fs_set_times(st, reg, reg);
	switch (entry) {
	case FS_ENTRY_DIR:
	case FS_ENTRY_CELLS:
		perm.mode = FS_DIR_MODE;
		fs_set_perm(st, S_IFDIR, &perm);
		st->st_nlink = entry == FS_ENTRY_DIR ? 3 : 2;
		break;
	case FS_ENTRY_NVMEM:
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = nvmem_device_size(dev);
		fs_set_times(st, reg, nvmem_device_written_ns(dev));
		break;
	case FS_ENTRY_TYPE:
		perm = perm_info(&perm);
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = fs_type_text(dev, tbuf, sizeof(tbuf));
		break;
	default:
		cell = fs_cell(dev, entry);
		perm = perm_cell(&perm, &cell->perm, fs_cell_read_only(dev, cell));
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = fs_cell_size(dev, cell);
		fs_set_times(st, reg, nvmem_device_cell_written_ns(dev,
					entry - FS_ENTRY_CELL0));
		if (!fs_cell_fixed_size(cell))
			*timeout = 0;
		break;
	}
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
}

/*
 * Resolve @ino to a referenced live device (NULL for the root). Returns
 * 0, -ENODEV when its device went away (the kernel only holds inode
 * numbers we gave it, so an unknown one is a device that has gone), or
 * -ENOENT for a cell index that does not exist. Operations by name
 * (lookup, open) report both as ENOENT: there is no such file now.
 */
static int fs_resolve(fuse_ino_t ino, struct nvmem_device **devp)
{
	struct nvmem_device *dev;

	*devp = NULL;
	if (ino == FUSE_ROOT_ID)
		return 0;
	dev = registry_get_by_id(fs_ino_id(ino));
	if (!dev)
		return -ENODEV;
	if (!fs_entry_valid(dev, fs_ino_entry(ino))) {
		nvmem_device_put(dev);
		return -ENOENT;
	}
	*devp = dev;
	return 0;
}

static void fs_reply_entry(fuse_req_t req, struct nvmem_device *dev,
			   unsigned int entry)
{
	struct fuse_entry_param e;
	double timeout;

	memset(&e, 0, sizeof(e));
	fs_fill_attr(dev, entry, &e.attr, &timeout);
	e.ino = e.attr.st_ino;
	e.generation = 0;	/* inode numbers are never reused */
	e.attr_timeout = timeout;
	e.entry_timeout = FS_TIMEOUT;
	fuse_reply_entry(req, &e);
}

static void fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct nvmem_device *dev;
	unsigned int entry;
	ssize_t idx;

	if (parent == FUSE_ROOT_ID) {
		dev = registry_get_by_name(name);
		if (!dev) {
			fuse_reply_err(req, ENOENT);
			return;
		}
		fs_reply_entry(req, dev, FS_ENTRY_DIR);
		nvmem_device_put(dev);
		return;
	}
	if (fs_resolve(parent, &dev) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	entry = fs_ino_entry(parent);
	if (entry == FS_ENTRY_DIR) {
		if (!strcmp(name, "nvmem"))
			entry = FS_ENTRY_NVMEM;
		else if (!strcmp(name, "type"))
			entry = FS_ENTRY_TYPE;
		else if (!strcmp(name, "cells"))
			entry = FS_ENTRY_CELLS;
		else
			goto enoent;
	} else if (entry == FS_ENTRY_CELLS) {
		idx = nvmem_device_find_cell(dev, name);
		if (idx < 0)
			goto enoent;
		entry = FS_ENTRY_CELL0 + idx;
	} else {
		nvmem_device_put(dev);
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	fs_reply_entry(req, dev, entry);
	nvmem_device_put(dev);
	return;
enoent:
	nvmem_device_put(dev);
	fuse_reply_err(req, ENOENT);
}

static void fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *h = fi ? (struct fs_handle *)(uintptr_t)fi->fh : NULL;
	struct nvmem_device *dev;
	struct stat st;
	double timeout;
	int ret;

	/* Through an open handle: the handle's device, or ENODEV
	 * once it is gone. */
	if (h && h->dev) {
		if (!nvmem_device_alive(h->dev)) {
			fuse_reply_err(req, ENODEV);
			return;
		}
		fs_fill_attr(h->dev, h->entry, &st, &timeout);
		fuse_reply_attr(req, &st, timeout);
		return;
	}
	/* fstat() comes here too: the kernel sends no handle with it. */
	ret = fs_resolve(ino, &dev);
	if (ret < 0) {
		fuse_reply_err(req, -ret);
		return;
	}
	fs_fill_attr(dev, fs_ino_entry(ino), &st, &timeout);
	nvmem_device_put(dev);
	fuse_reply_attr(req, &st, timeout);
}

/*
 * The size of a device or cell cannot change; truncation (O_TRUNC, or
 * dd without conv=notrunc) is accepted and ignored so that ordinary
 * tools can write into the files. Mode and owner changes are refused.
 */
static void fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	const int allowed = FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME |
			    FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			    FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME;
	struct nvmem_device *dev;
	unsigned int entry = fs_ino_entry(ino);
	int ret;

	/* chmod and chown: the configuration decides modes and owners. */
	if (to_set & ~allowed) {
		fuse_reply_err(req, EPERM);
		return;
	}
	ret = fs_resolve(ino, &dev);
	if (ret < 0) {
		fuse_reply_err(req, -ret);
		return;
	}
	if (!dev || entry == FS_ENTRY_DIR || entry == FS_ENTRY_CELLS) {
		nvmem_device_put(dev);
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((to_set & FUSE_SET_ATTR_SIZE) &&
	    (entry == FS_ENTRY_TYPE ||
	     (entry == FS_ENTRY_NVMEM && nvmem_device_read_only(dev)) ||
	     (entry >= FS_ENTRY_CELL0 &&
	      fs_cell_read_only(dev, fs_cell(dev, entry))))) {
		nvmem_device_put(dev);
		fuse_reply_err(req, EROFS);
		return;
	}
	nvmem_device_put(dev);
	fs_getattr(req, ino, fi);
}

/*
 * Give the kernel a handle holding @dev (whose reference it takes over,
 * also on failure). A reply the kernel no longer wants (the opener was
 * interrupted) gets no release, so the handle is dropped here.
 */
static void fs_reply_handle(fuse_req_t req, struct fuse_file_info *fi,
			    struct nvmem_device *dev, unsigned int entry)
{
	struct fs_handle *h = calloc(1, sizeof(*h));

	if (!h) {
		nvmem_device_put(dev);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	h->dev = dev;
	h->entry = entry;
	fi->fh = (uintptr_t)h;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		nvmem_device_put(dev);
		free(h);
	}
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	unsigned int entry = fs_ino_entry(ino);
	struct nvmem_device *dev;
	bool ro;

	if (fs_resolve(ino, &dev) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!dev || entry == FS_ENTRY_DIR || entry == FS_ENTRY_CELLS) {
		nvmem_device_put(dev);
		fuse_reply_err(req, EISDIR);
		return;
	}
	if (entry == FS_ENTRY_TYPE)
		ro = true;
	else if (entry == FS_ENTRY_NVMEM)
		ro = nvmem_device_read_only(dev);
	else
		ro = fs_cell_read_only(dev, fs_cell(dev, entry));
	if (ro && (fi->flags & O_ACCMODE) != O_RDONLY) {
		nvmem_device_put(dev);
		fuse_reply_err(req, EROFS);
		return;
	}
	/* Every read and write comes to us (no page cache that could serve
	 * bytes of a device that is gone, no caching of cell text whose
	 * length changes), except for the cells fs_page_cached() names:
	 * there a repeated cat costs the open round trip alone. */
	fi->direct_io = !fs_page_cached(dev, entry);
	fi->keep_cache = !fi->direct_io;
	fi->nonseekable = 0;
	fs_reply_handle(req, fi, dev, entry);
}

static void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	if (h) {
		fs_tsan_acquire(h);
		nvmem_device_put(h->dev);
		free(h);
	}
	fuse_reply_err(req, 0);
}

/* Serve [off, off + size) of a text produced whole. */
static void fs_reply_slice(fuse_req_t req, const char *text, size_t len,
			   off_t off, size_t size)
{
	if ((size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > len - off)
		size = len - off;
	fuse_reply_buf(req, text + off, size);
}

static void fs_pipe_free(void *data)
{
	struct fs_pipe *p = data;

	close(p->fd[0]);
	close(p->fd[1]);
	free(p);
}

static void fs_pipe_key_init(void)
{
	fs_pipe_key_ok = !pthread_key_create(&fs_pipe_key, fs_pipe_free);
}

/* This thread's pipe, or NULL when splicing is not possible here. */
static struct fs_pipe *fs_pipe_get(void)
{
	struct fs_pipe *p;

	pthread_once(&fs_pipe_once, fs_pipe_key_init);
	if (!fs_pipe_key_ok)
		return NULL;
	p = pthread_getspecific(fs_pipe_key);
	if (p)
		return p;
	p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	if (pipe2(p->fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(p);
		return NULL;
	}
	/* Twice the largest reply: where pipes cannot grow that far (a
	 * lowered pipe-max-size), libfuse's could not hold a reply either,
	 * and copying is the faster way. That holds for every later read
	 * too, which must not pay four system calls to learn it again. */
	if (fcntl(p->fd[0], F_SETPIPE_SZ, FS_PIPE_SIZE) < FS_PIPE_SIZE) {
		if (atomic_exchange(&fs_splice_ok, false))
			log_info("pipes cannot grow to %d bytes: reads are copied, not spliced",
				 FS_PIPE_SIZE);
		goto err_free;
	}
	if (pthread_setspecific(fs_pipe_key, p))
		goto err_free;
	return p;

err_free:
	fs_pipe_free(p);
	return NULL;
}

static void fs_pipe_discard(struct fs_pipe *p)
{
	pthread_setspecific(fs_pipe_key, NULL);
	fs_pipe_free(p);
}

/*
 * Read nvmem through a pipe: the provider splices page cache pages into
 * it and libfuse splices them on to /dev/fuse, so the bytes are copied
 * once, into the reader's buffer. Returns false, having replied nothing,
 * when this read must take the copying path instead.
 *
 * Below two pages libfuse copies the reply out of the pipe rather than
 * splicing it on, so a small read through the pipe only added two system
 * calls to the copy: 1-3 us of a 25-29 us round trip, measured A/B.
 */
static bool fs_read_spliced(fuse_req_t req, struct fs_handle *h,
			    size_t size, off_t off)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT(0);
	struct fs_pipe *p;
	int left = 0;
	ssize_t n;

	if (!atomic_load(&fs_splice_ok) || size > FS_MAX_READ ||
	    size < 2 * (size_t)getpagesize())
		return false;
	p = fs_pipe_get();
	if (!p)
		return false;
	n = nvmem_device_splice(h->dev, off, size, p->fd[1]);
	if (n == -EOPNOTSUPP)	/* before any byte went in */
		return false;
	if (n == 0) {		/* at or past the end */
		fuse_reply_buf(req, NULL, 0);
		return true;
	}
	if (n < 0) {
		fs_pipe_discard(p);
		fuse_reply_err(req, -n);
		return true;
	}
	bv.buf[0].size = n;
	bv.buf[0].flags = FUSE_BUF_IS_FD;
	bv.buf[0].fd = p->fd[0];
	fs_tsan_release(h);	/* last use of @h: see fs_tsan_release() */
	fuse_reply_data(req, &bv, 0);
	/* A reply that failed (the reader was interrupted) leaves bytes
	 * behind that must not prefix the next one. */
	if (ioctl(p->fd[0], FIONREAD, &left) < 0 || left)
		fs_pipe_discard(p);
	return true;
}

/* Every read and write on a handle whose device is gone gets ENODEV. */
static bool fs_io_ok(fuse_req_t req, const struct fs_handle *h, off_t off)
{
	if (!nvmem_device_alive(h->dev)) {
		fuse_reply_err(req, ENODEV);
		return false;
	}
	if (off < 0) {
		fuse_reply_err(req, EINVAL);
		return false;
	}
	return true;
}

static void fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	const struct nvmem_cell *cell;
	char tbuf[32];
	ssize_t n;
	char *buf;

	if (!fs_io_ok(req, h, off))
		return;
	switch (h->entry) {
	case FS_ENTRY_TYPE:
		n = fs_type_text(h->dev, tbuf, sizeof(tbuf));
		fs_reply_slice(req, tbuf, n, off, size);
		return;
	case FS_ENTRY_NVMEM:
		if (fs_read_spliced(req, h, size, off))
			return;
		buf = malloc(size ? size : 1);
		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		n = nvmem_device_read(h->dev, off, buf, size);
		if (n < 0)
			fuse_reply_err(req, -n);
		else
			fuse_reply_buf(req, buf, n);
		free(buf);
		return;
	default:
		cell = fs_cell(h->dev, h->entry);
		/* The read at the end that every cat makes: a fixed-size
		 * text has nothing there, and asking the bus to prove it
		 * doubled the cost of reading an uncached cell. */
		if (fs_cell_fixed_size(cell) &&
		    (size_t)off >= cell_max_text(cell)) {
			fuse_reply_buf(req, NULL, 0);
			return;
		}
		/* A cell is always read whole, from one device read, and
		 * sliced here: a reader never mixes two values. */
		n = fs_cell_text(h->dev, cell, &buf);
		if (n < 0)
			fuse_reply_err(req, -n);
		else
			fs_reply_slice(req, buf, n, off, size);
		free(buf);
		return;
	}
}

/*
 * A write changed [@off, @off + @len) of @dev (through the file @entry,
 * whose attributes the kernel drops itself): drop the cached attributes
 * of the other files it changed, so that their new mtime shows at once.
 * Attributes only (offset -1): no page is touched, so this cannot wait
 * for a read that a worker serves. Past FS_INVAL_MAX cells (a whole
 * device rewritten) the rest catch up within their FS_TIMEOUT.
 */
#define FS_INVAL_MAX	64

static void fs_written(struct nvmem_device *dev, unsigned int entry,
		       uint64_t off, uint64_t len)
{
	struct fuse_session *se = atomic_load(&fs_session);
	size_t i, n = nvmem_device_cell_count(dev), sent = 0;

	if (!se || !atomic_load(&fs_notify_ok))
		return;
	if (entry != FS_ENTRY_NVMEM)
		fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_NVMEM),
						 -1, 0);
	for (i = 0; i < n && sent < FS_INVAL_MAX; i++) {
		const struct nvmem_cell *c = nvmem_device_cell(dev, i);

		if (c->ops || FS_ENTRY_CELL0 + i == entry ||
		    c->offset >= off + len || off >= c->offset + c->bytes)
			continue;
		fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_CELL0 + i),
						 -1, 0);
		sent++;
	}
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	const struct nvmem_cell *cell;
	ssize_t n;
	int ret;

	if (!fs_io_ok(req, h, off))
		return;
	if (h->entry == FS_ENTRY_NVMEM) {
		n = nvmem_device_write(h->dev, off, buf, size);
		if (n > 0)
			fs_written(h->dev, h->entry, off, n);
		if (n < 0)
			fuse_reply_err(req, -n);
		else
			fuse_reply_write(req, n);
		return;
	}
	if (h->entry < FS_ENTRY_CELL0) {
		fuse_reply_err(req, EROFS);
		return;
	}
	/* Cells are written whole, at offset 0, in one write. */
	if (off != 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	cell = fs_cell(h->dev, h->entry);
	ret = cell_write_text(h->dev, cell, buf, size);
	if (ret == 0)
		fs_written(h->dev, h->entry, cell->ops ? 0 : cell->offset,
			   cell->ops ? 0 : cell->bytes);
	if (ret < 0)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_write(req, size);
}

static void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	unsigned int entry = fs_ino_entry(ino);
	struct nvmem_device *dev;

	if (fs_resolve(ino, &dev) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (dev && entry != FS_ENTRY_DIR && entry != FS_ENTRY_CELLS) {
		nvmem_device_put(dev);
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	fs_reply_handle(req, fi, dev, entry);
}

/*
 * Directory offsets: 1 and 2 for "." and "..", then for the root
 * 2 + device id (ids grow, so a device added during a listing is either
 * listed once or not at all), for directories entry index + 3.
 */
static bool fs_add(fuse_req_t req, char *buf, size_t size, size_t *pos,
		   const char *name, fuse_ino_t ino, mode_t mode, off_t next)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t len = fuse_add_direntry(req, buf + *pos, size - *pos, name, &st,
				       next);

	if (len > size - *pos)
		return false;
	*pos += len;
	return true;
}

static void fs_put_items(struct registry_item *items, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		nvmem_device_put(items[i].dev);
	free(items);
}

static void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct registry_item *devs = NULL;
	size_t pos = 0, count = 0, i;
	char *buf;

	if (h->dev && !nvmem_device_alive(h->dev)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off < 1 && !fs_add(req, buf, size, &pos, ".", ino, S_IFDIR, 1))
		goto out;
	if (off < 2 && !fs_add(req, buf, size, &pos, "..",
			       h->dev && h->entry == FS_ENTRY_CELLS ?
			       fs_ino(h->dev, FS_ENTRY_DIR) : FUSE_ROOT_ID,
			       S_IFDIR, 2))
		goto out;

	if (!h->dev) {
		if (registry_list(&devs, &count) < 0) {
			fs_put_items(devs, count);
			free(buf);
			fuse_reply_err(req, ENOMEM);
			return;
		}
		for (i = 0; i < count; i++) {
			off_t next = 2 + devs[i].id;

			if (next <= off)
				continue;
			if (!fs_add(req, buf, size, &pos,
				    nvmem_device_name(devs[i].dev),
				    fs_ino(devs[i].dev, FS_ENTRY_DIR), S_IFDIR,
				    next))
				break;
		}
		fs_put_items(devs, count);
	} else if (h->entry == FS_ENTRY_DIR) {
		static const struct { const char *name; unsigned int entry; mode_t mode; } ents[] = {
			{ "nvmem", FS_ENTRY_NVMEM, S_IFREG },
			{ "type", FS_ENTRY_TYPE, S_IFREG },
			{ "cells", FS_ENTRY_CELLS, S_IFDIR },
		};
		for (i = 0; i < 3; i++) {
			if ((off_t)i + 3 <= off)
				continue;
			if (!fs_add(req, buf, size, &pos, ents[i].name,
				    fs_ino(h->dev, ents[i].entry), ents[i].mode,
				    i + 3))
				break;
		}
	} else {
		count = nvmem_device_cell_count(h->dev);
		for (i = off > 2 ? off - 2 : 0; i < count; i++) {
			if (!fs_add(req, buf, size, &pos,
				    nvmem_device_cell(h->dev, i)->name,
				    fs_ino(h->dev, FS_ENTRY_CELL0 + i), S_IFREG,
				    i + 3))
				break;
		}
	}
out:
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

static void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	fs_release(req, ino, fi);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st = { .f_bsize = 4096, .f_frsize = 4096,
			      .f_namemax = 255 };

	fuse_reply_statfs(req, &st);
}

/*
 * The tree is what the devices and the configuration make it: nothing is
 * created, removed, renamed or linked through the mount. EPERM says so
 * (ENOSYS would read like a missing feature); a read-only mount never
 * gets here, the kernel answers EROFS itself.
 */
static void fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	fuse_reply_err(req, EPERM);
}

static void fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	fuse_reply_err(req, EPERM);
}

static void fs_remove(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	fuse_reply_err(req, EPERM);
}

static void fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	fuse_reply_err(req, EPERM);
}

static void fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	fuse_reply_err(req, EPERM);
}

static void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EPERM);
}

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	/* Reads and writes of a whole EEPROM page or more in one request. */
	conn->max_write = 1024 * 1024;
	conn->max_read = FS_MAX_READ;	/* must match the mount option */
	conn->want &= ~FUSE_CAP_ASYNC_READ;	/* keep dd's order */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE) {
		conn->want |= FUSE_CAP_SPLICE_WRITE;
		atomic_store(&fs_splice_ok, true);
	}
	atomic_store(&fs_notify_ok, true);
}

static void fs_destroy(void *userdata)
{
	atomic_store(&fs_notify_ok, false);
}

const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_init,
	.destroy = fs_destroy,
	.lookup = fs_lookup,
	.getattr = fs_getattr,
	.setattr = fs_setattr,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.release = fs_release,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
	.statfs = fs_statfs,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_remove,
	.rmdir = fs_remove,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.create = fs_create,
};

/* Drop what the kernel caches of @dev's files (attributes, and the pages
 * of page-cached cells). -ENOENT, for an inode the kernel does not hold,
 * is expected and harmless. */
static void fs_forget_files(struct fuse_session *se, struct nvmem_device *dev)
{
	size_t i, n = nvmem_device_cell_count(dev);

	fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_NVMEM), 0, 0);
	for (i = 0; i < n; i++)
		fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_CELL0 + i),
						 0, 0);
}

/*
 * After a device left the registry: make the kernel forget its dentry at
 * once (new lookups then reach us and fail with ENOENT) and its files'
 * cached attributes and data.
 *
 * Runs after the device stopped being alive, so every read request that
 * reaches us now fails. A page being filled by a read that was already
 * under way is locked until we answer it, and the kernel waits for that
 * answer before dropping the page; nvmem_device_io() makes the wait at
 * most one chunk. Page-cached cells go first, so that once the directory
 * is gone no old handle can be served from memory.
 */
static void fs_removed(struct nvmem_device *dev, void *data)
{
	const char *name = nvmem_device_name(dev);
	struct fuse_session *se = atomic_load(&fs_session);
	bool pages = fs_device_page_cached(dev);

	if (!se || !atomic_load(&fs_notify_ok))
		return;
	if (pages)
		fs_forget_files(se, dev);
	/* inval_entry rather than notify_delete: the kernel refuses the
	 * latter for a directory that still has children in its cache. */
	fuse_lowlevel_notify_inval_entry(se, FUSE_ROOT_ID, name, strlen(name));
	if (!pages)
		fs_forget_files(se, dev);
}

void fs_attach(struct fuse_session *se)
{
	static const struct registry_listener listener = {
		.removed = fs_removed,
	};

	struct timespec ts;

	fs_uid = getuid();
	fs_gid = getgid();
	clock_gettime(CLOCK_REALTIME, &ts);
	fs_started_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	atomic_store(&fs_session, se);
	registry_set_listener(&listener);
}

void fs_detach(void)
{
	registry_set_listener(NULL);
	atomic_store(&fs_notify_ok, false);
	atomic_store(&fs_session, NULL);
}
