// SPDX-License-Identifier: MIT
/*
 * Cell text kept in the kernel's page cache across opens, on any mount,
 * with proof at every open that the kept page is still the cell's text.
 *
 * An open+read+close through FUSE costs an OPEN and a READ round trip;
 * with FOPEN_KEEP_CACHE the kernel answers the read from the page it
 * kept, and only the OPEN remains. That is safe only while the kept page
 * holds what a read would return now, so OPEN reads the cell (from our
 * cache, or from the device: the I/O the READ would have done) and
 * compares it with the text the last READ gave the kernel; the page is
 * kept only when they are equal, and dropped by the kernel otherwise.
 * For a descriptor held open: a write through nvmemfs drops the kept
 * pages of the cells it changed before the writer is answered
 * (notify.c); a change made around nvmemfs to an uncached device is
 * found when the kernel asks for expired attributes (FS_TIMEOUT: with
 * auto_inval_data it asks before reading), by fs_pages_mtime() reading
 * the cell again and moving its mtime, which makes the kernel drop the
 * pages itself. An open that cannot keep the page hands what it read to
 * the READ that follows (fs_pages_text()): the device is read once.
 *
 * Only with more than one worker (fs_set_single_thread()), and only
 * fixed-size text (raw, mac, hex) up to FS_PAGE_TEXT_MAX, opened
 * read-only: the kernel limits cached reads to i_size, which must not
 * lag behind the text, and writers keep direct I/O (their value is
 * stored whole at close, value.c).
 *
 * The raw nvmem file is kept too, but only where nothing else can change
 * it (a cached device) and reading ahead is cheap: fs_pages_raw_eligible().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fs_priv.h"

#define FS_PAGE_TEXT_MAX	512

/*
 * What the kernel may hold for one inode: @text as the last READ gave it
 * (@valid), and when a change made around nvmemfs was found (@changed_ns,
 * reported as mtime so that the kernel drops its pages). One exists for
 * every inode opened through the page cache, from its first such open
 * until its device goes (fs_pages_forget()); a kept raw file's has no
 * text (@room 0), and is @valid from its first open until a drop of its
 * pages is skipped (fs_pages_drop_begin()). All under fs_pages.lock.
 */
struct fs_page {
	struct fs_page *next;
	fuse_ino_t ino;
	uint64_t changed_ns;
	bool valid;
	size_t len, room;
	char text[];
};

static struct fs_page **fs_pages_slot(struct fs_pages *p, fuse_ino_t ino)
{
	struct fs_page **pp = &p->bucket[(ino ^ (ino >> FS_INO_SHIFT)) %
					 FS_PAGES_BUCKETS];

	while (*pp && (*pp)->ino != ino)
		pp = &(*pp)->next;
	return pp;
}

/* Does @t hold @text as a READ gave it? Under fs_pages.lock. */
static bool fs_page_holds(const struct fs_page *t, const char *text,
			  size_t len)
{
	return t && t->valid && t->len == len && !memcmp(t->text, text, len);
}

void fs_pages_init(struct fs_pages *p)
{
	pthread_mutex_init(&p->lock, NULL);
}

void fs_pages_destroy(struct fs_pages *p)
{
	struct fs_page *t;
	size_t i;

	for (i = 0; i < FS_PAGES_BUCKETS; i++) {
		while ((t = p->bucket[i])) {
			p->bucket[i] = t->next;
			free(t);
		}
	}
	pthread_mutex_destroy(&p->lock);
}

void fs_set_single_thread(struct fs *fs, bool on)
{
	fs->pages.off = on;
}

bool fs_pages_eligible(struct fs *fs, const struct nvmem_cell *cell, int flags)
{
	return !fs->pages.off && cell && fs_cell_fixed_size(cell) &&
	       cell_max_text(cell) <= FS_PAGE_TEXT_MAX &&
	       (flags & O_ACCMODE) == O_RDONLY;
}

/* The record of @ino, made with @room bytes of text if there is none:
 * from now on fs_pages_forget() sees the inode. NULL without memory. */
static struct fs_page *fs_pages_record(struct fs_pages *p, fuse_ino_t ino,
				       size_t room)
{
	struct fs_page **pp, *t;

	pthread_mutex_lock(&p->lock);
	pp = fs_pages_slot(p, ino);
	if (!*pp) {
		*pp = calloc(1, sizeof(**pp) + room);
		if (*pp) {
			(*pp)->ino = ino;
			(*pp)->room = room;
		}
	}
	t = *pp;
	pthread_mutex_unlock(&p->lock);
	return t;
}

