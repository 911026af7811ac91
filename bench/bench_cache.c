// SPDX-License-Identifier: MIT
/*
 * Figure 3: repeated reads of a cell on a device with "cache = yes"
 * against its twin with "cache = no", both emulated AT24s on their own
 * bus at the configured clock.
 *
 *   bench_cache CACHED_CELLS_DIR UNCACHED_CELLS_DIR CELL...
 *
 * For each CELL: one read of each copy first (it fills the cache, and
 * both must return the same bytes), then the mean time of
 * open + read to EOF + close over as many iterations as fit in about a
 * second, cached and uncached. Read to EOF, as cat does: that is two
 * READ requests per open. The ratio is uncached / cached: how many times
 * faster the cached read is.
 *
 * Then, for information, /bin/cat itself run 20 times on each copy (the
 * issue's words are "a repeated cat"): process start-up is in both
 * figures, so this ratio is bounded by it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define WARMUP_S	0.2
#define BUDGET_S	1.0	/* per measurement, after the warm-up */
#define MAX_ITERS	20000
#define CAT_RUNS	20

extern char **environ;

/* Open @path, read it to EOF into @buf, close. Returns the length or
 * -errno. */
static ssize_t read_whole(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + len, size - len)) > 0)
		len += n;
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return len;
}

/* Mean microseconds per read_whole() of @path. Reading for WARMUP_S
 * first, untimed, sets the number of iterations that fit in BUDGET_S,
 * and gets the CPU clock and the daemon's threads out of whatever state
 * the previous measurement (mostly sleeping on the bus) left them in. */
static int time_reads(const char *path, double *us)
{
	static char buf[65536];
	double t0 = bench_now(), t;
	long iters = 0;
	ssize_t n;

	do {
		n = read_whole(path, buf, sizeof(buf));
		if (n < 0)
			return n;
		iters++;
	} while ((t = bench_now() - t0) < WARMUP_S);
	iters = BUDGET_S / (t / iters);
	if (iters > MAX_ITERS)
		iters = MAX_ITERS;
	if (iters < 3)
		iters = 3;
	t0 = bench_now();
	for (long i = 0; i < iters; i++) {
		n = read_whole(path, buf, sizeof(buf));
		if (n < 0)
			return n;
	}
	*us = (bench_now() - t0) * 1e6 / iters;
	return 0;
}

/* Mean microseconds per "cat @path > /dev/null", fork+exec+wait. */
static int time_cat(const char *path, double *us)
{
	char *const argv[] = { "cat", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	double t0;
	int ret, status;
	pid_t pid;

	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		return -ret;
	ret = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					       O_WRONLY, 0);
	if (ret)
		goto out;
	t0 = bench_now();
	for (int i = 0; i < CAT_RUNS; i++) {
		ret = posix_spawn(&pid, "/bin/cat", &fa, NULL, argv, environ);
		if (ret)
			goto out;
		if (waitpid(pid, &status, 0) < 0) {
			ret = errno;
			goto out;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ret = EIO;
			goto out;
		}
	}
	*us = (bench_now() - t0) * 1e6 / CAT_RUNS;
out:
	posix_spawn_file_actions_destroy(&fa);
	return -ret;
}

static void die(const char *what, const char *path, int err)
{
	fprintf(stderr, "bench_cache: %s %s: %s\n", what, path, strerror(err));
	exit(1);
}

/* Time @timer on the uncached copy, then on the cached one; exits on
 * failure. */
static void time_both(int (*timer)(const char *, double *), const char *what,
		      const char *cached, const char *uncached,
		      double *c_us, double *u_us)
{
	int ret = timer(uncached, u_us);

	if (ret)
		die(what, uncached, -ret);
	ret = timer(cached, c_us);
	if (ret)
		die(what, cached, -ret);
}

int main(int argc, char **argv)
{
	static char a[65536], b[65536];
	char cached[PATH_MAX], uncached[PATH_MAX], name[64];
	double c_us, u_us;
	ssize_t na, nb;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_cache CACHED_DIR UNCACHED_DIR CELL...\n");
		return 2;
	}
	printf("# cell reads, cache = yes against cache = no; ratio = uncached / cached\n");
	for (int i = 3; i < argc; i++) {
		snprintf(cached, sizeof(cached), "%s/%s", argv[1], argv[i]);
		snprintf(uncached, sizeof(uncached), "%s/%s", argv[2], argv[i]);
		na = read_whole(cached, a, sizeof(a));
		if (na < 0)
			die("read", cached, -na);
		nb = read_whole(uncached, b, sizeof(b));
		if (nb < 0)
			die("read", uncached, -nb);
		if (na != nb || memcmp(a, b, na)) {
			fprintf(stderr, "bench_cache: %s: cached and uncached differ\n",
				argv[i]);
			return 1;
		}

		time_both(time_reads, "read", cached, uncached, &c_us, &u_us);
		snprintf(name, sizeof(name), "cached_read_%s_us", argv[i]);
		bench_line(name, c_us, "us", u_us, u_us / c_us, ">= 100x",
		     u_us / c_us >= 100);
		printf("%-28s %10zd bytes read per open (to EOF)\n", "", na);
	}
	for (int i = 3; i < argc; i++) {
		snprintf(cached, sizeof(cached), "%s/%s", argv[1], argv[i]);
		snprintf(uncached, sizeof(uncached), "%s/%s", argv[2], argv[i]);
		time_both(time_cat, "cat", cached, uncached, &c_us, &u_us);
		snprintf(name, sizeof(name), "cached_cat_%s_us", argv[i]);
		bench_line(name, c_us, "us", u_us, u_us / c_us, "(info)", 1);
	}
	return 0;
}
