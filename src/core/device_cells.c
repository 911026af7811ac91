// SPDX-License-Identifier: MIT
/*
 * A device's cells. Most are fixed: added before registration into one
 * array, immutable afterwards, read without locks. A layout whose cells
 * come and go while the device is served (U-Boot variables that fw_setenv
 * adds and removes) adds "dynamic" cells at any time instead: they live in
 * segments that never move, are never freed before the device, and are
 * shown or hidden by the layout's last look at the device (a sync).
 *
 * Indexes: fixed cells 0 .. NVMEM_CELL_DYN_BASE - 1, dynamic cells from
 * NVMEM_CELL_DYN_BASE on, so that adding one never renumbers another (the
 * FUSE layer's inode numbers are built from them).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"

/* Segment s holds DYN_SEG0 << s cells: 14 of them hold more dynamic
 * cells than the index space has room for. */
#define DYN_SEG0_SHIFT	6
#define DYN_SEG0	(1u << DYN_SEG0_SHIFT)
#define DYN_SEGS	14
#define DYN_MAX		((1u << 20) - 8 - NVMEM_CELL_DYN_BASE)

struct nvmem_dyn_cell {
	struct nvmem_cell cell;
	_Atomic uint64_t written_ns;	/* as device_priv.h's cell_written_ns */
	_Atomic uint64_t seen;		/* the last sync that found it */
};

/*
 * Lifetime: allocated by nvmem_device_set_layout() before registration,
 * freed with the device. A cell is complete before @count covers it
 * (release/acquire), and its slot never moves: a reader holding a device
 * reference uses it without a lock. @lock serialises adders and guards
 * @index (names), which a lookup by name takes. Present: seen >= @gen;
 * the layout serialises its syncs (its own lock), so marking the cells
 * found with gen + 1 and then publishing gen + 1 hides the missing ones
 * all at once and never hides a present one.
 */
struct nvmem_dyn {
	pthread_mutex_t lock;
	_Atomic size_t count;
	_Atomic(struct nvmem_dyn_cell *) seg[DYN_SEGS];
	struct util_index index;
	_Atomic uint64_t gen;
};

static struct nvmem_dyn_cell *dyn_slot(const struct nvmem_dyn *d, size_t k)
{
	size_t v = k + DYN_SEG0;
	unsigned int s = (63 - __builtin_clzll(v)) - DYN_SEG0_SHIFT;
	struct nvmem_dyn_cell *seg = atomic_load_explicit(&d->seg[s],
							  memory_order_acquire);

	return &seg[v - ((size_t)DYN_SEG0 << s)];
}

/* The dynamic cell at @index, NULL if none. */
static struct nvmem_dyn_cell *dyn_cell(const struct nvmem_device *dev,
				       size_t index)
{
	struct nvmem_dyn *d = dev->dyn;

	if (!d || index < NVMEM_CELL_DYN_BASE)
		return NULL;
	index -= NVMEM_CELL_DYN_BASE;
	if (index >= atomic_load_explicit(&d->count, memory_order_acquire))
		return NULL;
	return dyn_slot(d, index);
}

/* A cell's own data; a dynamic cell's name too (a fixed one's is in
 * the device's pool). */
static void nvmem_cell_release(struct nvmem_cell *cell, bool dyn)
{
	if (dyn)
		free(cell->name);
	if (cell->ops && cell->ops->priv_free)
		cell->ops->priv_free(cell->priv);
}

