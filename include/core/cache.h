/* SPDX-License-Identifier: MIT */
/*
 * A device's read cache (configuration key "cache"): the bytes read from
 * the provider, kept in blocks so that a repeated read of a cell on a
 * slow bus (an AT24 at 100 kHz: about 1 ms a byte-row) costs a memcpy.
 *
 * Never stale: a fill is stored only if no write began since the read
 * that produced it started (a generation count, bumped before and after
 * every write), and the whole cache is dropped when the device is
 * unregistered. Memory is taken 4 KiB at a time, as blocks get read.
 *
 * Thread safety: every function may be called from any thread; one
 * mutex guards the blocks. None of them sleeps other than on that
 * mutex, and no provider call is made with it held.
 */
#ifndef NVMEMFS_CACHE_H
#define NVMEMFS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nvmem_cache;

/* A cache for @size bytes. NULL on allocation failure. */
struct nvmem_cache *nvmem_cache_new(uint64_t size);
void nvmem_cache_free(struct nvmem_cache *c);

/* Bytes per block: reads are filled in whole blocks. */
uint32_t nvmem_cache_block(const struct nvmem_cache *c);

/* Copy [@off, @off + @len) to @buf if every block of it is cached. */
bool nvmem_cache_read(struct nvmem_cache *c, uint64_t off, void *buf,
		      size_t len);
/* Is the block holding @off cached? */
bool nvmem_cache_has(struct nvmem_cache *c, uint64_t off);

/* Call before reading from the provider; pass the result to fill. */
uint64_t nvmem_cache_begin(struct nvmem_cache *c);
/* Store whole blocks [@off, @off + @len) (block-aligned; the end may be
 * the device's) read from the provider since @gen was taken. Dropped if
 * a write or an invalidation happened meanwhile. */
void nvmem_cache_fill(struct nvmem_cache *c, uint64_t gen, uint64_t off,
		      const void *buf, size_t len);

/* Forget [@off, @off + @len): call before and after writing it. */
void nvmem_cache_invalidate(struct nvmem_cache *c, uint64_t off, size_t len);
/* Forget everything and give the memory back (unplug). No fill is
 * stored afterwards. */
void nvmem_cache_drop(struct nvmem_cache *c);

#endif
