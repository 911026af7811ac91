/* SPDX-License-Identifier: MIT */
/*
 * The FUSE layer: lowlevel operations over the registry.
 *
 * Inode numbers: 1 is the root; everything else is (device id << 20) |
 * entry, with entry 0 the device directory, 1 "nvmem", 2 "type",
 * 3 "cells", 4 the layout's file (nvmem_device_layout_file()), 5 "status"
 * and 8 + i cell i (dynamic cells' indexes start at NVMEM_CELL_DYN_BASE). Device ids are never reused, so an inode
 * number never names two different devices, and a handle opened before
 * an unplug can never reach the re-plugged device.
 */
#ifndef NVMEMFS_FS_H
#define NVMEMFS_FS_H

#include <stdbool.h>

#include <fuse_lowlevel.h>

#define FS_INO_SHIFT	20
#define FS_ENTRY_DIR	0
#define FS_ENTRY_NVMEM	1
#define FS_ENTRY_TYPE	2
#define FS_ENTRY_CELLS	3
#define FS_ENTRY_LAYOUT	4
#define FS_ENTRY_STATUS	5
#define FS_ENTRY_CELL0	8

/*
 * The largest read request, as the mount option "max_read=" that main.c
 * passes. Replies are spliced from a pipe, and libfuse's own pipe must
 * hold a whole reply (data plus header) within the default pipe-max-size
 * of 1 MiB, or it falls back to copying.
 */
#define FS_MAX_READ	(512 * 1024)
#define FS_MAX_READ_OPT	"max_read=524288"

extern const struct fuse_lowlevel_ops fs_ops;

/* The layer's state, to be given to fuse_session_new() as its userdata;
 * freed after the session. */
struct fs;
struct fs *fs_new(void);
void fs_free(struct fs *fs);

/*
 * Start (and stop) keeping the kernel's caches in step with
 * unregistrations and writes: the registry listener, and the session it
 * notifies.
 */
void fs_attach(struct fs *fs, struct fuse_session *se);
void fs_detach(struct fs *fs);

/*
 * Serve every file of the mount from the kernel's page cache, with no
 * OPEN, FLUSH or RELEASE requests (fs/pagecache.c): only for a read-only
 * mount on which every device that can ever be registered is read-only
 * and cached. Before the session is created.
 */
void fs_set_cache_all(struct fs *fs, bool on);

/*
 * The session is served by one thread (-s): no cell text is then kept in
 * the page cache across opens (fs/pages.c), since dropping it after a
 * write may wait for a READ that only another worker could answer.
 * Before the session is created.
 */
void fs_set_single_thread(struct fs *fs, bool on);

/* Is a file or directory of the mount open? Any thread. */
bool fs_busy(struct fs *fs);

#endif
