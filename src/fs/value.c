// SPDX-License-Identifier: MIT
/*
 * What is written to a cell file is one value, however many write(2)s
 * carry it: stdio splits a long line at its buffer size, printf and tr
 * write piece by piece. The handle collects the pieces, in order from
 * offset 0, and the value is stored whole when the file is closed (the
 * FUSE flush that close(2) sends), or not at all: close reports why, and
 * the old value stays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs_priv.h"

/* Room for the longest text a cell can take, and its newline. */
static size_t fs_value_max(const struct nvmem_cell *cell)
{
	return cell_max_text(cell) + 1;
}

int fs_value_append(struct fs_handle *h, const char *buf, size_t size,
		    off_t off)
{
	const struct nvmem_cell *cell = fs_cell(h->dev, h->entry);
	struct fs_value *v = &h->value;
	int ret = 0;
	char *grown;

	pthread_mutex_lock(&h->lock);
	if (v->error) {
		ret = v->error;
	} else if ((size_t)off != v->len) {
		/* A cell has no middle to seek to: pieces come in order. */
		ret = v->error = -EINVAL;
	} else if (size > fs_value_max(cell) - v->len) {
		/* Longer than any value of the cell: it cannot fit. */
		ret = v->error = cell->ops ? -ENOSPC : -EINVAL;
	} else {
		grown = realloc(v->buf, v->len + size);
		if (!grown) {
			ret = v->error = -ENOMEM;
			goto out;
		}
		v->buf = grown;
		memcpy(v->buf + v->len, buf, size);
		v->len += size;
		v->pending = true;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

int fs_value_commit(struct fs *fs, struct fs_handle *h)
{
	struct fs_value *v = &h->value;
	const struct nvmem_cell *cell;
	int ret;

	if (!fs_cell(h->dev, h->entry))
		return 0;
	pthread_mutex_lock(&h->lock);
	ret = v->error;
	if (!ret && v->pending) {
		cell = fs_cell(h->dev, h->entry);
		ret = nvmem_device_alive(h->dev) ?
		      cell_write_text(h->dev, cell, v->buf ? v->buf : "",
				      v->len) : -ENODEV;
		if (fs && (ret == 0 || !fs_write_refused(ret)))
			fs_written(fs, h->dev, h->entry,
				   cell->ops ? 0 : cell->offset,
				   cell->ops ? 0 : cell->bytes);
	}
	/* The next write on this handle (a dup'd descriptor) is a new
	 * value. */
	free(v->buf);
	memset(v, 0, sizeof(*v));
	pthread_mutex_unlock(&h->lock);
	return ret;
}
