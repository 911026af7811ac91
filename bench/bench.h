/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark program shares: a clock, and the row format of
 * the table scripts/bench prints (plus its machine-readable BENCH line).
 */
#ifndef NVMEMFS_BENCH_H
#define NVMEMFS_BENCH_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Nanoseconds on the monotonic clock, for latencies. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* One figure: @v against @ref, their @ratio, and whether @target is met. */
static inline void bench_line(const char *name, double v, const char *unit,
			      double ref, double ratio, const char *target,
			      int met)
{
	printf("%-28s %10.1f %-6s ref %10.1f  ratio %6.3f  target %-12s %s\n",
	       name, v, unit, ref, ratio, target, met ? "met" : "MISSED");
	printf("BENCH %s=%.3f unit=%s ref=%.3f ratio=%.3f target=\"%s\" %s\n",
	       name, v, unit, ref, ratio, target, met ? "met" : "missed");
}

/* MiB/s of one sequential read of @path with @bs requests into @buf. */
static inline double bench_seq_pass(const char *path, char *buf, size_t bs)
{
	int fd = open(path, O_RDONLY);
	double t0 = bench_now(), t;
	size_t total = 0;
	ssize_t n;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	while ((n = read(fd, buf, bs)) > 0)
		total += n;
	t = bench_now() - t0;
	close(fd);
	return total / t / 1048576;
}

/* Microseconds per open + one read + close of @path, over @n rounds. */
static inline double bench_cell_us(const char *path, int n)
{
	char buf[64];
	double t0 = bench_now();

	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return (bench_now() - t0) * 1e6 / n;
}

/* qsort() order of uint64_t samples. */
static inline int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (1..100) of @n sorted samples. */
static inline uint64_t bench_pct(const uint64_t *v, size_t n, unsigned int p)
{
	size_t rank = (p * n + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

#endif
