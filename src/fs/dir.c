// SPDX-License-Identifier: MIT
/*
 * Directories: the root lists the registered devices, a device its
 * entries (nvmem, type, status, cells/ and its layout's file if it has one),
 * cells/ its cells.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_priv.h"

void fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	unsigned int entry = fs_ino_entry(ino);
	struct nvmem_device *dev;

	if (fs_resolve(ino, &dev) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (dev && entry != FS_ENTRY_DIR && entry != FS_ENTRY_CELLS) {
		nvmem_device_put(dev);
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	/* A layout's cells as the device holds them now: the listing
	 * shows the cells this sync found. */
	if (entry == FS_ENTRY_CELLS)
		nvmem_device_sync(dev);
	fs_reply_handle(req, fi, dev, entry, NULL, NULL);
}

/*
 * Directory offsets: 1 and 2 for "." and "..", then for the root
 * 2 + device id (ids grow, so a device added during a listing is either
 * listed once or not at all), for directories entry index + 3.
 */
static bool fs_add(fuse_req_t req, char *buf, size_t size, size_t *pos,
		   const char *name, fuse_ino_t ino, mode_t mode, off_t next)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t len = fuse_add_direntry(req, buf + *pos, size - *pos, name, &st,
				       next);

	if (len > size - *pos)
		return false;
	*pos += len;
	return true;
}

static void fs_put_items(struct registry_item *items, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		nvmem_device_put(items[i].dev);
	free(items);
}

void fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct registry_item *devs = NULL;
	size_t pos = 0, count = 0, i;
	char *buf;

	if (h->dev && !nvmem_device_alive(h->dev)) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off < 1 && !fs_add(req, buf, size, &pos, ".", ino, S_IFDIR, 1))
		goto out;
	if (off < 2 && !fs_add(req, buf, size, &pos, "..",
			       h->dev && h->entry == FS_ENTRY_CELLS ?
			       fs_ino(h->dev, FS_ENTRY_DIR) : FUSE_ROOT_ID,
			       S_IFDIR, 2))
		goto out;

	if (!h->dev) {
		if (registry_list(&devs, &count) < 0) {
			fs_put_items(devs, count);
			free(buf);
			fuse_reply_err(req, ENOMEM);
			return;
		}
		for (i = 0; i < count; i++) {
			off_t next = 2 + devs[i].id;

			if (next <= off)
				continue;
			if (!fs_add(req, buf, size, &pos,
				    nvmem_device_name(devs[i].dev),
				    fs_ino(devs[i].dev, FS_ENTRY_DIR), S_IFDIR,
				    next))
				break;
		}
		fs_put_items(devs, count);
	} else if (h->entry == FS_ENTRY_DIR) {
		const struct nvmem_cell *file = fs_cell(h->dev, FS_ENTRY_LAYOUT);
		const struct { const char *name; unsigned int entry; mode_t mode; } ents[] = {
			{ "nvmem", FS_ENTRY_NVMEM, S_IFREG },
			{ "type", FS_ENTRY_TYPE, S_IFREG },
			{ "status", FS_ENTRY_STATUS, S_IFREG },
			{ "cells", FS_ENTRY_CELLS, S_IFDIR },
			{ file ? file->name : NULL, FS_ENTRY_LAYOUT, S_IFREG },
		};
		for (i = 0; i < 5 && ents[i].name; i++) {
			if ((off_t)i + 3 <= off)
				continue;
			if (!fs_add(req, buf, size, &pos, ents[i].name,
				    fs_ino(h->dev, ents[i].entry), ents[i].mode,
				    i + 3))
				break;
		}
	} else {
		/* Cells as the sync at opendir found them; indexes only
		 * grow, so a cell added during the listing is listed once
		 * or not at all. */
		ssize_t c;

		for (c = nvmem_device_cell_next(h->dev, off > 2 ? off - 2 : 0);
		     c >= 0; c = nvmem_device_cell_next(h->dev, c + 1)) {
			if (!fs_add(req, buf, size, &pos,
				    nvmem_device_cell(h->dev, c)->name,
				    fs_ino(h->dev, FS_ENTRY_CELL0 + c), S_IFREG,
				    c + 3))
				break;
		}
	}
out:
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

void fs_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	fs_release(req, ino, fi);
}

