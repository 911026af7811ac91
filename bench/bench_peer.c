// SPDX-License-Identifier: MIT
/*
 * Figures against what a user would mount instead, and against the
 * kernel's page cache where nvmemfs can reach it.
 *
 *   bench_peer bindfs NVMEMFS_FILE BINDFS_FILE NVMEMFS_CELL BINDFS_CELL
 *   bench_peer kept NVMEMFS_FILE BINDFS_FILE
 *   bench_peer pagecache NVMEMFS_CELL TMPFS_CELL [BINDFS_CELL]
 *
 * bindfs: bindfs (a FUSE filesystem passing a directory through) over
 * the same image file on tmpfs that nvmemfs serves: 128 KiB sequential
 * reads of it (throughput, nvmemfs / bindfs), and open+read+close of a
 * cell against a small file holding the cell's text (time, nvmemfs /
 * bindfs). Both mounts see the same buffers and sizes. The device is not
 * cached, so its raw file is read with direct I/O, every read(2) a
 * request to the daemon (for information).
 *
 * kept: the same 128 KiB reads of the raw file of a cached device, which
 * the kernel keeps in its page cache (fs/pages.c), against bindfs.
 *
 * pagecache: open+read+close of a cell on a page-cache mount (read-only,
 * devices read-only and cached: fs/pagecache.c) against a file on tmpfs
 * with the same text (time, nvmemfs / tmpfs); and, given bindfs's file
 * with that text, the same cell against it: what a board that only reads
 * its EEPROMs gets from nvmemfs rather than from bindfs.
 *
 *   bench_peer kernel NV_NVMEM KERNEL_NVMEM NV_CELL NV_CACHED_CELL OFF LEN NV_TYPE
 *
 * kernel (in the QEMU guest, tests/kernel/bench.sh): the same chip read
 * through nvmemfs's provider at24 and through the kernel's at24 driver's
 * nvmem file: the whole device in 64 KiB reads, and a cell against
 * open + pread of its LEN bytes at OFF + close of the kernel's file,
 * uncached and cached. Ratios are kernel time over nvmemfs time. For
 * information, the guest's null FUSE round trip: a 1-byte pread of the
 * "type" file NV_TYPE (answered from memory), held open.
 *
 * Every pair is measured in alternating passes, best of 5 of each side
 * (of 3 in the guest, where the bus sets the pace).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PASSES	5

/* Best MiB/s of @a and of @b over alternating 128 KiB read passes. */
static void seq_pair(const char *a, const char *b, double *va, double *vb)
{
	const size_t bs = 131072;
	char *buf = aligned_alloc(4096, bs);
	double v;

	if (!buf) {
		perror("aligned_alloc");
		exit(1);
	}
	*va = *vb = 0;
	for (int i = 0; i < PASSES; i++) {
		v = bench_seq_pass(a, buf, bs);
		if (v > *va)
			*va = v;
		v = bench_seq_pass(b, buf, bs);
		if (v > *vb)
			*vb = v;
	}
	free(buf);
}

/* Least microseconds per open+read+close of @a and of @b, alternating. */
static void cell_pair(const char *a, const char *b, double *ta, double *tb)
{
	double t;

	*ta = *tb = 1e9;
	for (int i = 0; i < PASSES; i++) {
		t = bench_cell_us(a, 3000);
		if (t < *ta)
			*ta = t;
		t = bench_cell_us(b, 3000);
		if (t < *tb)
			*tb = t;
	}
}

/* Microseconds per open + pread of @len bytes at @off + close, @n times. */
static double range_us(const char *path, off_t off, size_t len, int n)
{
	char buf[256];
	double t0 = bench_now();

	if (len > sizeof(buf))
		len = sizeof(buf);
	for (int i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0 || pread(fd, buf, len, off) != (ssize_t)len) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return (bench_now() - t0) * 1e6 / n;
}

static void min_of(double *best, double v)
{
	if (v < *best)
		*best = v;
}