/* A larger index of @n names, for one more. */
static int cell_index_grow(struct util_index *ix, size_t n,
			   const char *(*name)(const struct nvmem_device *, size_t),
			   const struct nvmem_device *dev)
{
	struct util_index nix;
	size_t i;

	if (util_index_init(&nix, (n + 1) * 2) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		util_index_add(&nix, util_hash_str(UTIL_HASH_INIT, name(dev, i)), i);
	util_index_free(ix);
	*ix = nix;
	return 0;
}

static const char *fixed_name(const struct nvmem_device *dev, size_t i)
{
	return dev->cells[i].name;
}

static const char *dyn_name(const struct nvmem_device *dev, size_t i)
{
	return dyn_slot(dev->dyn, i)->cell.name;
}

static long index_find(const struct util_index *ix, const char *name,
		       const char *(*get)(const struct nvmem_device *, size_t),
		       const struct nvmem_device *dev)
{
	uint64_t hash = util_hash_str(UTIL_HASH_INIT, name);
	size_t pos;
	long i;

	for (i = util_index_first(ix, hash, &pos); i >= 0;
	     i = util_index_next(ix, &pos))
		if (!strcmp(get(dev, i), name))
			return i;
	return -1;
}

ssize_t nvmem_device_find_cell(const struct nvmem_device *dev,
			       const char *name)
{
	struct nvmem_dyn *d = dev->dyn;
	long i = index_find(&dev->cell_index, name, fixed_name, dev);

	if (i >= 0 || !d)
		return i >= 0 ? i : -ENOENT;
	pthread_mutex_lock(&d->lock);
	i = index_find(&d->index, name, dyn_name, dev);
	pthread_mutex_unlock(&d->lock);
	return i >= 0 ? (ssize_t)(NVMEM_CELL_DYN_BASE + i) : -ENOENT;
}

/* What every cell must be, fixed or dynamic. */
static int cell_check(const struct nvmem_device *dev,
		      const struct nvmem_cell *cell)
{
	size_t raw;

	if (!cell->name || !*cell->name || strchr(cell->name, '/') ||
	    cell->name[0] == '.')
		return -EINVAL;
	if (!cell->ops) {
		if (cell->bytes == 0 || cell->bit_offset > 7 ||
		    cell->nbits > 64 ||
		    (cell->nbits &&
		     cell->bytes != (cell->bit_offset + cell->nbits + 7) / 8))
			return -EINVAL;
		if (cell->offset > dev->size ||
		    cell->bytes > dev->size - cell->offset)
			return -ERANGE;
	}
	raw = cell->ops ? cell->ops->max_raw : cell_raw_size(cell);
	return format_check_size(cell->format, raw) < 0 ? -EINVAL : 0;
}

int nvmem_device_add_cell(struct nvmem_device *dev,
			  const struct nvmem_cell *cell)
{
	struct nvmem_cell *c;
	int ret;

	if (dev->state != NVMEM_NEW)
		return -EBUSY;
	ret = cell_check(dev, cell);
	if (ret < 0)
		return ret;
	if (nvmem_device_find_cell(dev, cell->name) >= 0)
		return -EEXIST;
	if (dev->ncells >= NVMEM_CELL_DYN_BASE)	/* fits the inode layout */
		return -ENOSPC;

	if (dev->ncells == dev->cells_cap) {
		size_t cap = dev->cells_cap ? dev->cells_cap * 2 : 8;

		c = realloc(dev->cells, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		dev->cells = c;
		dev->cells_cap = cap;
	}
	if (!util_index_room(&dev->cell_index, dev->ncells)) {
		ret = cell_index_grow(&dev->cell_index, dev->ncells, fixed_name,
				      dev);
		if (ret)
			return ret;
	}

	c = &dev->cells[dev->ncells];
	*c = *cell;
	c->name = strpool_dup(&dev->cell_names, cell->name);
	if (!c->name)
		return -ENOMEM;
	util_index_add(&dev->cell_index, util_hash_str(UTIL_HASH_INIT, c->name),
		       dev->ncells++);
	return 0;
}

void nvmem_device_cells_settle(struct nvmem_device *dev)
{
	struct util_index ix;
	struct nvmem_cell *c;
	size_t i;

	if (!dev->ncells)
		return;
	if (dev->cells_cap > dev->ncells) {
		c = realloc(dev->cells, dev->ncells * sizeof(*c));
		if (c) {
			dev->cells = c;
			dev->cells_cap = dev->ncells;
		}
	}
	/* Growth sized the index for twice as many cells as it holds. */
	if (util_index_init(&ix, dev->ncells) < 0 ||
	    ix.mask >= dev->cell_index.mask) {
		util_index_free(&ix);
		return;
	}
	for (i = 0; i < dev->ncells; i++)
		util_index_add(&ix, util_hash_str(UTIL_HASH_INIT,
						  dev->cells[i].name), i);
	util_index_free(&dev->cell_index);
	dev->cell_index = ix;
}

ssize_t nvmem_device_add_dyn_cell(struct nvmem_device *dev,
				  const struct nvmem_cell *cell)
{
	struct nvmem_dyn *d = dev->dyn;
	struct nvmem_dyn_cell *seg, *slot;
	size_t k, v;
	unsigned int s;
	int ret;

	if (!d || !cell->ops)
		return -EINVAL;
	ret = cell_check(dev, cell);
	if (ret < 0)
		return ret;
	/* Fixed cells no longer change here (registered, or this thread
	 * is the one building the device); dynamic names under the lock. */
	if (index_find(&dev->cell_index, cell->name, fixed_name, dev) >= 0)
		return -EEXIST;
	pthread_mutex_lock(&d->lock);
	k = atomic_load_explicit(&d->count, memory_order_relaxed);
	if (index_find(&d->index, cell->name, dyn_name, dev) >= 0)
		ret = -EEXIST;
	else if (k >= DYN_MAX)
		ret = -ENOSPC;
	if (ret < 0)
		goto out;
	v = k + DYN_SEG0;
	s = (63 - __builtin_clzll(v)) - DYN_SEG0_SHIFT;
	seg = atomic_load_explicit(&d->seg[s], memory_order_relaxed);
	if (!seg) {
		seg = calloc((size_t)DYN_SEG0 << s, sizeof(*seg));
		if (!seg) {
			ret = -ENOMEM;
			goto out;
		}
		atomic_store_explicit(&d->seg[s], seg, memory_order_release);
	}
	if (!util_index_room(&d->index, k)) {
		ret = cell_index_grow(&d->index, k, dyn_name, dev);
		if (ret)
			goto out;
	}
	slot = &seg[v - ((size_t)DYN_SEG0 << s)];
	slot->cell = *cell;
	slot->cell.name = strdup(cell->name);
	if (!slot->cell.name) {
		ret = -ENOMEM;
		goto out;
	}
	util_index_add(&d->index, util_hash_str(UTIL_HASH_INIT,
						slot->cell.name), k);
	atomic_store_explicit(&d->count, k + 1, memory_order_release);
	ret = 0;
out:
	pthread_mutex_unlock(&d->lock);
	return ret < 0 ? ret : (ssize_t)(NVMEM_CELL_DYN_BASE + k);
}

size_t nvmem_device_cell_count(const struct nvmem_device *dev)
{
	return dev->ncells;
}

const struct nvmem_cell *nvmem_device_cell(const struct nvmem_device *dev,
					   size_t index)
{
	struct nvmem_dyn_cell *c;

	if (index < dev->ncells)
		return &dev->cells[index];
	c = dyn_cell(dev, index);
	return c ? &c->cell : NULL;
}

bool nvmem_device_cell_present(const struct nvmem_device *dev, size_t index)
{
	struct nvmem_dyn_cell *c = dyn_cell(dev, index);

	if (!c)
		return index < dev->ncells;
	return atomic_load_explicit(&c->seen, memory_order_acquire) >=
	       atomic_load_explicit(&dev->dyn->gen, memory_order_acquire);
}

ssize_t nvmem_device_cell_next(const struct nvmem_device *dev, size_t index)
{
	size_t n;

	if (index < dev->ncells)
		return index;
	if (!dev->dyn)
		return -ENOENT;
	if (index < NVMEM_CELL_DYN_BASE)
		index = NVMEM_CELL_DYN_BASE;
	n = NVMEM_CELL_DYN_BASE +
	    atomic_load_explicit(&dev->dyn->count, memory_order_acquire);
	for (; index < n; index++)
		if (nvmem_device_cell_present(dev, index))
			return index;
	return -ENOENT;
}

/* The written time of cell @index: fixed cells in device_io.c's array,
 * dynamic ones beside the cell. NULL: none kept. */
_Atomic uint64_t *nvmem_device_cell_time(const struct nvmem_device *dev,
					 size_t index)
{
	struct nvmem_dyn_cell *c = dyn_cell(dev, index);

	if (c)
		return &c->written_ns;
	if (dev->cell_written_ns && index < dev->ncells)
		return &dev->cell_written_ns[index];
	return NULL;
}

ssize_t nvmem_device_cell_index(const struct nvmem_device *dev,
				const struct nvmem_cell *cell)
{
	ssize_t i;

	if (dev->ncells && cell >= dev->cells && cell < dev->cells + dev->ncells)
		return cell - dev->cells;
	/* By name, but only the very cell: a layout's file may share its
	 * name with a variable. */
	i = dev->dyn ? nvmem_device_find_cell(dev, cell->name) : -ENOENT;
	return i >= 0 && nvmem_device_cell(dev, i) == cell ? i : -ENOENT;
}

uint64_t nvmem_device_sync_begin(struct nvmem_device *dev)
{
	return dev->dyn ? atomic_load(&dev->dyn->gen) + 1 : 0;
}

void nvmem_device_sync_mark(struct nvmem_device *dev, size_t index,
			    uint64_t sync)
{
	struct nvmem_dyn_cell *c = dyn_cell(dev, index);

	if (c)
		atomic_store_explicit(&c->seen, sync, memory_order_release);
}

void nvmem_device_sync_end(struct nvmem_device *dev, uint64_t sync)
{
	if (dev->dyn)
		atomic_store_explicit(&dev->dyn->gen, sync, memory_order_release);
}

int nvmem_device_set_layout(struct nvmem_device *dev,
			    const struct nvmem_layout_ops *ops, void *priv,
			    void (*priv_free)(void *priv))
{
	struct nvmem_dyn *d;

	if (dev->state != NVMEM_NEW || dev->dyn)
		return -EBUSY;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	atomic_init(&d->gen, 1);	/* a new cell (seen 0) is hidden */
	dev->dyn = d;
	dev->layout_ops = ops;
	dev->layout_priv = priv;
	dev->layout_free = priv_free;
	return 0;
}

int nvmem_device_sync(struct nvmem_device *dev)
{
	if (!dev->layout_ops || !dev->layout_ops->sync)
		return 0;
	return dev->layout_ops->sync(dev, dev->layout_priv);
}

ssize_t nvmem_device_create_cell(struct nvmem_device *dev, const char *name)
{
	if (!dev->layout_ops || !dev->layout_ops->create)
		return -EPERM;
	return dev->layout_ops->create(dev, dev->layout_priv, name);
}

int nvmem_device_remove_cell(struct nvmem_device *dev, size_t index)
{
	const struct nvmem_cell *cell = nvmem_device_cell(dev, index);

	if (!cell)
		return -ENOENT;
	if (index < NVMEM_CELL_DYN_BASE || !dev->layout_ops ||
	    !dev->layout_ops->remove)
		return -EPERM;
	return dev->layout_ops->remove(dev, dev->layout_priv, cell);
}

const struct nvmem_cell *nvmem_device_layout_file(const struct nvmem_device *dev)
{
	if (!dev->layout_ops || !dev->layout_ops->file)
		return NULL;
	/* The op may not change the device: const for the callers. */
	return dev->layout_ops->file((struct nvmem_device *)dev,
				     dev->layout_priv);
}

bool nvmem_device_cells_editable(const struct nvmem_device *dev)
{
	return dev->layout_ops && dev->layout_ops->create && !dev->read_only;
}

void nvmem_device_cells_free(struct nvmem_device *dev)
{
	struct nvmem_dyn *d = dev->dyn;
	size_t i, n;
	unsigned int s;

	for (i = 0; i < dev->ncells; i++)
		nvmem_cell_release(&dev->cells[i], false);
	free(dev->cells);
	strpool_free(&dev->cell_names);
	util_index_free(&dev->cell_index);
	if (!d)
		goto layout;
	n = atomic_load(&d->count);
	for (i = 0; i < n; i++)
		nvmem_cell_release(&dyn_slot(d, i)->cell, true);
	for (s = 0; s < DYN_SEGS; s++)
		free(atomic_load(&d->seg[s]));
	util_index_free(&d->index);
	pthread_mutex_destroy(&d->lock);
	free(d);
layout:
	if (dev->layout_free)
		dev->layout_free(dev->layout_priv);
}
