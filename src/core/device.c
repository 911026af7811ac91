// SPDX-License-Identifier: MIT
/*
 * struct nvmem_device: the consumer-visible device and its link to the
 * provider-owned part. See nvmem.h for the model; the rules per field are
 * below.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/cache.h"
#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"
#include "core/registry.h"
#include "core/srcu.h"

/*
 * The provider-owned part. Allocated when the device is created, reached
 * only through dev->impl inside an SRCU read section of dev->srcu, freed
 * (after ops->destroy) only once a grace period has passed since dev->impl
 * was cleared.
 */
struct nvmem_impl {
	const struct nvmem_provider_ops *ops;
	void *priv;
};

enum nvmem_state {
	NVMEM_NEW,		/* created, not yet in the registry */
	NVMEM_REGISTERED,
	NVMEM_DEAD,		/* unregistration began; never registered again */
};

/*
 * Lifetime: freed when @refs drops to zero. The registry holds one
 * reference while the device is registered, each open FUSE handle one,
 * each in-progress lookup one. Everything in the "fixed" block is written
 * before registration only and read without locks afterwards (the
 * registry's publication orders those writes before any lookup).
 */
struct nvmem_device {
	/* fixed */
	char *name;
	char *backing;
	uint64_t size;
	enum nvmem_type type;
	bool read_only;
	uint32_t read_chunk;
	uint32_t write_chunk;
	struct nvmem_cell *cells;
	size_t ncells, cells_cap;
	/* NULL: not cached. Has its own lock; dropped at unregistration,
	 * freed with the device. */
	struct nvmem_cache *cache;
	/* Open-addressing index into @cells (index + 1; 0 = empty slot), so
	 * a lookup costs the same with 10 cells or 10,000. */
	uint32_t *cell_hash;
	size_t cell_hash_size;	/* power of two, > 2 * ncells */
	/* The backing's mode, owner and group, and what the configuration
	 * sets instead (perm.h); nvmem_device_perm() combines them. */
	struct nvmem_perm perm;
	struct perm_override perm_override;
	/* written once by nvmem_device_register(), before publication */
	uint64_t id;
	uint64_t registered_ns;	/* CLOCK_REALTIME, every file's first time */

	/* Last write through nvmemfs (CLOCK_REALTIME ns, 0: none) of the
	 * whole device and of each cell (an array of ncells, allocated by
	 * nvmem_device_register()). Relaxed atomics: a time shown a moment
	 * late is harmless, a torn one is not. */
	_Atomic uint64_t written_ns;
	_Atomic uint64_t *cell_written_ns;

	struct util_ref refs;
	/* False from the first step of unregistration on; lets a read that
	 * raced with the unplug report ENODEV even if its bytes arrived. */
	atomic_bool alive;

	/* SRCU-protected: loaded with seq_cst inside srcu_read_lock(srcu),
	 * cleared once by unregister before synchronize (see srcu.c for the
	 * ordering argument). */
	_Atomic(struct nvmem_impl *) impl;
	struct srcu_domain *srcu;

	/* Serialises writes, read-modify-write sequences and cell reads
	 * (a cell is one snapshot); held across provider calls, so it may
	 * be held for a page write cycle. Never taken inside an SRCU read
	 * section, never held by unregistration. */
	pthread_mutex_t write_lock;

	/* Serialises register/unregister; guards @state. */
	pthread_mutex_t state_lock;
	enum nvmem_state state;
	atomic_bool gone_reported;
};

