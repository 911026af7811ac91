// SPDX-License-Identifier: MIT
/* A device's read cache (see cache.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/cache.h"

/* Small enough that the first read of a 6-byte cell on an AT24 costs
 * little more than the cell, large enough that a whole-device read does
 * not become many tiny bus transactions. */
#define CACHE_BLOCK	32
#define CACHE_SEG	4096	/* memory is allocated this much at a time */

/*
 * @lock guards everything below it. @seg[i] holds bytes
 * [i * CACHE_SEG, (i + 1) * CACHE_SEG), NULL until first filled;
 * @valid has one bit per block. @gen changes on every invalidation, so
 * a fill from a read that overlapped a write is recognised and dropped.
 */
struct nvmem_cache {
	uint64_t size;
	pthread_mutex_t lock;
	uint64_t gen;
	bool dropped;
	uint8_t **seg;
	size_t nseg;
	uint64_t *valid;
	size_t nblocks;
};

struct nvmem_cache *nvmem_cache_new(uint64_t size)
{
	struct nvmem_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->size = size;
	c->nblocks = (size + CACHE_BLOCK - 1) / CACHE_BLOCK;
	c->nseg = (size + CACHE_SEG - 1) / CACHE_SEG;
	c->seg = calloc(c->nseg ? c->nseg : 1, sizeof(*c->seg));
	c->valid = calloc((c->nblocks + 63) / 64 + 1, sizeof(*c->valid));
	if (!c->seg || !c->valid) {
		free(c->seg);
		free(c->valid);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void cache_release_segments(struct nvmem_cache *c)
{
	size_t i;

	for (i = 0; i < c->nseg; i++) {
		free(c->seg[i]);
		c->seg[i] = NULL;
	}
}

void nvmem_cache_free(struct nvmem_cache *c)
{
	if (!c)
		return;
	cache_release_segments(c);
	free(c->seg);
	free(c->valid);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

uint32_t nvmem_cache_block(const struct nvmem_cache *c)
{
	(void)c;
	return CACHE_BLOCK;
}

static bool cache_valid(const struct nvmem_cache *c, size_t b)
{
	return c->valid[b / 64] & (1ull << (b % 64));
}

/* Blocks of [@off, @off + @len), which must lie inside the device. */
static void cache_range(uint64_t off, size_t len, size_t *first,
			size_t *last)
{
	*first = off / CACHE_BLOCK;
	*last = (off + len - 1) / CACHE_BLOCK;
}

/* Copy between the segments and @buf; called with the lock held. */
static void cache_copy(struct nvmem_cache *c, uint64_t off, uint8_t *buf,
		       size_t len, bool out)
{
	while (len) {
		size_t s = off / CACHE_SEG, o = off % CACHE_SEG;
		size_t n = CACHE_SEG - o < len ? CACHE_SEG - o : len;

		if (out)
			memcpy(buf, c->seg[s] + o, n);
		else
			memcpy(c->seg[s] + o, buf, n);
		off += n;
		buf += n;
		len -= n;
	}
}

bool nvmem_cache_read(struct nvmem_cache *c, uint64_t off, void *buf,
		      size_t len)
{
	size_t b, first, last;
	bool hit = true;

	if (!len || off >= c->size || len > c->size - off)
		return false;
	cache_range(off, len, &first, &last);
	pthread_mutex_lock(&c->lock);
	for (b = first; b <= last && hit; b++)
		hit = cache_valid(c, b);
	if (hit)
		cache_copy(c, off, buf, len, true);
	pthread_mutex_unlock(&c->lock);
	return hit;
}

bool nvmem_cache_has(struct nvmem_cache *c, uint64_t off)
{
	bool hit;

	if (off >= c->size)
		return false;
	pthread_mutex_lock(&c->lock);
	hit = cache_valid(c, off / CACHE_BLOCK);
	pthread_mutex_unlock(&c->lock);
	return hit;
}

uint64_t nvmem_cache_begin(struct nvmem_cache *c)
{
	uint64_t gen;

	pthread_mutex_lock(&c->lock);
	gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return gen;
}

void nvmem_cache_fill(struct nvmem_cache *c, uint64_t gen, uint64_t off,
		      const void *buf, size_t len)
{
	size_t b, first, last, s;

	if (!len || off % CACHE_BLOCK || off >= c->size ||
	    len > c->size - off ||
	    ((off + len) % CACHE_BLOCK && off + len != c->size))
		return;		/* only whole blocks */
	cache_range(off, len, &first, &last);
	pthread_mutex_lock(&c->lock);
	if (c->dropped || c->gen != gen)
		goto out;
	for (s = off / CACHE_SEG; s <= (off + len - 1) / CACHE_SEG; s++) {
		if (!c->seg[s] && !(c->seg[s] = malloc(CACHE_SEG)))
			goto out;	/* no memory: just not cached */
	}
	cache_copy(c, off, (uint8_t *)buf, len, false);
	for (b = first; b <= last; b++)
		c->valid[b / 64] |= 1ull << (b % 64);
out:
	pthread_mutex_unlock(&c->lock);
}

void nvmem_cache_invalidate(struct nvmem_cache *c, uint64_t off, size_t len)
{
	size_t b, first, last;

	pthread_mutex_lock(&c->lock);
	c->gen++;
	if (len && off < c->size) {
		if (len > c->size - off)
			len = c->size - off;
		cache_range(off, len, &first, &last);
		for (b = first; b <= last; b++)
			c->valid[b / 64] &= ~(1ull << (b % 64));
	}
	pthread_mutex_unlock(&c->lock);
}

void nvmem_cache_drop(struct nvmem_cache *c)
{
	pthread_mutex_lock(&c->lock);
	c->gen++;
	c->dropped = true;
	memset(c->valid, 0, (c->nblocks + 63) / 64 * sizeof(*c->valid));
	cache_release_segments(c);
	pthread_mutex_unlock(&c->lock);
}
