// SPDX-License-Identifier: MIT
/*
 * Telling the kernel what changed: a device gone (its entries, attributes
 * and pages), a write (the other files' attributes); and the layer's
 * state, from before the session to after it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "fs_priv.h"

/*
 * A write changed [@off, @off + @len) of @dev (through the file @entry):
 * drop the cached attributes of the files it changed, so that their new
 * mtime shows at once. Past FS_INVAL_MAX cells (a whole device
 * rewritten) the rest catch up within their FS_TIMEOUT.
 *
 * The pages the kernel keeps of a cell or of the raw file (pages.c) are
 * dropped too, before the writer is answered: the attributes alone are
 * not enough, because the kernel ignores a GETATTR answer that crossed a
 * later invalidation, and then serves a descriptor held open its old
 * page (t_stress_cellpages saw it). Dropping a page waits for a READ of
 * it that may be under way, which another worker answers; pages.c caps
 * how many workers may wait so at once, and past the cap only the
 * attributes are dropped.
 *
 * Called after a failed write too, unless fs_write_refused(): chunks
 * before the one that failed may have reached the device.
 */
#define FS_INVAL_MAX	64

static void fs_inval_file(struct fs *fs, struct fuse_session *se,
			  fuse_ino_t ino, bool attrs, size_t *sent)
{
	if (fs_pages_drop_begin(fs, ino)) {
		fuse_lowlevel_notify_inval_inode(se, ino, 0, 0);
		fs_pages_drop_end(fs);
	} else if (attrs && *sent < FS_INVAL_MAX) {
		fuse_lowlevel_notify_inval_inode(se, ino, -1, 0);
		(*sent)++;
	}
}

void fs_written(struct fs *fs, struct nvmem_device *dev, unsigned int entry,
		uint64_t off, uint64_t len)
{
	struct fuse_session *se = atomic_load(&fs->session);
	size_t i, n = nvmem_device_cell_count(dev), sent = 0;

	/* A write through a layout (@len 0) may lie under any cell. */
	if (!len) {
		off = 0;
		len = UINT64_MAX;
	}
	/* Attributes first: a poller woken below re-reads them, and finds
	 * the new mtime that makes the kernel drop a page it kept
	 * (pages.c). */
	if (se && atomic_load(&fs->notify_ok)) {
		/* The raw file's pages where the kernel keeps them (a
		 * cached device, pages.c), else its attributes, which a
		 * write through it has the kernel update itself. */
		fs_inval_file(fs, se, fs_ino(dev, FS_ENTRY_NVMEM),
			      entry != FS_ENTRY_NVMEM, &sent);
		for (i = 0; i < n; i++) {
			const struct nvmem_cell *c = nvmem_device_cell(dev, i);

			if (c->ops || c->offset >= off + len ||
			    off >= c->offset + c->bytes)
				continue;
			fs_inval_file(fs, se, fs_ino(dev, FS_ENTRY_CELL0 + i),
				      true, &sent);
		}
	}
	fs_poll_written(fs, dev, entry, off, len);
}

/* Drop what the kernel caches of @dev's files (attributes, and the pages
 * of page-cached files). -ENOENT, for an inode the kernel does not hold,
 * is expected and harmless. */
static void fs_forget_files(struct fuse_session *se, struct nvmem_device *dev)
{
	size_t i, n = nvmem_device_cell_count(dev);

	fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_NVMEM), 0, 0);
	fuse_lowlevel_notify_inval_inode(se, fs_ino(dev, FS_ENTRY_TYPE), 0, 0);
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
 * most one chunk. Page-cached files go first (pages.c; every file of a
 * page-cache mount, pagecache.c), so that once the directory is gone no
 * old handle can be served from memory.
 */
static void fs_removed(struct nvmem_device *dev, void *data)
{
	struct fs *fs = data;
	const char *name = nvmem_device_name(dev);
	struct fuse_session *se = atomic_load(&fs->session);
	bool pages = atomic_load(&fs->cache_all);

	fs_poll_removed(fs, dev);
	if (!atomic_load(&fs->notify_ok))
		se = NULL;
	/* The cells whose text the kernel may keep (pages.c), before the
	 * directory goes; and every file first on a page-cache mount. */
	fs_pages_forget(fs, se, dev);
	if (!se)
		return;
	if (pages)
		fs_forget_files(se, dev);
	/* inval_entry rather than notify_delete: the kernel refuses the
	 * latter for a directory that still has children in its cache. */
	fuse_lowlevel_notify_inval_entry(se, FUSE_ROOT_ID, name, strlen(name));
	if (!pages)
		fs_forget_files(se, dev);
}

struct fs *fs_new(void)
{
	struct fs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->listener.removed = fs_removed;
	fs->listener.data = fs;
	pthread_mutex_init(&fs->handles_lock, NULL);
	fs_pages_init(&fs->pages);
	return fs;
}

bool fs_busy(struct fs *fs)
{
	bool busy;

	/* A page-cache mount keeps no handles for the files the kernel
	 * opened itself (pagecache.c): any of them may be open. */
	if (atomic_load(&fs->cache_all))
		return true;
	pthread_mutex_lock(&fs->handles_lock);
	busy = fs->handles;
	pthread_mutex_unlock(&fs->handles_lock);
	return busy;
}

void fs_free(struct fs *fs)
{
	if (!fs)
		return;
	/* The session is gone: no worker holds any of these any more. */
	while (fs->handles) {
		fs_value_commit(NULL, fs->handles);
		fs_handle_free(fs, fs->handles);
	}
	pthread_mutex_destroy(&fs->handles_lock);
	fs_pages_destroy(&fs->pages);
	free(fs);
}

void fs_attach(struct fs *fs, struct fuse_session *se)
{
	fs->uid = getuid();
	fs->gid = getgid();
	fs->started_ns = util_realtime_ns();
	atomic_store(&fs->session, se);
	registry_set_listener(&fs->listener);
}

void fs_detach(struct fs *fs)
{
	registry_set_listener(NULL);
	atomic_store(&fs->notify_ok, false);
	atomic_store(&fs->session, NULL);
}
