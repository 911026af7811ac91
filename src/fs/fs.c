// SPDX-License-Identifier: MIT
/*
 * FUSE lowlevel operations. Stateless apart from open handles: every
 * request resolves its inode through the registry (lock-free), so nothing
 * here has to be torn down when a device goes; the kernel is told to drop
 * its cached entries instead (notify.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/tsan.h"
#include "fs_priv.h"

static struct fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static bool fs_entry_valid(const struct nvmem_device *dev, unsigned int entry)
{
	return (entry < FS_ENTRY_CELL0 && entry != FS_ENTRY_LAYOUT) ||
	       fs_cell(dev, entry);
}

/*
 * Resolve @ino to a referenced live device (NULL for the root). Returns
 * 0, -ENODEV when its device went away (the kernel only holds inode
 * numbers we gave it, so an unknown one is a device that has gone), or
 * -ENOENT for a cell index that does not exist. Operations by name
 * (lookup, open) report both as ENOENT: there is no such file now.
 */
int fs_resolve(fuse_ino_t ino, struct nvmem_device **devp)
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

void fs_entry_param(struct fs *fs, struct nvmem_device *dev,
		    unsigned int entry, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	fs_fill_attr(fs, dev, entry, &e->attr);
	e->ino = e->attr.st_ino;
	e->generation = 0;	/* inode numbers are never reused */
	e->attr_timeout = FS_TIMEOUT;
	e->entry_timeout = FS_TIMEOUT;
}

