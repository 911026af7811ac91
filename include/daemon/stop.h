/* SPDX-License-Identifier: MIT */
/*
 * SIGTERM, SIGINT and SIGHUP: stop serving without waiting for the bus.
 *
 * The handler ends the session's loop, as libfuse's own handlers do, and
 * wakes a thread that unregisters every device the way an unplug does: a
 * reader in the middle of a long read on a slow bus gets ENODEV within one
 * chunk, and the loop, which waits for its busy workers before it returns,
 * is not held up by the rest of that read.
 *
 * A lazy unmount (fusermount3 -u -z, umount -l) takes the mount out of
 * the tree while files on it stay open, and tells the daemon nothing: the
 * same thread watches the mount table and stops the daemon the same way
 * once its mount is gone from it.
 */
#ifndef NVMEMFS_STOP_H
#define NVMEMFS_STOP_H

struct fs;
struct fuse_session;

/* Install the handlers (before the mount, so that no signal can leave a
 * dead mount behind). 0 or -errno. */
int stop_install(struct fuse_session *se);
/* Start the thread that cuts device I/O (after the fork: threads do not
 * survive it), on the thread that will run the loop; a signal that came
 * earlier is acted on at once. @mount_id is the mount to watch
 * (mountpoint_id()), -1 for none. */
int stop_start(struct fs *fs, long mount_id);
/* Join the thread and restore the default handlers. */
void stop_remove(void);

#endif