struct nvmem_device *nvmem_device_new(const char *name,
				      const struct nvmem_provider_ops *ops,
				      void *priv,
				      const struct nvmem_provider_info *info)
{
	struct nvmem_device *dev;
	struct nvmem_impl *impl;

	if (!name || !*name || !ops || !ops->read || !ops->destroy || !info) {
		errno = EINVAL;
		return NULL;
	}

	dev = calloc(1, sizeof(*dev));
	impl = calloc(1, sizeof(*impl));
	if (!dev || !impl)
		goto err_free;
	dev->name = strdup(name);
	if (!dev->name)
		goto err_free;
	dev->srcu = srcu_domain_new();
	if (!dev->srcu)
		goto err_free;

	impl->ops = ops;
	impl->priv = priv;
	dev->size = info->size;
	dev->type = info->type;
	dev->read_only = info->read_only || !ops->write;
	dev->read_chunk = info->read_chunk ? info->read_chunk : 4096;
	dev->write_chunk = info->write_chunk ? info->write_chunk : 4096;
	dev->perm = info->perm;
	util_ref_init(&dev->refs);
	atomic_init(&dev->alive, true);
	atomic_init(&dev->impl, impl);
	atomic_init(&dev->gone_reported, false);
	pthread_mutex_init(&dev->write_lock, NULL);
	pthread_mutex_init(&dev->state_lock, NULL);
	dev->state = NVMEM_NEW;
	return dev;

err_free:
	if (dev) {
		srcu_domain_free(dev->srcu);
		free(dev->name);
	}
	free(dev);
	free(impl);
	errno = ENOMEM;
	return NULL;
}

int nvmem_device_set_backing(struct nvmem_device *dev, const char *backing)
{
	char *copy = strdup(backing);

	if (!copy)
		return -ENOMEM;
	free(dev->backing);
	dev->backing = copy;
	return 0;
}

const char *nvmem_device_backing(const struct nvmem_device *dev)
{
	return dev->backing ? dev->backing : "-";
}

void nvmem_device_set_read_only(struct nvmem_device *dev, bool ro)
{
	/* A provider without write support stays read-only whatever the
	 * configuration says. */
	if (ro)
		dev->read_only = true;
	else
		dev->read_only = !atomic_load(&dev->impl)->ops->write;
}

int nvmem_device_set_cache(struct nvmem_device *dev, bool on)
{
	if (!on) {
		nvmem_cache_free(dev->cache);
		dev->cache = NULL;
		return 0;
	}
	if (!dev->cache && dev->size)
		dev->cache = nvmem_cache_new(dev->size);
	return dev->cache || !dev->size ? 0 : -ENOMEM;
}

bool nvmem_device_cached(const struct nvmem_device *dev)
{
	return dev->cache;
}

void nvmem_device_set_type(struct nvmem_device *dev, enum nvmem_type type)
{
	dev->type = type;
}

void nvmem_device_set_perm(struct nvmem_device *dev,
			   const struct perm_override *o)
{
	dev->perm_override = *o;
}

struct nvmem_perm nvmem_device_perm(const struct nvmem_device *dev)
{
	return perm_device(&dev->perm, &dev->perm_override, dev->read_only);
}

static uint64_t nvmem_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t nvmem_device_registered_ns(const struct nvmem_device *dev)
{
	return dev->registered_ns;
}

static uint64_t nvmem_time_or_registered(const struct nvmem_device *dev,
					 const _Atomic uint64_t *t)
{
	uint64_t ns = atomic_load_explicit(t, memory_order_relaxed);

	return ns ? ns : dev->registered_ns;
}

uint64_t nvmem_device_written_ns(const struct nvmem_device *dev)
{
	return nvmem_time_or_registered(dev, &dev->written_ns);
}

uint64_t nvmem_device_cell_written_ns(const struct nvmem_device *dev,
				      size_t index)
{
	if (!dev->cell_written_ns || index >= dev->ncells)
		return dev->registered_ns;
	return nvmem_time_or_registered(dev, &dev->cell_written_ns[index]);
}

void nvmem_device_cell_touch(struct nvmem_device *dev,
			     const struct nvmem_cell *cell)
{
	size_t i = cell - dev->cells;

	if (dev->cell_written_ns && i < dev->ncells)
		atomic_store_explicit(&dev->cell_written_ns[i], nvmem_now_ns(),
				      memory_order_relaxed);
}

/* A write of [@off, @off + @len) landed: the device and every fixed cell
 * whose bytes it covered changed. Cells of a layout are touched by the
 * cell write that changed them (cell.c). */
