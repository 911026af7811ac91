// SPDX-License-Identifier: MIT
/*
 * Cells created and removed through the mount: only in cells/ of a
 * device whose layout allows it (a U-Boot environment: a new file is a
 * new variable, rm removes one). Everywhere else the tree stays what the
 * devices and the configuration make it (EPERM).
 */
#include <errno.h>

#include "fs_priv.h"

/* The device of directory @parent if it is a cells/ directory. */
static int fs_cells_dir(fuse_req_t req, fuse_ino_t parent,
			struct nvmem_device **devp)
{
	int ret = fs_resolve(parent, devp);

	if (ret < 0)
		return ret == -ENODEV ? -ENOENT : ret;
	if (!*devp || fs_ino_entry(parent) != FS_ENTRY_CELLS) {
		nvmem_device_put(*devp);
		return -EPERM;
	}
	return 0;
}

/*
 * The new cell exists once a value is written to it and the file is
 * closed (value.c stores it whole then): a layout has no empty cells to
 * make, and a creat() that writes nothing leaves nothing behind.
 */
void fs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
	       mode_t mode, struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct nvmem_device *dev;
	unsigned int entry;
	ssize_t idx;
	int ret;

	ret = fs_cells_dir(req, parent, &dev);
	if (ret < 0) {
		fuse_reply_err(req, -ret);
		return;
	}
	idx = nvmem_device_create_cell(dev, name);
	if (idx < 0) {
		nvmem_device_put(dev);
		fuse_reply_err(req, -idx);
		return;
	}
	entry = FS_ENTRY_CELL0 + idx;
	fs_entry_param(fuse_req_userdata(req), dev, entry, &e);
	/* Not cached: until the value is stored there is no such cell. */
	e.entry_timeout = 0;
	e.attr_timeout = 0;
	fs_open_file(req, fi, dev, entry, &e);
}

void fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct nvmem_device *dev;
	ssize_t idx;
	int ret;

	ret = fs_cells_dir(req, parent, &dev);
	if (ret < 0) {
		fuse_reply_err(req, -ret);
		return;
	}
	idx = nvmem_device_find_cell(dev, name);
	if (idx < 0 || !nvmem_device_cell_present(dev, idx))
		ret = -ENOENT;
	else
		ret = nvmem_device_remove_cell(dev, idx);
	if (ret == 0)	/* the layout's other files changed */
		fs_written(fuse_req_userdata(req), dev, FS_ENTRY_CELL0 + idx,
			   0, 0);
	nvmem_device_put(dev);
	fuse_reply_err(req, -ret);
}
