// SPDX-License-Identifier: MIT
/*
 * Figures against what a user would mount instead, and against the
 * kernel's page cache where nvmemfs can reach it.
 *
 *   bench_peer bindfs NVMEMFS_FILE BINDFS_FILE NVMEMFS_CELL BINDFS_CELL
 *   bench_peer pagecache NVMEMFS_CELL TMPFS_CELL [BINDFS_CELL]
 *
 * bindfs: bindfs (a FUSE filesystem passing a directory through) over
 * the same image file on tmpfs that nvmemfs serves: 128 KiB sequential
 * reads of it (throughput, nvmemfs / bindfs), and open+read+close of a
 * cell against a small file holding the cell's text (time, nvmemfs /
 * bindfs). Both mounts see the same buffers and sizes.
 *
 * pagecache: open+read+close of a cell on a page-cache mount (read-only,
 * devices read-only and cached: fs/pagecache.c) against a file on tmpfs
 * with the same text (time, nvmemfs / tmpfs); and, given bindfs's file
 * with that text, the same cell against it: what a board that only reads
 * its EEPROMs gets from nvmemfs rather than from bindfs.
 *
 * Every pair is measured in alternating passes, best of 5 of each side.
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

int main(int argc, char **argv)
{
	double a, b;

	if (argc == 6 && !strcmp(argv[1], "bindfs")) {
		printf("# against bindfs over the same files on tmpfs\n");
		seq_pair(argv[2], argv[3], &a, &b);
		bench_line("seq_read_128k_vs_bindfs", a, "MiB/s", b, a / b,
			   ">= 1.5", a / b >= 1.5);
		cell_pair(argv[4], argv[5], &a, &b);
		bench_line("cell_vs_bindfs", a, "us", b, a / b, "<= 0.75",
			   a / b <= 0.75);
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
	fprintf(stderr, "usage: bench_peer bindfs NV_FILE BINDFS_FILE NV_CELL BINDFS_CELL\n"
			"       bench_peer pagecache NV_CELL TMPFS_CELL [BINDFS_CELL]\n");
	return 2;
}