static void nvmem_device_touch(struct nvmem_device *dev, uint64_t off,
			       size_t len)
{
	uint64_t now = nvmem_now_ns();
	size_t i;

	atomic_store_explicit(&dev->written_ns, now, memory_order_relaxed);
	if (!dev->cell_written_ns)
		return;
	for (i = 0; i < dev->ncells; i++) {
		const struct nvmem_cell *c = &dev->cells[i];

		if (!c->ops && c->offset < off + len && off < c->offset + c->bytes)
			atomic_store_explicit(&dev->cell_written_ns[i], now,
					      memory_order_relaxed);
	}
}

static void nvmem_cell_release(struct nvmem_cell *cell)
{
	free(cell->name);
	if (cell->priv_free)
		cell->priv_free(cell->priv);
}

static int nvmem_cell_hash_grow(struct nvmem_device *dev)
{
	size_t size = dev->cell_hash_size ? dev->cell_hash_size * 2 : 16;
	uint32_t *table;
	size_t i;

	table = calloc(size, sizeof(*table));
	if (!table)
		return -ENOMEM;
	for (i = 0; i < dev->ncells; i++) {
		size_t h = util_hash_str(UTIL_HASH_INIT, dev->cells[i].name) & (size - 1);

		while (table[h])
			h = (h + 1) & (size - 1);
		table[h] = i + 1;
	}
	free(dev->cell_hash);
	dev->cell_hash = table;
	dev->cell_hash_size = size;
	return 0;
}

ssize_t nvmem_device_find_cell(const struct nvmem_device *dev,
			       const char *name)
{
	size_t h, mask = dev->cell_hash_size - 1;

	if (!dev->cell_hash_size)
		return -ENOENT;
	for (h = util_hash_str(UTIL_HASH_INIT, name) & mask; dev->cell_hash[h];
	     h = (h + 1) & mask) {
		size_t i = dev->cell_hash[h] - 1;

		if (!strcmp(dev->cells[i].name, name))
			return i;
	}
	return -ENOENT;
}

