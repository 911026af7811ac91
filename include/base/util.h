/* SPDX-License-Identifier: MIT */
/*
 * Small primitives that several layers need, each written once here
 * (FNV hash, cancellable file I/O, sysfs look-ups, a reference count).
 * Internal to nvmemfs: no layer's API is built on them.
 */
#ifndef NVMEMFS_UTIL_H
#define NVMEMFS_UTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_REALTIME in nanoseconds since the epoch, for file times. */
uint64_t util_realtime_ns(void);
/* CLOCK_MONOTONIC in nanoseconds, for intervals and deadlines. */
uint64_t util_monotonic_ns(void);
/* @ns of util_realtime_ns() as ISO 8601 UTC to the second
 * ("2026-05-04T12:00:00Z"); @buf of UTIL_ISO_TIME_MAX bytes. */
#define UTIL_ISO_TIME_MAX	32
const char *util_iso_time(uint64_t ns, char *buf);

/* FNV-1a of @s, continuing from @h (start with UTIL_HASH_INIT). */
#define UTIL_HASH_INIT	0xcbf29ce484222325ULL
uint64_t util_hash_str(uint64_t h, const char *s);

/*
 * One pread(2) or pwrite(2) (@write) at @off, retried on EINTR and
 * abandoned with -ENODEV once *@cancelled is set: the providers' way of
 * letting an unplug cut in between two tries. Returns the byte count or
 * -errno.
 */
ssize_t util_pio(int fd, bool write, void *buf, size_t len, uint64_t off,
		 const atomic_bool *cancelled);

/*
 * Open @path read-write unless @read_only; a backing that refuses
 * writing (EACCES, EPERM, EROFS) is opened read-only and *@read_only set.
 * Returns the descriptor or -errno.
 */
int util_open_rw_or_ro(const char *path, bool *read_only);

/* Does the kernel still have the character or block device @rdev? Its
 * /sys/dev entry goes as soon as the removal starts, long before the
 * last descriptor of its node is closed. */
bool util_dev_present(dev_t rdev, bool block);

/* Read the small attribute @root/@name/@attr into @buf, without its
 * newline. 0 or -errno. */
int util_sysfs_attr(const char *root, const char *name, const char *attr,
		    char *buf, size_t size);

/*
 * An open-addressing index over the caller's entries, by a 64-bit hash:
 * each slot is empty (0) or an entry number + 1, and it is never more
 * than half full, so a look-up costs the same with 10 entries or 10,000.
 * What an entry is, and when it matches a key, is the caller's: probe
 * with util_index_first()/util_index_next() and compare.
 */
struct util_index {
	uint32_t *slots;
	size_t mask;		/* slots - 1, a power of two minus one */
};

/* An empty index with room for @entries. 0 or -ENOMEM. */
int util_index_init(struct util_index *ix, size_t entries);
void util_index_free(struct util_index *ix);
/* Does one more entry than @count fit? (No: make a larger index.) */
bool util_index_room(const struct util_index *ix, size_t count);
void util_index_add(struct util_index *ix, uint64_t hash, uint32_t entry);
/* The entries stored under @hash, in probe order: *@pos is the cursor;
 * each call returns an entry number, or -1 at the end. */
long util_index_first(const struct util_index *ix, uint64_t hash,
		      size_t *pos);
long util_index_next(const struct util_index *ix, size_t *pos);

/*
 * The one reference count idiom: C11 atomics, so that ThreadSanitizer
 * sees the final put order every earlier user's accesses before the
 * free (it does not model fences, nor liburcu's urcu_ref).
 */
struct util_ref {
	atomic_long n;
};

static inline void util_ref_init(struct util_ref *r)
{
	atomic_init(&r->n, 1);
}

static inline void util_ref_get(struct util_ref *r)
{
	atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed);
}

/* True for the put that dropped the last reference: free then. */
static inline bool util_ref_put(struct util_ref *r)
{
	return atomic_fetch_sub_explicit(&r->n, 1, memory_order_acq_rel) == 1;
}

static inline long util_ref_read(struct util_ref *r)
{
	return atomic_load_explicit(&r->n, memory_order_relaxed);
}

#endif
