// SPDX-License-Identifier: MIT
/*
 * Figure 7, lookups: the cost of looking up a cell by name in a device
 * with many cells against one with few, through the mount.
 *
 *   bench_lookup NBIG BIG_CELLS_DIR NSMALL SMALL_CELLS_DIR...
 *
 * The cells are named c0, c1, ... in every directory. Each name is
 * fstatat()ed exactly once, relative to an open cells/ directory, so
 * each is one LOOKUP request that reaches the daemon: the kernel has no
 * dentry for it yet (the mount must be fresh, and nothing may have
 * listed these directories with -l). A repeat would be answered from
 * the dentry cache and measure nothing of ours.
 *
 * Since every name can be used once, the small device's 100 names would
 * be too few samples: the reference is several small devices, each
 * taking a turn right after an equal chunk of the big one's names, so
 * that drift (CPU clock, other load) hits both sides alike. The figure is
 * the median over chunks of the mean microseconds per lookup; the ratio
 * big / small should be 1 if a lookup does not depend on the number of
 * cells.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* Mean microseconds per fstatat() of c@first .. c@(first + @n - 1) in
 * @dirfd; every one must be a regular file. Returns 0 or -errno. */
static int stat_chunk(int dirfd, long first, long n, double *us)
{
	char name[32];
	struct stat st;
	double t0 = bench_now();

	for (long i = first; i < first + n; i++) {
		snprintf(name, sizeof(name), "c%ld", i);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
	}
	*us = (bench_now() - t0) * 1e6 / n;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		fprintf(stderr, "bench_lookup: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	long nbig, nsmall, nchunks, chunk;
	double *big, *small, b, s;
	char name[64];
	int bigfd, fd, ret;

	if (argc < 5) {
		fprintf(stderr, "usage: bench_lookup NBIG BIG_DIR NSMALL SMALL_DIR...\n");
		return 2;
	}
	nbig = atol(argv[1]);
	nsmall = atol(argv[3]);
	nchunks = argc - 4;
	chunk = nbig / nchunks;
	if (nbig <= 0 || nsmall <= 0 || chunk <= 0) {
		fprintf(stderr, "bench_lookup: need cells, and as many big ones as small directories\n");
		return 2;
	}
	big = calloc(nchunks, sizeof(*big));
	small = calloc(nchunks, sizeof(*small));
	if (!big || !small)
		return 1;
	bigfd = open_dir(argv[2]);
	for (long i = 0; i < nchunks; i++) {
		ret = stat_chunk(bigfd, i * chunk, chunk, &big[i]);
		if (ret) {
			fprintf(stderr, "bench_lookup: %s: c%ld..: %s\n", argv[2],
				i * chunk, strerror(-ret));
			return 1;
		}
		fd = open_dir(argv[4 + i]);
		ret = stat_chunk(fd, 0, nsmall, &small[i]);
		close(fd);
		if (ret) {
			fprintf(stderr, "bench_lookup: %s: %s\n", argv[4 + i],
				strerror(-ret));
			return 1;
		}
	}
	close(bigfd);
	qsort(big, nchunks, sizeof(*big), cmp_double);
	qsort(small, nchunks, sizeof(*small), cmp_double);
	b = big[nchunks / 2];
	s = small[nchunks / 2];
	printf("# lookup of a cell by name: %ld cells against %ld, ratio = big / small\n",
	       nbig, nsmall);
	/* "Independent of the number of cells" with room for noise. */
	snprintf(name, sizeof(name), "lookup_%ld_cells_us", nbig);
	bench_line(name, b, "us", s, b / s, "<= 1.5x", b / s <= 1.5);
	printf("%-28s %10ld lookups against %ld, median of %ld chunks\n", "",
	       chunk * nchunks, nsmall * nchunks, nchunks);
	free(big);
	free(small);
	return 0;
}
