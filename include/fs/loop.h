/* SPDX-License-Identifier: MIT */
/*
 * The FUSE request loop (fs/loop.c): one thread reads /dev/fuse and
 * serves each request inline; only a request that keeps its thread busy
 * for more than about a millisecond has another thread take over the
 * reading, so that a slow device does not hold up the others.
 */
#ifndef NVMEMFS_FS_LOOP_H
#define NVMEMFS_FS_LOOP_H

#include <fuse_lowlevel.h>

/* The most threads that ever serve requests at once. */
#define FS_LOOP_MAX_THREADS	16

/*
 * Serve @se until it ends: unmounted, or fuse_session_exit() (a stop
 * signal, whose handler must run on, or be sent to, the calling thread:
 * it is the one that notices). Up to @max_threads workers. The calling
 * thread supervises them; SIGTERM, SIGINT and SIGHUP are blocked in the
 * workers. Returns 0, or -errno when reading /dev/fuse failed.
 */
int fs_loop_run(struct fuse_session *se, unsigned int max_threads);

#endif
