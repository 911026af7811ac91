// SPDX-License-Identifier: MIT
/*
 * Mounts served from the kernel's page cache: no OPEN, FLUSH or RELEASE
 * request at all, so that a repeated open+read+close of a cell costs
 * what it costs on tmpfs.
 *
 * The kernel stops sending OPEN for the whole connection the first time
 * one is answered ENOSYS, and from then on opens every file itself, with
 * no handle and with its page cache kept across opens; FLUSH likewise.
 * That cannot be undone and cannot be chosen per file, so the daemon
 * asks for it (fs_set_cache_all()) only for a mount on which every file
 * may be kept in the page cache: a read-only mount whose devices are all
 * configured read-only and cached, with no kernel devices that could
 * arrive uncached (daemon/cachemount.c says which). Nothing on it can
 * change behind the kernel's back, and the only event that must reach
 * the kernel is an unplug, which fs_removed() (notify.c) turns into the
 * loss of every page, attribute and entry of the device before its
 * directory goes. A read through an old descriptor then comes here, finds
 * the device gone and fails with ENODEV; a re-plugged device has a new
 * id, so new inodes, and is read afresh.
 */
#include <errno.h>
#include <stdlib.h>

#include "base/log.h"
#include "fs_priv.h"

void fs_set_cache_all(struct fs *fs, bool on)
{
	atomic_store(&fs->cache_all, on);
}

/*
 * At init: a kernel that would take ENOSYS to OPEN as a failure (one
 * older than zero-message opens) gets every open answered as before.
 */
void fs_pagecache_init(struct fs *fs, const struct fuse_conn_info *conn)
{
	if (atomic_load(&fs->cache_all) &&
	    !(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT)) {
		log_notice("the kernel cannot open files without the daemon: files are read through the daemon");
		atomic_store(&fs->cache_all, false);
	}
}

/*
 * OPEN on a page-cache mount: answer ENOSYS, which the kernel takes as
 * "open succeeded, and never ask again" (the permission checks are its
 * own, default_permissions, and a read-only mount refuses writing opens
 * before they get here). Returns false, having replied nothing, on any
 * other mount.
 */
bool fs_pagecache_open(struct fs *fs, fuse_req_t req)
{
	if (!atomic_load(&fs->cache_all))
		return false;
	fuse_reply_err(req, ENOSYS);
	return true;
}

/*
 * READ without a handle (the kernel opened the file itself): the
 * inode's device now, or ENODEV when it has gone. An unknown cell index
 * cannot reach here from a file the kernel opened, but is refused the
 * same way.
 */
void fs_pagecache_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off)
{
	/* A handle for this one read: what it holds (a status snapshot)
	 * goes with it. */
	struct fs_handle h = { .entry = fs_ino_entry(ino),
			       .lock = PTHREAD_MUTEX_INITIALIZER };

	if (fs_resolve(ino, &h.dev) < 0) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	if (!h.dev || h.entry == FS_ENTRY_DIR || h.entry == FS_ENTRY_CELLS) {
		nvmem_device_put(h.dev);
		fuse_reply_err(req, EISDIR);
		return;
	}
	fs_read_handle(req, &h, size, off);
	free(h.status);
	nvmem_device_put(h.dev);
}
