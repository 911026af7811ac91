/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark program shares: a clock, and the row format of
 * the table scripts/bench prints (plus its machine-readable BENCH line).
 */
#ifndef NVMEMFS_BENCH_H
#define NVMEMFS_BENCH_H

#include <stdio.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

#endif
