// SPDX-License-Identifier: MIT
/*
 * Primitives shared by the layers (util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static uint64_t util_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t util_realtime_ns(void)
{
	return util_clock_ns(CLOCK_REALTIME);
}

uint64_t util_monotonic_ns(void)
{
	return util_clock_ns(CLOCK_MONOTONIC);
}

const char *util_iso_time(uint64_t ns, char *buf)
{
	time_t t = ns / 1000000000u;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, UTIL_ISO_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, UTIL_ISO_TIME_MAX, "@%llu",
			 (unsigned long long)t);
	return buf;
}

uint64_t util_hash_str(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int util_index_init(struct util_index *ix, size_t entries)
{
	size_t size = 16;

	while (size < entries * 2 + 2)
		size *= 2;
	ix->slots = calloc(size, sizeof(*ix->slots));
	ix->mask = size - 1;
	return ix->slots ? 0 : -ENOMEM;
}

void util_index_free(struct util_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->mask = 0;
}

bool util_index_room(const struct util_index *ix, size_t count)
{
	return ix->slots && (count + 1) * 2 <= ix->mask + 1;
}

void util_index_add(struct util_index *ix, uint64_t hash, uint32_t entry)
{
	size_t h = hash & ix->mask;

	while (ix->slots[h])
		h = (h + 1) & ix->mask;
	ix->slots[h] = entry + 1;
}

long util_index_first(const struct util_index *ix, uint64_t hash,
		      size_t *pos)
{
	if (!ix->slots)
		return -1;
	*pos = hash & ix->mask;
	return ix->slots[*pos] ? (long)ix->slots[*pos] - 1 : -1;
}

long util_index_next(const struct util_index *ix, size_t *pos)
{
	*pos = (*pos + 1) & ix->mask;
	return ix->slots[*pos] ? (long)ix->slots[*pos] - 1 : -1;
}

ssize_t util_pio(int fd, bool write, void *buf, size_t len, uint64_t off,
		 const atomic_bool *cancelled)
{
	ssize_t n;

	do {
		if (atomic_load_explicit(cancelled, memory_order_relaxed))
			return -ENODEV;
		n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int util_open_rw_or_ro(const char *path, bool *read_only)
{
	int fd = -1;

	if (!*read_only) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EACCES && errno != EPERM && errno != EROFS)
			return -errno;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*read_only = true;
	return fd;
}

bool util_dev_present(dev_t rdev, bool block)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/dev/%s/%u:%u",
		 block ? "block" : "char", major(rdev), minor(rdev));
	return !(access(path, F_OK) < 0 && errno == ENOENT);
}

int util_sysfs_attr(const char *root, const char *name, const char *attr,
		    char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", root, name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}
