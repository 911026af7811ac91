// SPDX-License-Identifier: MIT
/*
 * The device's data path, as the kernel's __nvmem_reg_read() and
 * __nvmem_reg_write() have it: every provider call is one chunk inside
 * one SRCU read section of the device (nvmem_reg_read(),
 * nvmem_reg_write()), so an unplug waits for at most one chunk; around
 * them, bounds, the cache, splicing, the content lock, and the times of
 * what a write changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "device_priv.h"

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
 * Enter @dev's SRCU read section: its provider, or NULL once it is gone.
 * A read also stops at the first chunk after unregistration began, not
 * only once the provider is cut: fs/notify.c waits for in-flight reads
 * of page-cached cells before the provider is cancelled.
 */
static struct nvmem_impl *nvmem_enter(struct nvmem_device *dev, bool write,
				      int *idx)
{
	struct nvmem_impl *impl;

	*idx = srcu_read_lock(dev->srcu);
	impl = atomic_load(&dev->impl);
	return !impl || (!write && !atomic_load(&dev->alive)) ? NULL : impl;
}

/* Leave the section and map what the provider said; a failure is
 * counted as the provider gave it (a device already gone is not). */
static ssize_t nvmem_exit(struct nvmem_device *dev, int idx, ssize_t ret)
{
	srcu_read_unlock(dev->srcu, idx);
	if (ret == 0)	/* inside the bounds a provider must make progress */
		ret = -EIO;
	if (ret < 0 && atomic_load(&dev->alive))
		nvmem_device_count_error(dev, -ret);
	return ret < 0 ? nvmem_device_error(dev, ret) : ret;
}

static void nvmem_count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* One chunk read into @buf, or with @pipe_fd >= 0 spliced into that pipe
 * (-EOPNOTSUPP, passed through, when the provider cannot). */
static ssize_t nvmem_reg_read(struct nvmem_device *dev, uint64_t off,
			      void *buf, int pipe_fd, size_t len)
{
	struct nvmem_impl *impl;
	ssize_t ret;
	int idx;

	impl = nvmem_enter(dev, false, &idx);
	if (!impl)
		ret = -ENODEV;
	else if (pipe_fd < 0)
		ret = impl->ops->read(impl->priv, off, buf, len);
	else if (!impl->ops->splice_read)
		ret = -EOPNOTSUPP;
	else
		ret = impl->ops->splice_read(impl->priv, off, pipe_fd, len);
	if (ret == -EOPNOTSUPP && pipe_fd >= 0) {
		srcu_read_unlock(dev->srcu, idx);
		return ret;	/* the caller reads instead */
	}
	return nvmem_exit(dev, idx, ret);
}

/* One chunk written; never crosses a multiple of write_chunk. */
static ssize_t nvmem_reg_write(struct nvmem_device *dev, uint64_t off,
			       const void *buf, size_t len)
{
	struct nvmem_impl *impl;
	ssize_t ret;
	int idx;

	impl = nvmem_enter(dev, true, &idx);
	ret = impl ? impl->ops->write(impl->priv, off, buf, len) : -ENODEV;
	return nvmem_exit(dev, idx, ret);
}

/* Read [@off, @off + @n) from the provider, whole. */
static ssize_t nvmem_device_read_all(struct nvmem_device *dev, uint64_t off,
				     uint8_t *buf, size_t n)
{
	size_t done = 0;
	ssize_t ret;

	while (done < n) {
		ret = nvmem_reg_read(dev, off + done, buf + done, -1, n - done);
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

	if (nvmem_cache_read(dev->cache, off, buf, len)) {
		nvmem_count(&dev->counters.cache_hits, 1);
		return len;	/* the common case: a cell read again */
	}
	nvmem_count(&dev->counters.cache_misses, 1);
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
static ssize_t nvmem_device_read_range(struct nvmem_device *dev,
				       uint64_t off, void *buf, int pipe_fd,
				       size_t len);

/* Counted once per request that reached the device: not a read at the
 * end (cat's last), nor a splice the device cannot do (the read that
 * replaces it is counted). */
static ssize_t nvmem_device_read_into(struct nvmem_device *dev, uint64_t off,
				      void *buf, int pipe_fd, size_t len)
{
	ssize_t ret = nvmem_device_read_range(dev, off, buf, pipe_fd, len);

	if (ret == 0 || ret == -EOPNOTSUPP)
		return ret;
	nvmem_count(&dev->counters.reads, 1);
	if (ret > 0)
		nvmem_count(&dev->counters.read_bytes, ret);
	return ret;
}

static ssize_t nvmem_device_read_range(struct nvmem_device *dev,
				       uint64_t off, void *buf, int pipe_fd,
				       size_t len)
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
		ret = nvmem_reg_read(dev, off + done,
				     buf ? (char *)buf + done : NULL, pipe_fd, n);
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
	nvmem_count(&dev->counters.writes, 1);
	if (ret > 0) {
		nvmem_count(&dev->counters.write_bytes, ret);
		nvmem_device_touch(dev, off, ret);
	}
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
		ret = nvmem_reg_write(dev, pos, (const char *)buf + done, n);
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

	nvmem_device_content_lock(dev);
	ret = nvmem_device_write_locked(dev, off, buf, len);
	nvmem_device_content_unlock(dev);
	return ret;
}

void nvmem_device_content_lock(struct nvmem_device *dev)
{
	pthread_mutex_lock(&dev->content_lock);
}

void nvmem_device_content_unlock(struct nvmem_device *dev)
{
	pthread_mutex_unlock(&dev->content_lock);
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
	_Atomic uint64_t *t = nvmem_device_cell_time(dev, index);

	return t ? nvmem_time_or_registered(dev, t) : dev->registered_ns;
}

void nvmem_device_cell_touch(struct nvmem_device *dev,
			     const struct nvmem_cell *cell)
{
	ssize_t i = nvmem_device_cell_index(dev, cell);
	_Atomic uint64_t *t = i < 0 ? NULL : nvmem_device_cell_time(dev, i);

	if (t)
		atomic_store_explicit(t, util_realtime_ns(),
				      memory_order_relaxed);
}

/* A write of [@off, @off + @len) landed: the device and every fixed cell
 * whose bytes it covered changed. Cells of a layout are touched by the
 * cell write that changed them (cell.c). */
void nvmem_device_touch(struct nvmem_device *dev, uint64_t off, size_t len)
{
	uint64_t now = util_realtime_ns();
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