int nvmem_device_add_cell(struct nvmem_device *dev,
			  const struct nvmem_cell *cell)
{
	struct nvmem_cell *c;
	size_t raw, h;
	int ret;

	if (dev->state != NVMEM_NEW)
		return -EBUSY;
	if (!cell->name || !*cell->name || strchr(cell->name, '/') ||
	    cell->name[0] == '.')
		return -EINVAL;
	if (nvmem_device_find_cell(dev, cell->name) >= 0)
		return -EEXIST;
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
	if (format_check_size(cell->format, raw) < 0)
		return -EINVAL;
	if (dev->ncells >= (1u << 20) - 8)	/* fits the inode layout */
		return -ENOSPC;

	if (dev->ncells == dev->cells_cap) {
		size_t cap = dev->cells_cap ? dev->cells_cap * 2 : 8;

		c = realloc(dev->cells, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		dev->cells = c;
		dev->cells_cap = cap;
	}
	if ((dev->ncells + 1) * 2 > dev->cell_hash_size) {
		ret = nvmem_cell_hash_grow(dev);
		if (ret)
			return ret;
	}

	c = &dev->cells[dev->ncells];
	*c = *cell;
	c->name = strdup(cell->name);
	if (!c->name)
		return -ENOMEM;
	h = util_hash_str(UTIL_HASH_INIT, c->name) & (dev->cell_hash_size - 1);
	while (dev->cell_hash[h])
		h = (h + 1) & (dev->cell_hash_size - 1);
	dev->cell_hash[h] = ++dev->ncells;
	return 0;
}

struct nvmem_device *nvmem_device_get(struct nvmem_device *dev)
{
	util_ref_get(&dev->refs);
	return dev;
}

/*
 * The refcount is a C11 atomic rather than liburcu's urcu_ref: the final
 * put must order every earlier user's accesses before the free, and
 * ThreadSanitizer only sees that ordering through C11 atomics.
 */
void nvmem_device_put(struct nvmem_device *dev)
{
	struct nvmem_impl *impl;
	size_t i;

	if (!dev)
		return;
	if (!util_ref_put(&dev->refs))
		return;

	/* Never registered (or registration failed): nobody can be inside
	 * the SRCU domain without a reference, so destroy right away. */
	impl = atomic_exchange(&dev->impl, NULL);
	if (impl) {
		impl->ops->destroy(impl->priv);
		free(impl);
	}
	for (i = 0; i < dev->ncells; i++)
		nvmem_cell_release(&dev->cells[i]);
	free(dev->cells);
	free(dev->cell_hash);
	free(dev->cell_written_ns);
	nvmem_cache_free(dev->cache);
	srcu_domain_free(dev->srcu);
	pthread_mutex_destroy(&dev->write_lock);
	pthread_mutex_destroy(&dev->state_lock);
	free(dev->backing);
	free(dev->name);
	free(dev);
}

const char *nvmem_device_name(const struct nvmem_device *dev)
{
	return dev->name;
}

uint64_t nvmem_device_size(const struct nvmem_device *dev)
{
	return dev->size;
}

enum nvmem_type nvmem_device_type(const struct nvmem_device *dev)
{
	return dev->type;
}

bool nvmem_device_read_only(const struct nvmem_device *dev)
{
	return dev->read_only;
}

uint64_t nvmem_device_id(const struct nvmem_device *dev)
{
	return dev->id;
}

bool nvmem_device_alive(const struct nvmem_device *dev)
{
	return atomic_load(&dev->alive);
}

size_t nvmem_device_cell_count(const struct nvmem_device *dev)
{
	return dev->ncells;
}

const struct nvmem_cell *nvmem_device_cell(const struct nvmem_device *dev,
					   size_t index)
{
	return index < dev->ncells ? &dev->cells[index] : NULL;
}

/*
 * Map a provider error. Once the device is dying, whatever the provider
 * said (EIO from a half-removed adapter, the ENODEV of its cancel, ...)
 * is reported as ENODEV, and nothing more: unregistration has begun. A
 * provider that says its hardware is gone starts the unregistration.
 */
static ssize_t nvmem_device_error(struct nvmem_device *dev, ssize_t err)
{
	if (!atomic_load(&dev->alive))
		return -ENODEV;
	if (provider_errno_gone(-err)) {
		nvmem_device_report_gone(dev);
		return -ENODEV;
	}
	return err;
}

/*
 * One provider call inside its own SRCU read section. @write selects the
 * op; a read goes into @buf, or with @pipe_fd >= 0 is spliced into that
 * pipe (-EOPNOTSUPP, passed through, when the provider cannot). Returns
 * bytes transferred (> 0) or -errno.
 */
static ssize_t nvmem_device_io(struct nvmem_device *dev, bool write,
			       uint64_t off, void *buf, int pipe_fd,
			       size_t len)
{
	struct nvmem_impl *impl;
	ssize_t ret;
	int idx;

	idx = srcu_read_lock(dev->srcu);
	impl = atomic_load(&dev->impl);
	/* A read stops at the first chunk after unregistration began, not
	 * only once the provider is cut: fs.c waits for in-flight reads of
	 * page-cached cells before the provider is cancelled. */
	if (!impl || (!write && !atomic_load(&dev->alive))) {
		ret = -ENODEV;
	} else if (write) {
		ret = impl->ops->write(impl->priv, off, buf, len);
	} else if (pipe_fd < 0) {
		ret = impl->ops->read(impl->priv, off, buf, len);
	} else if (!impl->ops->splice_read) {
		ret = -EOPNOTSUPP;
	} else {
		ret = impl->ops->splice_read(impl->priv, off, pipe_fd, len);
	}
	srcu_read_unlock(dev->srcu, idx);

	if (ret == 0)	/* inside the bounds a provider must make progress */
		ret = -EIO;
	if (ret == -EOPNOTSUPP && pipe_fd >= 0)
		return ret;	/* the caller reads instead */
	return ret < 0 ? nvmem_device_error(dev, ret) : ret;
}

/* Read [@off, @off + @n) from the provider, whole. */
static ssize_t nvmem_device_read_all(struct nvmem_device *dev, uint64_t off,
				     uint8_t *buf, size_t n)
{
	size_t done = 0;
	ssize_t ret;

	while (done < n) {
		ret = nvmem_device_io(dev, false, off + done, buf + done, -1,
				      n - done);
		if (ret < 0)
			return ret;
		done += ret;
	}
	return done;
}

/*
 * Through the cache: in pieces of whole cache blocks, at most a read
 * chunk each; a piece not wholly cached is read from the provider, whole,
 * and stored unless a write overlapped it. Returns @len or -errno.
 */
static ssize_t nvmem_device_read_cached(struct nvmem_device *dev,
					uint64_t off, void *buf, size_t len)
{
	uint32_t bs = nvmem_cache_block(dev->cache);
	size_t chunk = dev->read_chunk - dev->read_chunk % bs;
	/* The read's end, rounded up to a whole block. */
	uint64_t want_end = off + len + (bs - (off + len) % bs) % bs;
	uint8_t *tmp = NULL;
	size_t done = 0;
	ssize_t ret;

	if (nvmem_cache_read(dev->cache, off, buf, len))
		return len;	/* the common case: a cell read again */
	if (chunk < bs)
		chunk = bs;
	/* No bigger than the blocks this read touches: a chunk can be a
	 * megabyte (a regular file's), a cell is a few bytes. */
	if (want_end - (off - off % bs) < chunk)
		chunk = want_end - (off - off % bs);
	tmp = malloc(chunk);
	if (!tmp)
		return 0;	/* the caller reads uncached */
	while (done < len) {
		uint64_t pos = off + done, start = pos - pos % bs;
		uint64_t end = start + chunk;
		size_t n;
		uint64_t gen;

		if (end > want_end)
			end = want_end;
		if (end > dev->size)
			end = dev->size;
		n = (end < off + len ? end : off + len) - pos;
		if (!nvmem_cache_read(dev->cache, pos, (char *)buf + done, n)) {
			gen = nvmem_cache_begin(dev->cache);
			ret = nvmem_device_read_all(dev, start, tmp, end - start);
			if (ret < 0) {
				free(tmp);
				return ret;
			}
			nvmem_cache_fill(dev->cache, gen, start, tmp,
					 end - start);
			memcpy((char *)buf + done, tmp + (pos - start), n);
		}
		done += n;
	}
	free(tmp);
	return done;
}

/*
 * nvmem_device_read() into @buf, or nvmem_device_splice() into the pipe
 * @pipe_fd when it is >= 0: the same bounds, chunks and unplug rule.
 */
static ssize_t nvmem_device_read_into(struct nvmem_device *dev, uint64_t off,
				      void *buf, int pipe_fd, size_t len)
{
	size_t done = 0;
	ssize_t ret;

	if (!atomic_load(&dev->alive))
		return -ENODEV;
	/* A cached device answers from memory: nothing to splice from. */
	if (pipe_fd >= 0 && dev->cache)
		return -EOPNOTSUPP;
	if (off >= dev->size || len == 0)
		return 0;
	if (len > dev->size - off)
		len = dev->size - off;
	if (dev->cache) {
		ret = nvmem_device_read_cached(dev, off, buf, len);
		if (ret < 0)
			return ret;
		done = ret;
	}

	while (done < len) {
		size_t n = len - done;

		if (n > dev->read_chunk)
			n = dev->read_chunk;
		ret = nvmem_device_io(dev, false, off + done,
				      buf ? (char *)buf + done : NULL, pipe_fd,
				      n);
		if (ret == -EOPNOTSUPP && pipe_fd >= 0 && done)
			break;	/* a short splice; the rest comes next time */
		if (ret < 0)
			return ret;
		done += ret;
	}
	/* The bytes are right, but the promise is that a read in flight at
	 * the moment of an unplug fails: a caller must never conclude that
	 * a device it just lost is still answering. */
	if (!atomic_load(&dev->alive))
		return -ENODEV;
	return done;
}

ssize_t nvmem_device_read(struct nvmem_device *dev, uint64_t off, void *buf,
			  size_t len)
{
	return nvmem_device_read_into(dev, off, buf, -1, len);
}

ssize_t nvmem_device_splice(struct nvmem_device *dev, uint64_t off,
			    size_t len, int pipe_fd)
{
	return nvmem_device_read_into(dev, off, NULL, pipe_fd, len);
}

static ssize_t nvmem_device_write_chunks(struct nvmem_device *dev,
					 uint64_t off, const void *buf,
					 size_t len);

ssize_t nvmem_device_write_locked(struct nvmem_device *dev, uint64_t off,
				  const void *buf, size_t len)
{
	ssize_t ret;

	if (!atomic_load(&dev->alive))
		return -ENODEV;
	if (dev->read_only)
		return -EROFS;
	if (len == 0)
		return 0;
	if (off >= dev->size)
		return -ENOSPC;
	if (len > dev->size - off)
		len = dev->size - off;

	/* Before: no read that overlaps the write stores what it read.
	 * After (below): nothing read meanwhile survives. */
	if (dev->cache)
		nvmem_cache_invalidate(dev->cache, off, len);
	ret = nvmem_device_write_chunks(dev, off, buf, len);
	if (dev->cache)
		nvmem_cache_invalidate(dev->cache, off, len);
	if (ret > 0)
		nvmem_device_touch(dev, off, ret);
	return ret;
}

static ssize_t nvmem_device_write_chunks(struct nvmem_device *dev,
					 uint64_t off, const void *buf,
					 size_t len)
{
	size_t done = 0;
	ssize_t ret;

	while (done < len) {
		uint64_t pos = off + done;
		size_t n = dev->write_chunk - pos % dev->write_chunk;

		if (n > len - done)
			n = len - done;
		ret = nvmem_device_io(dev, true, pos, (char *)buf + done, -1,
				      n);
		if (ret < 0) {
			if (done)
				log_warn("%s: write failed after %zu of %zu bytes at 0x%llx were committed",
					 dev->name, done, len,
					 (unsigned long long)off);
			return ret;
		}
		done += ret;
	}
	return done;
}

ssize_t nvmem_device_write(struct nvmem_device *dev, uint64_t off,
			   const void *buf, size_t len)
{
	ssize_t ret;

	nvmem_device_write_lock(dev);
	ret = nvmem_device_write_locked(dev, off, buf, len);
	nvmem_device_write_unlock(dev);
	return ret;
}

void nvmem_device_write_lock(struct nvmem_device *dev)
{
	pthread_mutex_lock(&dev->write_lock);
}

void nvmem_device_write_unlock(struct nvmem_device *dev)
{
	pthread_mutex_unlock(&dev->write_lock);
}

int nvmem_device_register(struct nvmem_device *dev)
{
	int ret;

	pthread_mutex_lock(&dev->state_lock);
	if (dev->state != NVMEM_NEW) {
		ret = -EINVAL;
		goto out;
	}
	/* Gone before it was served (unplugged while the layout was read):
	 * its gone worker found it unregistered and did nothing, so
	 * registering now would leave a directory that is never removed.
	 * report_gone() clears @alive before it starts the worker. */
	if (!atomic_load(&dev->alive)) {
		ret = -ENODEV;
		goto out;
	}
	/* Cells are fixed from here on: give back the slack of the
	 * doubling growth, which thousands of cells would keep for good. */
	if (dev->cells_cap > dev->ncells && dev->ncells) {
		struct nvmem_cell *c = realloc(dev->cells,
					       dev->ncells * sizeof(*c));

		if (c) {
			dev->cells = c;
			dev->cells_cap = dev->ncells;
		}
	}
	if (dev->ncells && !dev->cell_written_ns) {
		dev->cell_written_ns = calloc(dev->ncells,
					      sizeof(*dev->cell_written_ns));
		if (!dev->cell_written_ns) {
			ret = -ENOMEM;
			goto out;
		}
	}
	dev->registered_ns = nvmem_now_ns();
	dev->id = registry_next_id();
	nvmem_device_get(dev);		/* the registry's */
	ret = registry_add(dev, dev->name, dev->id, &dev->refs);
	if (ret < 0) {
		nvmem_device_put(dev);
		goto out;
	}
	dev->state = NVMEM_REGISTERED;
	log_info("%s: registered (backing %s, %llu bytes, %zu cells%s)",
		 dev->name, nvmem_device_backing(dev),
		 (unsigned long long)dev->size, dev->ncells,
		 dev->cache ? ", cached" : "");
out:
	pthread_mutex_unlock(&dev->state_lock);
	return ret;
}

void nvmem_device_unregister(struct nvmem_device *dev)
{
	struct nvmem_impl *impl;
	long handles;

	pthread_mutex_lock(&dev->state_lock);
	if (dev->state != NVMEM_REGISTERED) {
		pthread_mutex_unlock(&dev->state_lock);
		return;
	}
	dev->state = NVMEM_DEAD;
	atomic_store(&dev->alive, false);
	/* Nothing the device said may outlive it. */
	if (dev->cache)
		nvmem_cache_drop(dev->cache);

	/* 1. no new lookups; 2. the listeners (FUSE) drop their entries. */
	if (registry_remove(dev, dev->id) < 0) {
		pthread_mutex_unlock(&dev->state_lock);
		return;
	}
	/* 3. no new provider calls, and the blocked ones give up. */
	impl = atomic_exchange(&dev->impl, NULL);
	if (impl->ops->cancel)
		impl->ops->cancel(impl->priv);
	/* 4. wait for the calls already inside this device only. */
	srcu_synchronize(dev->srcu);
	/* 5. nobody can reach the provider data any more. */
	impl->ops->destroy(impl->priv);
	free(impl);
	pthread_mutex_unlock(&dev->state_lock);

	/* Ours plus the registry's that registry_remove() handed over. */
	handles = util_ref_read(&dev->refs) - 2;
	log_info("%s: unregistered (backing %s, %ld reference%s still held)",
		 dev->name, nvmem_device_backing(dev), handles,
		 handles == 1 ? "" : "s");
	/* 6. the registry's reference. */
	nvmem_device_put(dev);
}

/* Unregistration started by a provider error runs on its own thread: the
 * reporting thread may be a FUSE worker that must not wait for the FUSE
 * layer's invalidations. nvmem_device_drain_gone() waits for them. */
static atomic_int nvmem_gone_workers;

static void *nvmem_gone_worker(void *arg)
{
	struct nvmem_device *dev = arg;

	log_warn("%s: provider reports the hardware gone", dev->name);
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
	atomic_fetch_sub(&nvmem_gone_workers, 1);
	return NULL;
}

void nvmem_device_report_gone(struct nvmem_device *dev)
{
	pthread_attr_t attr;
	pthread_t thread;

	if (atomic_exchange(&dev->gone_reported, true))
		return;
	atomic_store(&dev->alive, false);	/* fail fast from now on */
	nvmem_device_get(dev);
	atomic_fetch_add(&nvmem_gone_workers, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, nvmem_gone_worker, dev)) {
		/* No thread: the next udev remove (or exit) cleans up. */
		atomic_fetch_sub(&nvmem_gone_workers, 1);
		nvmem_device_put(dev);
	}
	pthread_attr_destroy(&attr);
}

void nvmem_device_drain_gone(void)
{
	struct timespec ts = { 0, 1000 * 1000 };

	while (atomic_load(&nvmem_gone_workers))
		nanosleep(&ts, NULL);
}

int nvmem_core_init(void)
{
	return registry_init();
}

/*
 * The teardown order at exit, in one place: first the unregistrations
 * that providers started (their threads hold devices), then every device
 * still registered, each in the order of nvmem_device_unregister(), and
 * only then the registry itself.
 */
void nvmem_core_exit(void)
{
	struct registry_item *items;
	size_t i, count;

	nvmem_device_drain_gone();
	registry_list(&items, &count);
	for (i = 0; i < count; i++) {
		nvmem_device_unregister(items[i].dev);
		nvmem_device_put(items[i].dev);
	}
	free(items);
	registry_exit();
}