/* The kernel's at24 against nvmemfs's on the same chip (see the top). */
static void against_kernel(char **argv)
{
	const off_t off = strtoll(argv[6], NULL, 0);
	const size_t len = strtoul(argv[7], NULL, 0);
	const size_t bs = 65536;
	char *buf = aligned_alloc(4096, bs);
	double fn = 1e18, fk = 1e18, cn = 1e18, cc = 1e18, ck = 1e18;
	double rt = 1e18;
	int fd = open(argv[8], O_RDONLY);
	char c;

	if (!buf || fd < 0) {
		perror(argv[8]);
		exit(1);
	}
	for (int i = 0; i < 3; i++) {
		double t0 = bench_now();

		for (int j = 0; j < 20; j++) {
			if (pread(fd, &c, 1, 0) != 1) {
				perror(argv[8]);
				exit(1);
			}
		}
		min_of(&rt, (bench_now() - t0) * 1e6 / 20);
		/* Seconds per MiB, so that min_of() keeps the best. */
		min_of(&fn, 1 / bench_seq_pass(argv[2], buf, bs));
		min_of(&fk, 1 / bench_seq_pass(argv[3], buf, bs));
		min_of(&cn, bench_cell_us(argv[4], 20));
		min_of(&cc, bench_cell_us(argv[5], 20));
		min_of(&ck, range_us(argv[3], off, len, 20));
	}
	free(buf);
	close(fd);
	bench_line("at24_read_vs_kernel", fn * 1e3 * 0.0625, "ms", fk * 1e3 * 0.0625,
		   fk / fn, ">= 0.95", fk / fn >= 0.95);
	bench_line("at24_cell_vs_kernel", cn, "us", ck, ck / cn, ">= 0.95",
		   ck / cn >= 0.95);
	bench_line("at24_cached_cell_vs_kernel", cc, "us", ck, ck / cc, ">= 0.95",
		   ck / cc >= 0.95);
	bench_line("guest_fuse_roundtrip_us", rt, "us", ck, ck / rt, "(info)", 1);
}

int main(int argc, char **argv)
{
	double a, b;

	if (argc == 6 && !strcmp(argv[1], "bindfs")) {
		printf("# against bindfs over the same files on tmpfs\n");
		seq_pair(argv[2], argv[3], &a, &b);
		bench_line("seq_read_128k_direct_vs_bindfs", a, "MiB/s", b, a / b,
			   "(info)", 1);
		cell_pair(argv[4], argv[5], &a, &b);
		bench_line("cell_vs_bindfs", a, "us", b, a / b, "<= 0.75",
			   a / b <= 0.75);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "kept")) {
		printf("# a cached device's raw file, kept in the page cache, against bindfs\n");
		seq_pair(argv[2], argv[3], &a, &b);
		bench_line("seq_read_128k_vs_bindfs", a, "MiB/s", b, a / b,
			   ">= 1.5", a / b >= 1.5);
		return 0;
	}
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "pagecache")) {
		printf("# a page-cache mount's cell against the same text on tmpfs\n");
		cell_pair(argv[2], argv[3], &a, &b);
		bench_line("ro_cell_open_read_close", a, "us", b, a / b, "<= 2x",
			   a / b <= 2);
		if (argc == 5) {
			cell_pair(argv[2], argv[4], &a, &b);
			bench_line("ro_cell_vs_bindfs", a, "us", b, a / b,
				   "<= 0.75", a / b <= 0.75);
		}
		return 0;
	}
	if (argc == 9 && !strcmp(argv[1], "kernel")) {
		printf("# the kernel's at24 against nvmemfs's on the same chip; ratio = kernel / nvmemfs time\n");
		against_kernel(argv);
		return 0;
	}
	fprintf(stderr, "usage: bench_peer bindfs NV_FILE BINDFS_FILE NV_CELL BINDFS_CELL\n"
			"       bench_peer kept NV_FILE BINDFS_FILE\n"
			"       bench_peer pagecache NV_CELL TMPFS_CELL [BINDFS_CELL]\n"
			"       bench_peer kernel NV_NVMEM KERNEL_NVMEM NV_CELL NV_CACHED_CELL OFF LEN NV_TYPE\n");
	return 2;
}
