/* SPDX-License-Identifier: MIT */
/*
 * Private to the FUSE layer: what its files share (fs.c, the operations;
 * attr.c, what stat shows; splice.c, zero-copy reads; notify.c, telling
 * the kernel what changed; poll.c, waking pollers of what changed;
 * status.c, the status file).
 */
#ifndef NVMEMFS_FS_PRIV_H
#define NVMEMFS_FS_PRIV_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/cell.h"
#include "core/nvmem.h"
#include "core/registry.h"
#include "fs/fs.h"

/*
 * Kernel cache lifetimes of entries and attributes: an unplug invalidates
 * them explicitly, and so does a write through nvmemfs for what it
 * changed (notify.c). The attributes of cells whose text length depends
 * on the value (string, decimal, U-Boot variables) are cached too: with
 * default_permissions the kernel asks for expired ones at every open, a
 * round trip per open; a change made around nvmemfs shows in their
 * st_size within FS_TIMEOUT. File data is cached only as pages.c
 * allows.
 */
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
	/* On the layer's list of open handles (struct fs), so that those
	 * the kernel never released (the loop ended by a signal while a
	 * reader held them) are dropped at exit. */
	struct fs_handle *prev, *next;
	/* A cell's value being written (value.c), under @lock: writes on
	 * one handle may come from several threads sharing the file. */
	pthread_mutex_t lock;
	struct fs_value {
		char *buf;
		size_t len;
		bool pending;	/* something was written since the last commit */
		int error;	/* the first refusal: the value is lost */
	} value;
	/* The status file's text as the read at offset 0 made it (under
	 * @lock), so that a reader in pieces gets one snapshot. */
	char *status;
	size_t status_len;
	/* poll.c: a change since the last read (or the open), set under
	 * the layer's handles_lock, cleared by a read without it (the read
	 * path takes no shared lock); and under handles_lock, the kernel's
	 * poll handle to notify of the next change (NULL: nobody waits),
	 * destroyed once notified or replaced, or with the handle. */
	atomic_bool changed;
	struct fuse_pollhandle *ph;
	/* Opened through the page cache (pages.c): its READs fill the
	 * kernel's page, and most of its reads never reach us. @seen_ns:
	 * the cell's mtime when it was opened or last read (poll.c). Both
	 * set before the open reply. */
	bool paged;
	_Atomic uint64_t seen_ns;
	/* pages.c: the text the open read and could not keep, for the first
	 * READ to give instead of reading the device again; under @lock,
	 * taken by that READ. */
	struct fs_page_first {
		char *text;
		size_t len;
		uint64_t written_ns;	/* the device's, before the open read */
		uint64_t read_ns;	/* monotonic, when the open read */
	} first;
};

/* pages.c: what the kernel may hold in its page cache, per inode. */
#define FS_PAGES_BUCKETS	256
struct fs_page;
struct fs_pages {
	pthread_mutex_t lock;
	unsigned int droppers;	/* workers dropping pages (notify.c) */
	bool off;		/* no page kept: a single-threaded loop */
	struct fs_page *bucket[FS_PAGES_BUCKETS];
};

/*
 * The layer's state: the session's userdata (fuse_req_userdata()), and
 * the registry listener's. Created before the session, freed after it.
 * @session is set by fs_attach() and cleared by fs_detach() on the main
 * thread while the uevent thread and gone workers may be reading it in
 * fs_removed(). The root directory's owner and times are the daemon's
 * own ids and start, read once by fs_attach() before the loop starts,
 * not per attribute (an ls -l of a large cells/ directory asks for
 * thousands); every other file has its device's owner (perm.h).
 */
struct fs {
	_Atomic(struct fuse_session *) session;
	uid_t uid;
	gid_t gid;
	uint64_t started_ns;
	atomic_bool notify_ok;		/* between init and destroy */
	atomic_bool splice_ok;		/* the session agreed to splice */
	atomic_bool cache_all;		/* set before the session, cleared at
					 * init at the latest (pagecache.c) */
	struct registry_listener listener;
	/* Every open handle, under @handles_lock (open and release, on any
	 * worker); fs_free() drops the ones left, once no worker runs. */
	pthread_mutex_t handles_lock;
	struct fs_handle *handles;
	struct fs_pages pages;
};

static inline fuse_ino_t fs_ino(const struct nvmem_device *dev,
				unsigned int entry)
{
	return ((fuse_ino_t)nvmem_device_id(dev) << FS_INO_SHIFT) | entry;
}

static inline uint64_t fs_ino_id(fuse_ino_t ino)
{
	return ino >> FS_INO_SHIFT;
}

static inline unsigned int fs_ino_entry(fuse_ino_t ino)
{
	return ino & ((1u << FS_INO_SHIFT) - 1);
}

static inline const struct nvmem_cell *fs_cell(const struct nvmem_device *dev,
					       unsigned int entry)
{
	if (entry == FS_ENTRY_LAYOUT)
		return nvmem_device_layout_file(dev);
	if (entry < FS_ENTRY_CELL0)
		return NULL;
	return nvmem_device_cell(dev, entry - FS_ENTRY_CELL0);
}

/* fs.c: the inode's device, referenced (NULL for the root); -ENODEV when
 * it went away, -ENOENT for a cell that does not exist. */