static void fs_reply_entry(fuse_req_t req, struct nvmem_device *dev,
			   unsigned int entry)
{
	struct fuse_entry_param e;

	fs_entry_param(fs_of(req), dev, entry, &e);
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
		else if (!strcmp(name, "status"))
			entry = FS_ENTRY_STATUS;
		else if (!strcmp(name, "cells"))
			entry = FS_ENTRY_CELLS;
		else if (fs_cell(dev, FS_ENTRY_LAYOUT) &&
			 !strcmp(name, fs_cell(dev, FS_ENTRY_LAYOUT)->name))
			entry = FS_ENTRY_LAYOUT;
		else
			goto enoent;
	} else if (entry == FS_ENTRY_CELLS) {
		/* A layout's cells as the device holds them now. */
		nvmem_device_sync(dev);
		idx = nvmem_device_find_cell(dev, name);
		if (idx < 0 || !nvmem_device_cell_present(dev, idx))
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
	int ret;

	/* Through an open handle: the handle's device, or ENODEV
	 * once it is gone. */
	if (h && h->dev) {
		if (!nvmem_device_alive(h->dev)) {
			fuse_reply_err(req, ENODEV);
			return;
		}
		fs_fill_attr(fs_of(req), h->dev, h->entry, &st);
		fuse_reply_attr(req, &st, FS_TIMEOUT);
		return;
	}
	/* fstat() comes here too: the kernel sends no handle with it. */
	ret = fs_resolve(ino, &dev);
	if (ret < 0) {
		fuse_reply_err(req, -ret);
		return;
	}
	fs_fill_attr(fs_of(req), dev, fs_ino_entry(ino), &st);
	nvmem_device_put(dev);
	fuse_reply_attr(req, &st, FS_TIMEOUT);
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
	    (entry == FS_ENTRY_TYPE || entry == FS_ENTRY_STATUS ||
	     (entry == FS_ENTRY_NVMEM && nvmem_device_read_only(dev)) ||
	     (fs_cell(dev, entry) &&
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
void fs_reply_handle(fuse_req_t req, struct fuse_file_info *fi,
		     struct nvmem_device *dev, unsigned int entry,
		     const struct fuse_entry_param *created,
		     const struct fs_page_first *first)
{
	struct fs_handle *h = calloc(1, sizeof(*h));
	struct fs *fs = fs_of(req);

	if (!h) {
		if (first)
			free(first->text);
		nvmem_device_put(dev);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	h->dev = dev;
	h->entry = entry;
	if (first)
		h->first = *first;
	h->paged = !fi->direct_io && entry >= FS_ENTRY_CELL0;
	if (h->paged)
		h->seen_ns = nvmem_device_cell_written_ns(dev,
						entry - FS_ENTRY_CELL0);
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_lock(&fs->handles_lock);
	h->next = fs->handles;
	if (h->next)
		h->next->prev = h;
	fs->handles = h;
	pthread_mutex_unlock(&fs->handles_lock);
	fi->fh = (uintptr_t)h;
	if ((created ? fuse_reply_create(req, created, fi) :
		       fuse_reply_open(req, fi)) == -ENOENT)
		fs_handle_free(fs, h);
}

void fs_handle_free(struct fs *fs, struct fs_handle *h)
{
	pthread_mutex_lock(&fs->handles_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		fs->handles = h->next;
	if (h->next)
		h->next->prev = h->prev;
	fs_poll_forget(h);
	pthread_mutex_unlock(&fs->handles_lock);
	pthread_mutex_destroy(&h->lock);
	free(h->status);
	free(h->first.text);
	nvmem_device_put(h->dev);
	free(h);
}

static void fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	unsigned int entry = fs_ino_entry(ino);
	struct nvmem_device *dev;

	if (fs_pagecache_open(fs_of(req), req))
		return;
	if (fs_resolve(ino, &dev) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!dev || entry == FS_ENTRY_DIR || entry == FS_ENTRY_CELLS) {
		nvmem_device_put(dev);
		fuse_reply_err(req, EISDIR);
		return;
	}
	fs_open_file(req, fi, dev, entry, NULL);
}

void fs_open_file(fuse_req_t req, struct fuse_file_info *fi,
		  struct nvmem_device *dev, unsigned int entry,
		  const struct fuse_entry_param *created)
{
	const struct nvmem_cell *cell = fs_cell(dev, entry);
	struct fs_page_first first = { 0 };
	int keep = -1;
	bool ro;

	if (entry == FS_ENTRY_TYPE || entry == FS_ENTRY_STATUS)
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
	/* Every read and write comes to us, except a fixed-size cell opened
	 * for reading: the kernel keeps its text, and a repeated cat costs
	 * the open round trip alone while pages.c finds the text unchanged;
	 * and the raw file of a cached device, which only we change. */
	if (fs_pages_eligible(fs_of(req), cell, fi->flags))
		keep = fs_pages_open(fs_of(req), dev, entry, &first);
	else if (entry == FS_ENTRY_NVMEM &&
		 fs_pages_raw_eligible(fs_of(req), dev, fi->flags))
		keep = fs_pages_open_raw(fs_of(req), dev);
	fi->direct_io = keep < 0;
	fi->keep_cache = keep > 0;
	fi->nonseekable = 0;
	/* Only a cell opened for writing has anything to store at close
	 * (value.c): every other close would wait for a flush round trip
	 * for nothing. */
	fi->noflush = !fs_cell(dev, entry) ||
		      (fi->flags & O_ACCMODE) == O_RDONLY;
	fs_reply_handle(req, fi, dev, entry, created, &first);
}

/* close(2): a cell's value is stored now, and close reports the error. */
static void fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	/* No handle: a page-cache mount, where ENOSYS spares every later
	 * close the round trip (pagecache.c). */
	fuse_reply_err(req, h ? -fs_value_commit(fs_of(req), h) : ENOSYS);
}

void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;

	if (h) {
		tsan_acquire(h);	/* see fs_read_spliced() */
		/* Written without a flush (the kernel sends one on every
		 * close; this is for whatever it did not): still whole. */
		fs_value_commit(fs_of(req), h);
		fs_handle_free(fs_of(req), h);
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

	if (h)
		fs_read_handle(req, h, size, off);
	else	/* opened by the kernel itself (pagecache.c) */
		fs_pagecache_read(req, ino, size, off);
}

void fs_read_handle(fuse_req_t req, struct fs_handle *h, size_t size, off_t off)
{
	const struct nvmem_cell *cell;
	char tbuf[32];
	ssize_t n;
	char *buf;

	if (!fs_io_ok(req, h, off))
		return;
	fs_poll_read(fs_of(req), h);
	switch (h->entry) {
	case FS_ENTRY_TYPE:
		n = fs_type_text(h->dev, tbuf, sizeof(tbuf));
		fs_reply_slice(req, tbuf, n, off, size);
		return;
	case FS_ENTRY_STATUS:
		fs_status_read(req, h, off, size);
		return;
	case FS_ENTRY_NVMEM:
		if (fs_read_spliced(fs_of(req), req, h, size, off))
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
		n = h->paged ? fs_pages_text(h, &buf) :
			       fs_cell_text(h->dev, cell, &buf);
		if (n >= 0 && h->paged)
			fs_pages_filled(fs_of(req), fs_ino(h->dev, h->entry),
					buf, n);
		if (n < 0)
			fuse_reply_err(req, -n);
		else
			fs_reply_slice(req, buf, n, off, size);
		free(buf);
		return;
	}
}

static void fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	ssize_t n;
	int ret;

	if (!h) {	/* a page-cache mount remounted rw (pagecache.c) */
		fuse_reply_err(req, EROFS);
		return;
	}
	if (!fs_io_ok(req, h, off))
		return;
	if (h->entry == FS_ENTRY_NVMEM) {
		n = nvmem_device_write(h->dev, off, buf, size);
		if (n > 0 || (n < 0 && !fs_write_refused(n)))
			fs_written(fs_of(req), h->dev, h->entry, off,
				   n > 0 ? (size_t)n : size);
		if (n < 0)
			fuse_reply_err(req, -n);
		else
			fuse_reply_write(req, n);
		return;
	}
	if (!fs_cell(h->dev, h->entry)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	/* A cell's value is stored whole when the file is closed. */
	ret = fs_value_append(h, buf, size, off);
	if (ret < 0)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_write(req, size);
}

static void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st = { .f_bsize = 4096, .f_frsize = 4096,
			      .f_namemax = 255 };

	fuse_reply_statfs(req, &st);
}

/*
 * The tree is what the devices, the configuration and their layouts make
 * it: nothing is renamed or linked through the mount, and only a layout's
 * cells are created and removed (edit.c). EPERM says so (ENOSYS would
 * read like a missing feature); a read-only mount never gets here, the
 * kernel answers EROFS itself.
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

static void fs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
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

static void fs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct fs *fs = userdata;

	/* Reads and writes of a whole EEPROM page or more in one request. */
	conn->max_write = 1024 * 1024;
	conn->max_read = FS_MAX_READ;	/* must match the mount option */
	conn->want &= ~FUSE_CAP_ASYNC_READ;	/* keep dd's order */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE) {
		conn->want |= FUSE_CAP_SPLICE_WRITE;
		atomic_store(&fs->splice_ok, true);
	}
	fs_pagecache_init(fs, conn);
	atomic_store(&fs->notify_ok, true);
}

static void fs_destroy(void *userdata)
{
	struct fs *fs = userdata;

	atomic_store(&fs->notify_ok, false);
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
	.flush = fs_flush,
	.release = fs_release,
	.opendir = fs_opendir,
	.readdir = fs_readdir,
	.releasedir = fs_releasedir,
	.statfs = fs_statfs,
	.mknod = fs_mknod,
	.mkdir = fs_mkdir,
	.unlink = fs_unlink,
	.rmdir = fs_rmdir,
	.symlink = fs_symlink,
	.rename = fs_rename,
	.link = fs_link,
	.create = fs_create,
	.poll = fs_poll,
};

