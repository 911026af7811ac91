// SPDX-License-Identifier: MIT
/*
 * Figure 2: the data path through the mount against the backing file.
 *
 *   bench_read MOUNTED_FILE DIRECT_FILE MOUNTED_CELL DIRECT_CELL
 *
 * Sequential reads of the whole device with 4 KiB, 128 KiB and 1 MiB
 * requests, and open+read+close of a small cell in a loop, each through
 * nvmemfs and on the plain file, in the same run. The page cache is on
 * the direct side's favour (the file is on tmpfs); nvmemfs serves every
 * read of the device itself (direct_io), and a cell's text from the
 * kernel's page cache only after proving it current at the open
 * (src/fs/pages.c): an OPEN round trip remains. These ratios are
 * information: no FUSE request can match tmpfs, whose
 * whole cell read costs less than one round trip to a daemon. The
 * target is the cell in round trips of the same run
 * (cell_in_roundtrips()).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"

/*
 * Best of 5 passes through the mount (@m) and on the backing file (@d),
 * taken in turns so that both see the same state of the machine. The
 * buffer starts @skew bytes into a page: cat, dd and cp read into
 * page-aligned buffers (skew 0); malloc() gives 16 bytes in, which costs
 * a direct read through FUSE a split copy of every page in the kernel.
 */
static void seq_read(const char *mounted, const char *direct, size_t bs,
		     size_t skew, double *m, double *d)
{
	char *mem = aligned_alloc(4096, bs + 4096);

	if (!mem) {
		perror("aligned_alloc");
		exit(1);
	}
	*m = *d = 0;
	for (int r = 0; r < 5; r++) {
		double v = bench_seq_pass(mounted, mem + skew, bs);

		if (v > *m)
			*m = v;
		v = bench_seq_pass(direct, mem + skew, bs);
		if (v > *d)
			*d = v;
	}
	free(mem);
}

/*
 * Microseconds per 1-byte pread on a file kept open: through the mount,
 * one FUSE round trip, the floor under every request. It explains the
 * cell figure: open and read are one round trip each (nobody waits for
 * the release).
 */
static double roundtrip(const char *path, int n)
{
	int fd = open(path, O_RDONLY);
	double t0;
	char c;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	t0 = bench_now();
	for (int i = 0; i < n; i++) {
		if (pread(fd, &c, 1, 0) != 1) {
			perror(path);
			exit(1);
		}
	}
	t0 = bench_now() - t0;
	close(fd);
	return t0 * 1e6 / n;
}

/*
 * Microseconds per one-byte round trip between two processes over two
 * pipes: a floor under every FUSE request, which hands the CPU to the
 * daemon and back. The FUSE round trip is printed against it, so a run
 * shows how much of a miss belongs to the machine rather than to us.
 */
static double pipe_roundtrip(void)
{
	const int n = 5000;
	int to[2], from[2];
	double t0;
	pid_t pid;
	char c = 0;

	if (pipe(to) < 0 || pipe(from) < 0) {
		perror("pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &c, 1) == 1 && write(from[1], &c, 1) == 1)
			;
		_exit(0);
	}
	t0 = bench_now();
	for (int i = 0; i < n; i++) {
		if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1) {
			perror("pipe round trip");
			exit(1);
		}
	}
	t0 = bench_now() - t0;
	close(to[1]);	/* the child sees EOF and exits */
	waitpid(pid, NULL, 0);
	close(to[0]);
	close(from[0]);
	close(from[1]);
	return t0 * 1e6 / n;
}

/*
 * The cell against the round trip, in alternating passes (best of 5 of
 * each): how many round trips an open+read+close of a cell costs a
 * writable mount, where the kernel must ask the daemon at every open.
 * Open and read are one each; the release is sent without waiting, but
 * its handling takes the daemon's CPU.
 */
static void cell_in_roundtrips(const char *file, const char *cell)
{
	double c = 1e9, r = 1e9, v;

	for (int i = 0; i < 5; i++) {
		v = bench_cell_us(cell, 2000);
		if (v < c)
			c = v;
		v = roundtrip(file, 2000);
		if (v < r)
			r = v;
	}
	bench_line("cell_open_read_close_roundtrips", c, "us", r, c / r,
		   "<= 2.5", c / r <= 2.5);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 131072, 1048576 };
	static const char *const names[] = { "seq_read_4k_mibs", "seq_read_128k_mibs",
					     "seq_read_1m_mibs" };
	double m, d;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_read MOUNTED DIRECT MOUNTED_CELL DIRECT_CELL\n");
		return 2;
	}
	printf("# data path through the mount vs the backing file on tmpfs\n");
	printf("# page-aligned buffers, as cat, dd and cp use\n");
	for (int i = 0; i < 3; i++) {
		seq_read(argv[1], argv[2], sizes[i], 0, &m, &d);
		bench_line(names[i], m, "MiB/s", d, m / d, "(info)", 1);
	}
	printf("# the same 1 MiB reads into a malloc()ed buffer, 16 bytes into a page\n");
	seq_read(argv[1], argv[2], sizes[2], 16, &m, &d);
	bench_line("seq_read_1m_skew16_mibs", m, "MiB/s", d, m / d, "(info)", 1);
	m = bench_cell_us(argv[3], 5000);
	d = bench_cell_us(argv[4], 5000);
	bench_line("cell_open_read_close_us", m, "us", d, m / d, "(info)", 1);
	m = roundtrip(argv[1], 5000);
	d = roundtrip(argv[2], 5000);
	bench_line("fuse_roundtrip_us", m, "us", d, m / d, "(info)", 1);
	d = pipe_roundtrip();
	bench_line("fuse_roundtrip_vs_pipe_us", m, "us", d, m / d, "(info)", 1);
	cell_in_roundtrips(argv[1], argv[3]);
	return 0;
}