/*
 * OPEN of an eligible cell: may the kernel keep what it holds? Reads the
 * cell now. Returns 1 (keep), 0 (page cache, but drop what is kept) or
 * -errno: the cell cannot be read now, or its device went away, and
 * the file is opened for direct I/O, whose READ reports it. On 0, the
 * text read is left in *@first for the handle (an uncached device: a
 * cached one reads its cell from memory anyway). The inode's record
 * exists before the device is checked, so that fs_pages_forget() sees
 * every inode whose pages the kernel may fill.
 */
int fs_pages_open(struct fs *fs, struct nvmem_device *dev, unsigned int entry,
		  struct fs_page_first *first)
{
	const struct nvmem_cell *cell = fs_cell(dev, entry);
	struct fs_pages *p = &fs->pages;
	fuse_ino_t ino = fs_ino(dev, entry);
	uint64_t written_ns, read_ns;
	struct fs_page *t;
	char *text;
	ssize_t n;
	int keep;

	if (!fs_pages_record(p, ino, cell_max_text(cell) + 1))
		return -ENOMEM;
	if (!nvmem_device_alive(dev))
		return -ENODEV;
	written_ns = nvmem_device_written_ns(dev);
	read_ns = util_monotonic_ns();
	n = fs_cell_text(dev, cell, &text);
	if (n < 0)
		return n;
	pthread_mutex_lock(&p->lock);
	/* Gone again if the device went meanwhile. */
	t = *fs_pages_slot(p, ino);
	keep = fs_page_holds(t, text, n);
	/* Until a READ refills it, nothing kept can be trusted: the kernel
	 * drops its pages after this reply, and a page read for an older
	 * handle in between must not pass for this text. */
	if (t && !keep)
		t->valid = false;
	pthread_mutex_unlock(&p->lock);
	if (t && !keep && !nvmem_device_cached(dev)) {
		*first = (struct fs_page_first){ text, n, written_ns, read_ns };
		text = NULL;
	}
	free(text);
	return t ? keep : -ENODEV;
}

/*
 * The raw file of a cached device that may be read ahead (a file, a
 * block or MTD device), opened for reading: its pages are kept across
 * opens, with no proof at each open, because nothing but nvmemfs
 * changes a cached device (nvmemfs.conf(5), cache) and every write
 * through nvmemfs drops them before the writer is answered (notify.c).
 * A device behind a slow bus stays direct: the kernel would read whole
 * pages and read ahead, on the bus, far more than was asked.
 */
bool fs_pages_raw_eligible(struct fs *fs, struct nvmem_device *dev,
			   int flags)
{
	return !fs->pages.off && (flags & O_ACCMODE) == O_RDONLY &&
	       nvmem_device_cached(dev) && nvmem_device_read_ahead(dev);
}

/*
 * OPEN of an eligible raw file: 1 (keep the pages), 0 (page cache, but
 * drop what is kept: the first open, or a write whose drop was skipped
 * since the last one) or -errno (direct I/O, whose READ reports it). Its
 * record makes an unplug drop the pages before the directory goes, and a
 * write through nvmemfs drop them; @valid says no drop was skipped.
 */
int fs_pages_open_raw(struct fs *fs, struct nvmem_device *dev)
{
	struct fs_pages *p = &fs->pages;
	struct fs_page *t;
	bool keep;

	t = fs_pages_record(p, fs_ino(dev, FS_ENTRY_NVMEM), 0);
	if (!t)
		return -ENOMEM;
	if (!nvmem_device_alive(dev))
		return -ENODEV;
	pthread_mutex_lock(&p->lock);
	/* Gone again if the device went meanwhile. */
	t = *fs_pages_slot(p, fs_ino(dev, FS_ENTRY_NVMEM));
	keep = t && t->valid;
	if (t)
		t->valid = true;
	pthread_mutex_unlock(&p->lock);
	return t ? keep : -ENODEV;
}

/*
 * The text a READ through page-cached handle @h gives the kernel: what
 * its open read (fs_pages_open()), taken once, if no write through
 * nvmemfs reached the device since and it is younger than the attribute
 * lifetime, within which a change made around nvmemfs may go unseen in
 * a kept page too; otherwise read now. Returns its length or -errno.
 */
ssize_t fs_pages_text(struct fs_handle *h, char **text)
{
	struct fs_page_first f;

	pthread_mutex_lock(&h->lock);
	f = h->first;
	h->first.text = NULL;
	pthread_mutex_unlock(&h->lock);
	if (f.text && nvmem_device_written_ns(h->dev) == f.written_ns &&
	    util_monotonic_ns() - f.read_ns < (uint64_t)(FS_TIMEOUT * 1e9)) {
		*text = f.text;
		return f.len;
	}
	free(f.text);
	return fs_cell_text(h->dev, fs_cell(h->dev, h->entry), text);
}

