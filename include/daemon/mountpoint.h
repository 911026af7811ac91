/* SPDX-License-Identifier: MIT */
/*
 * What is already mounted where the daemon is asked to mount: the mount
 * of a daemon that died (every access answers ENOTCONN until it is
 * detached), or a live nvmemfs that a second one must not stack on.
 */
#ifndef NVMEMFS_MOUNTPOINT_H
#define NVMEMFS_MOUNTPOINT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The type ("fuse.nvmemfs") of the topmost mount at the absolute,
 * canonical directory @dir in @text, the contents of a mountinfo file
 * (proc(5)), and its mount ID into *@id unless @id is NULL. 1 when found,
 * 0 when nothing is mounted there, -ENAMETOOLONG when @size cannot hold
 * the type.
 */
int mountinfo_fstype(const char *text, size_t len, const char *dir,
		     char *fstype, size_t size, long *id);

/*
 * Make @mountpoint ready for our mount: a dead nvmemfs mount there is
 * detached (logged); a dead mount of another file system, or a live
 * nvmemfs, is refused with a message saying what to do. 0, -ENOTCONN or
 * -EBUSY (logged), or -errno for a directory that cannot be checked.
 */
int mountpoint_prepare(const char *mountpoint);

/* The mount ID of the nvmemfs mounted at @mountpoint now (ours, right
 * after the mount), or -1. */
long mountpoint_id(const char *mountpoint);
/* Is the mount @id still in the mount table? (A lazy unmount takes it
 * out while files on it stay open.) True when it cannot tell. */
bool mountpoint_present(long id);

#endif
