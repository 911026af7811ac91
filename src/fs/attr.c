// SPDX-License-Identifier: MIT
/*
 * What stat shows of every file: modes and owners (perm.h), sizes, times,
 * and how long the kernel may keep them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "core/perm.h"
#include "fs_priv.h"

bool fs_cell_fixed_size(const struct nvmem_cell *cell)
{
	switch (cell->format) {
	case CELL_FORMAT_RAW:
	case CELL_FORMAT_MAC:
	case CELL_FORMAT_HEX:
		return !cell->ops;
	default:
		return false;
	}
}

bool fs_cell_read_only(const struct nvmem_device *dev,
			      const struct nvmem_cell *cell)
{
	return cell->read_only || nvmem_device_read_only(dev);
}

/* Text of the "type" file. */
int fs_type_text(const struct nvmem_device *dev, char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", nvmem_type_name(nvmem_device_type(dev)));
}

/* The cell's text as a read returns it, in a buffer the caller frees.
 * Returns the length or -errno. */
ssize_t fs_cell_text(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, char **text)
{
	size_t max = cell_max_text(cell);
	ssize_t n;

	*text = malloc(max + 1);
	if (!*text)
		return -ENOMEM;
	n = cell_read_text(dev, cell, *text, max + 1);
	if (n < 0) {
		free(*text);
		*text = NULL;
	}
	return n;
}

/* st_size of a cell: exactly what a read returns now. */
static off_t fs_cell_size(struct nvmem_device *dev, const struct nvmem_cell *cell)
{
	char *text;
	ssize_t n;

	if (fs_cell_fixed_size(cell))
		return cell_max_text(cell);
	n = fs_cell_text(dev, cell, &text);
	free(text);
	/* Unreadable right now (bus error): report the bound; the read
	 * itself will report the error. */
	return n < 0 ? (off_t)cell_max_text(cell) : n;
}

static off_t fs_status_size(struct nvmem_device *dev)
{
	char *text;
	ssize_t n = fs_status_text(dev, &text);

	free(text);
	return n < 0 ? 0 : n;
}

static void fs_set_times(struct stat *st, uint64_t atime_ns, uint64_t mtime_ns)
{
	st->st_atim.tv_sec = atime_ns / 1000000000u;
	st->st_atim.tv_nsec = atime_ns % 1000000000u;
	st->st_mtim.tv_sec = mtime_ns / 1000000000u;
	st->st_mtim.tv_nsec = mtime_ns % 1000000000u;
	st->st_ctim = st->st_mtim;
}

static void fs_set_perm(struct stat *st, mode_t type, const struct nvmem_perm *p)
{
	st->st_mode = type | p->mode;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
}

/*
 * Directories are listable by everyone, as the kernel's nvmem sysfs
 * directories are: names are not secret, bytes are, and the files'
 * own modes guard those.
 */
#define FS_DIR_MODE	0555

void fs_fill_attr(struct fs *fs, struct nvmem_device *dev,
		  unsigned int entry, struct stat *st)
{
	const struct nvmem_cell *cell;
	struct nvmem_perm perm;
	uint64_t reg;
	char tbuf[32];

	memset(st, 0, sizeof(*st));
	if (!dev) {
		st->st_ino = FUSE_ROOT_ID;
		st->st_mode = S_IFDIR | FS_DIR_MODE;
		st->st_uid = fs->uid;
		st->st_gid = fs->gid;
		st->st_nlink = 2;
		fs_set_times(st, fs->started_ns, fs->started_ns);
		return;
	}
	st->st_ino = fs_ino(dev, entry);
	st->st_nlink = 1;
	perm = nvmem_device_perm(dev);
	reg = nvmem_device_registered_ns(dev);
	fs_set_times(st, reg, reg);
	switch (entry) {
	case FS_ENTRY_DIR:
	case FS_ENTRY_CELLS:
		/* Where cells can be created and removed, whoever may
		 * write the device may do so in cells/ (the kernel checks
		 * the directory's write bits). */
		perm.mode = FS_DIR_MODE |
			    (entry == FS_ENTRY_CELLS &&
			     nvmem_device_cells_editable(dev) ?
			     perm.mode & PERM_WRITE_BITS : 0);
		fs_set_perm(st, S_IFDIR, &perm);
		st->st_nlink = entry == FS_ENTRY_DIR ? 3 : 2;
		break;
	case FS_ENTRY_NVMEM:
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = nvmem_device_size(dev);
		fs_set_times(st, reg, nvmem_device_written_ns(dev));
		break;
	case FS_ENTRY_TYPE:
		perm = perm_info(&perm);
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = fs_type_text(dev, tbuf, sizeof(tbuf));
		break;
	case FS_ENTRY_STATUS:
		/* Readable where the device is; its size is what a read
		 * returns now, and its time now, as its counters move. */
		perm = perm_info(&perm);
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = fs_status_size(dev);
		fs_set_times(st, reg, util_realtime_ns());
		break;
	default:
		cell = fs_cell(dev, entry);
		perm = perm_cell(&perm, &cell->perm, fs_cell_read_only(dev, cell));
		fs_set_perm(st, S_IFREG, &perm);
		st->st_size = fs_cell_size(dev, cell);
		/* The layout's file changes with the device; a cell whose
		 * text the kernel may keep, also when pages.c finds it
		 * changed around nvmemfs. */
		fs_set_times(st, reg, entry < FS_ENTRY_CELL0 ?
			     nvmem_device_written_ns(dev) :
			     fs_pages_mtime(fs, dev, entry,
				nvmem_device_cell_written_ns(dev,
					entry - FS_ENTRY_CELL0)));
		break;
	}
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
}