/*
 * A READ through a page-cached handle is about to give the kernel @text
 * for the inode's page: record it before the reply, so that an open that
 * sees this record finds the page either already filled with it or
 * locked until it is.
 */
void fs_pages_filled(struct fs *fs, fuse_ino_t ino, const char *text,
		     size_t len)
{
	struct fs_pages *p = &fs->pages;
	struct fs_page *t;

	pthread_mutex_lock(&p->lock);
	t = *fs_pages_slot(p, ino);
	if (t && len <= t->room) {
		memcpy(t->text, text, len);
		t->len = len;
		t->valid = true;
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * The mtime to report for @entry: @written_ns (the last write through
 * nvmemfs), or later if a change made around nvmemfs was found. Only an
 * uncached device can change so (a cached one is read from our cache,
 * which nothing but nvmemfs writes), and only a page the kernel holds
 * needs the check: the cell is read again then.
 */
uint64_t fs_pages_mtime(struct fs *fs, struct nvmem_device *dev,
			unsigned int entry, uint64_t written_ns)
{
	struct fs_pages *p = &fs->pages;
	fuse_ino_t ino = fs_ino(dev, entry);
	struct fs_page *t;
	uint64_t changed = 0;
	bool check;
	char *text;
	ssize_t n;

	pthread_mutex_lock(&p->lock);
	t = *fs_pages_slot(p, ino);
	check = t && t->valid && !nvmem_device_cached(dev);
	if (t)
		changed = t->changed_ns;
	pthread_mutex_unlock(&p->lock);
	if (check) {
		n = fs_cell_text(dev, fs_cell(dev, entry), &text);
		pthread_mutex_lock(&p->lock);
		t = *fs_pages_slot(p, ino);
		if (n >= 0 && t && t->valid && !fs_page_holds(t, text, n)) {
			t->valid = false;
			t->changed_ns = util_realtime_ns();
		}
		if (t)
			changed = t->changed_ns;
		pthread_mutex_unlock(&p->lock);
		if (n >= 0)
			free(text);
	}
	return changed > written_ns ? changed : written_ns;
}

/*
 * A write through nvmemfs changed the cell @ino: may this worker wait for
 * the kernel to drop the page it keeps (notify.c)? Only if it keeps one,
 * and only while fewer than FS_PAGES_DROPPERS workers wait so: the wait
 * ends when another worker answers a READ of that page, and some must
 * stay free to do it. Paired with fs_pages_drop_end() on true. On false
 * for a kept raw file, it is no longer @valid: its next open, which has
 * no text to prove, drops the pages. A cell keeps @valid, which is about
 * its text: its next open compares that text with the cell, and a
 * GETATTR meanwhile still looks for a change (fs_pages_mtime()).
 */
#define FS_PAGES_DROPPERS	4

bool fs_pages_drop_begin(struct fs *fs, fuse_ino_t ino)
{
	struct fs_pages *p = &fs->pages;
	struct fs_page *t;
	bool held;

	pthread_mutex_lock(&p->lock);
	t = *fs_pages_slot(p, ino);
	held = t && p->droppers < FS_PAGES_DROPPERS;
	if (held)
		p->droppers++;
	else if (t && !t->room)
		t->valid = false;	/* a raw file's record: no text */
	pthread_mutex_unlock(&p->lock);
	return held;
}

void fs_pages_drop_end(struct fs *fs)
{
	struct fs_pages *p = &fs->pages;

	pthread_mutex_lock(&p->lock);
	p->droppers--;
	pthread_mutex_unlock(&p->lock);
}

/*
 * @dev went away: drop the pages of every inode of it the kernel may
 * hold in its page cache (a READ in flight keeps its page locked, and
 * the kernel waits for our answer, ENODEV now, before dropping it), and
 * forget them. Called before the device's directory is invalidated.
 */
void fs_pages_forget(struct fs *fs, struct fuse_session *se,
		     struct nvmem_device *dev)
{
	struct fs_pages *p = &fs->pages;
	uint64_t id = nvmem_device_id(dev);
	struct fs_page **pp, *t, *gone = NULL;
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FS_PAGES_BUCKETS; i++) {
		pp = &p->bucket[i];
		while ((t = *pp)) {
			if (fs_ino_id(t->ino) != id) {
				pp = &t->next;
				continue;
			}
			*pp = t->next;
			t->next = gone;
			gone = t;
		}
	}
	pthread_mutex_unlock(&p->lock);
	while ((t = gone)) {
		gone = t->next;
		if (se)
			fuse_lowlevel_notify_inval_inode(se, t->ino, 0, 0);
		free(t);
	}
}
