// SPDX-License-Identifier: MIT
/*
 * poll(2) on a file of the mount, as on a sysfs attribute: the file is
 * always readable (POLLIN, and POLLOUT), and POLLPRI|POLLERR say that
 * its value changed through nvmemfs since the descriptor was opened or
 * last read; POLLERR|POLLHUP (and POLLPRI) that its device went away,
 * after which every read fails with ENODEV.
 *
 * The FUSE round trip: a poller that will sleep sends POLL with a handle
 * to notify (FUSE_POLL_SCHEDULE_NOTIFY); we keep the newest per open
 * file, answer what holds now, and fs_poll_written() or
 * fs_poll_removed() notifies it later, from any worker or the uevent
 * thread. The kernel registered its waiter before sending the request,
 * so a notification that overtakes our answer still wakes it.
 */
#include <poll.h>

#include "fs_priv.h"

#define FS_POLL_READY	(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)

static uint64_t fs_poll_mtime(const struct fs_handle *h)
{
	return nvmem_device_cell_written_ns(h->dev, h->entry - FS_ENTRY_CELL0);
}

/*
 * Does a write through @entry over [@off, @off + @len) change what @h
 * reads? The raw device changes with anything; a layout's cells and
 * file with any write to the device (their bytes move whenever a
 * variable changes length: the simplest rule that is never wrong); a
 * fixed cell when the write covered its bytes, or when the range is not
 * known (a write through a layout, whose bytes may lie under a
 * configured cell, comes as the whole device). type and status never
 * change.
 */
static bool fs_poll_changes(const struct fs_handle *h, unsigned int entry,
			    uint64_t off, uint64_t len)
{
	const struct nvmem_cell *c;

	/* Read from the kernel's page, which it drops, and then asks us,
	 * only when the cell's mtime moved (pages.c): a change it would
	 * not see would keep POLLPRI up for ever. */
	if (h->paged)
		return fs_poll_mtime(h) != atomic_load(&h->seen_ns);
	if (h->entry == FS_ENTRY_NVMEM || h->entry == FS_ENTRY_LAYOUT)
		return true;
	if (h->entry < FS_ENTRY_CELL0)
		return false;
	if (h->entry == entry)
		return true;
	c = fs_cell(h->dev, h->entry);
	if (!c)
		return false;
	if (c->ops || !len)
		return true;
	return c->offset < off + len && off < c->offset + c->bytes;
}

/* Wake @h's poller, if one waits (handles_lock held). The notification
 * is a write to /dev/fuse that the kernel handles at once; it never
 * waits for a worker, so holding the lock across it is safe. */
static void fs_poll_wake(struct fs *fs, struct fs_handle *h)
{
	struct fuse_session *se = atomic_load(&fs->session);

	atomic_store(&h->changed, true);
	/* Past the cells whose attributes fs_written() dropped: the
	 * reader's kernel must ask for the new mtime too. */
	if (h->paged && se && atomic_load(&fs->notify_ok))
		fuse_lowlevel_notify_inval_inode(se, fs_ino(h->dev, h->entry),
						 -1, 0);
	if (!h->ph)
		return;
	if (atomic_load(&fs->notify_ok))
		fuse_lowlevel_notify_poll(h->ph);
	fuse_pollhandle_destroy(h->ph);
	h->ph = NULL;
}

void fs_poll_written(struct fs *fs, struct nvmem_device *dev,
		     unsigned int entry, uint64_t off, uint64_t len)
{
	struct fs_handle *h;

	pthread_mutex_lock(&fs->handles_lock);
	for (h = fs->handles; h; h = h->next)
		if (h->dev == dev && fs_poll_changes(h, entry, off, len))
			fs_poll_wake(fs, h);
	pthread_mutex_unlock(&fs->handles_lock);
}

void fs_poll_removed(struct fs *fs, struct nvmem_device *dev)
{
	struct fs_handle *h;

	pthread_mutex_lock(&fs->handles_lock);
	for (h = fs->handles; h; h = h->next)
		if (h->dev == dev)
			fs_poll_wake(fs, h);
	pthread_mutex_unlock(&fs->handles_lock);
}

/* A read that begins now sees every change made before it: one made
 * while it runs sets the flag again (a wake too many, never one too
 * few). */
void fs_poll_read(struct fs *fs, struct fs_handle *h)
{
	if (h->paged)
		atomic_store(&h->seen_ns, fs_poll_mtime(h));
	atomic_store(&h->changed, false);
}

void fs_poll_forget(struct fs_handle *h)
{
	if (h->ph)
		fuse_pollhandle_destroy(h->ph);
	h->ph = NULL;
}

void fs_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
	     struct fuse_pollhandle *ph)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct fs *fs = fuse_req_userdata(req);
	struct fuse_pollhandle *old = NULL;
	unsigned int revents = FS_POLL_READY;

	pthread_mutex_lock(&fs->handles_lock);
	if (ph) {
		old = h->ph;
		h->ph = ph;
	}
	if (!nvmem_device_alive(h->dev))
		revents |= POLLERR | POLLHUP | POLLPRI;
	else if (atomic_load(&h->changed))
		revents |= POLLERR | POLLPRI;
	pthread_mutex_unlock(&fs->handles_lock);
	if (old)
		fuse_pollhandle_destroy(old);
	fuse_reply_poll(req, revents);
}