int fs_resolve(fuse_ino_t ino, struct nvmem_device **devp);
/* What a lookup answers for @entry of @dev. */
void fs_entry_param(struct fs *fs, struct nvmem_device *dev,
		    unsigned int entry, struct fuse_entry_param *e);
/* Open @entry of @dev for the kernel (which takes over the reference,
 * and @first's text if any); @created: the reply to a create, NULL for
 * an open. fs_open_file() first checks the access mode and sets the
 * file's caching. */
void fs_reply_handle(fuse_req_t req, struct fuse_file_info *fi,
		     struct nvmem_device *dev, unsigned int entry,
		     const struct fuse_entry_param *created,
		     const struct fs_page_first *first);
void fs_open_file(fuse_req_t req, struct fuse_file_info *fi,
		  struct nvmem_device *dev, unsigned int entry,
		  const struct fuse_entry_param *created);
void fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* Drop a handle (release, or fs_free() for the ones left at exit). */
void fs_handle_free(struct fs *fs, struct fs_handle *h);

/* dir.c */
void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* attr.c */
bool fs_cell_fixed_size(const struct nvmem_cell *cell);
bool fs_cell_read_only(const struct nvmem_device *dev,
		       const struct nvmem_cell *cell);
int fs_type_text(const struct nvmem_device *dev, char *buf, size_t size);
ssize_t fs_cell_text(struct nvmem_device *dev, const struct nvmem_cell *cell,
		     char **text);
void fs_fill_attr(struct fs *fs, struct nvmem_device *dev,
		  unsigned int entry, struct stat *st);

/* fs.c: a READ on @h, which may be on the caller's stack. */
void fs_read_handle(fuse_req_t req, struct fs_handle *h, size_t size, off_t off);

/* pagecache.c: false, having replied nothing, unless the mount is one. */
void fs_pagecache_init(struct fs *fs, const struct fuse_conn_info *conn);
bool fs_pagecache_open(struct fs *fs, fuse_req_t req);
void fs_pagecache_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off);

/* splice.c: false, having replied nothing, when the read must be copied. */
bool fs_read_spliced(struct fs *fs, fuse_req_t req, struct fs_handle *h,
		     size_t size, off_t off);

/* value.c: a piece of a cell's value at @off; and the value stored whole
 * (@fs NULL: without telling the kernel). 0 or -errno. */
int fs_value_append(struct fs_handle *h, const char *buf, size_t size,
		    off_t off);
int fs_value_commit(struct fs *fs, struct fs_handle *h);

/* edit.c: cells of a layout created and removed through the mount */
void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
	       mode_t mode, struct fuse_file_info *fi);
void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);

/* poll.c: the poll operation; a read of @h began (the change it will
 * see is no longer news); @entry's write changed [@off, @off + @len) of
 * @dev (@len 0: somewhere in the layout's area); @dev went away; @h is
 * being freed (under handles_lock). */
void fs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	     struct fuse_pollhandle *ph);
void fs_poll_read(struct fs *fs, struct fs_handle *h);
void fs_poll_written(struct fs *fs, struct nvmem_device *dev,
		     unsigned int entry, uint64_t off, uint64_t len);
void fs_poll_removed(struct fs *fs, struct nvmem_device *dev);
void fs_poll_forget(struct fs_handle *h);

/* status.c: the status file's text, in a buffer the caller frees.
 * Returns the length or -errno. */
ssize_t fs_status_text(struct nvmem_device *dev, char **text);
/* A READ of the status file through @h: a snapshot taken at offset 0. */
void fs_status_read(fuse_req_t req, struct fs_handle *h, off_t off,
		    size_t size);

/* pages.c: cell text, and the raw file of a cached device, kept in the
 * kernel's page cache across opens. */
void fs_pages_init(struct fs_pages *p);
void fs_pages_destroy(struct fs_pages *p);
bool fs_pages_eligible(struct fs *fs, const struct nvmem_cell *cell,
		       int flags);
int fs_pages_open(struct fs *fs, struct nvmem_device *dev, unsigned int entry,
		  struct fs_page_first *first);
bool fs_pages_raw_eligible(struct fs *fs, struct nvmem_device *dev,
			   int flags);
int fs_pages_open_raw(struct fs *fs, struct nvmem_device *dev);
ssize_t fs_pages_text(struct fs_handle *h, char **text);
void fs_pages_filled(struct fs *fs, fuse_ino_t ino, const char *text,
		     size_t len);
uint64_t fs_pages_mtime(struct fs *fs, struct nvmem_device *dev,
			unsigned int entry, uint64_t written_ns);
void fs_pages_forget(struct fs *fs, struct fuse_session *se,
		     struct nvmem_device *dev);
bool fs_pages_drop_begin(struct fs *fs, fuse_ino_t ino);
void fs_pages_drop_end(struct fs *fs);

/* notify.c: a write through @entry changed [@off, @off + @len). */
void fs_written(struct fs *fs, struct nvmem_device *dev, unsigned int entry,
		uint64_t off, uint64_t len);

/* Was a write that failed with @err refused before anything reached the
 * device? Other failures may follow chunks that were written, and are
 * reported to fs_written() too. (ENODEV: an unplug drops everything.) */
static inline bool fs_write_refused(int err)
{
	return err == -EINVAL || err == -ENOSPC || err == -EROFS ||
	       err == -ENODEV;
}

#endif
