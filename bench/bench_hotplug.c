// SPDX-License-Identifier: MIT
/*
 * Figure 4, through the real mount: unplug latency of a device served
 * from a loop device, with the kernel's own uevents.
 *
 *   bench_hotplug UEVENT DIR REPS [LOOPDEV]
 *
 * UEVENT is the loop device's sysfs uevent file, DIR the device's
 * directory in the mount.
 *
 * (a) Each repetition writes "remove" to UEVENT (the kernel sends the
 * event before the write returns, as tests/integration/t_hotplug.sh does
 * it), then stat()s DIR every 20 us until it fails with ENOENT; the
 * time from just before the write to that failure is one sample, and
 * p99 has the target of 2 ms. It then
 * writes "add" and waits for DIR to come back (also timed, for
 * information). A C loop rather than stat(1) from the shell, so that
 * process start-up does not dominate.
 *
 * (b) With LOOPDEV, whose backing should be slow (scripts/bench puts it
 * on tests/helpers/slowfs): a thread reads 64 KiB of DIR/nvmem, one read
 * chunk of the file provider, and "remove" is written at a random moment
 * while that read is on the bus. A sample is the time from the write to
 * the read failing with ENODEV; the reference is the bus time of one
 * chunk, a 64 KiB read of LOOPDEV the way the daemon reads it, measured
 * here. The bdev page cache is flushed before every read, so each one
 * really reaches the bus.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include "bench.h"

#define HANG_NS	10000000000ull	/* 10 s: a hang guard, not a target */

static void uevent(const char *path, const char *action)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, action, strlen(action)) < 0) {
		fprintf(stderr, "bench_hotplug: %s > %s: %s\n", action, path,
			strerror(errno));
		exit(1);
	}
	close(fd);
}

/* Spin until stat(@dir) fails with ENOENT (@gone) or succeeds (!@gone). */
static uint64_t wait_for(const char *dir, int gone, uint64_t t0)
{
	struct stat st;
	uint64_t t;
	int ret;

	for (;;) {
		ret = stat(dir, &st);
		t = bench_now_ns();
		if (gone && ret < 0 && errno == ENOENT)
			return t - t0;
		if (gone && ret < 0) {
			fprintf(stderr, "bench_hotplug: stat %s: %s, not ENOENT\n",
				dir, strerror(errno));
			exit(1);
		}
		if (!gone && ret == 0)
			return t - t0;
		if (t - t0 > HANG_NS) {
			fprintf(stderr, "bench_hotplug: %s not %s after 10 s\n",
				dir, gone ? "gone" : "back");
			exit(1);
		}
		/* Poll, not spin: with two CPUs and no kernel preemption, a
		 * spinning reader can hold off the daemon thread that handles
		 * the event for a whole scheduler tick (4 ms here). */
		usleep(gone ? 20 : 200);
	}
}

/* The table style of bench_unplug; no target was asked for here. */
static void line(const char *name, double v)
{
	printf("%-34s %9.3f ms  ref %9s  ratio %6s  target %-18s met\n",
	       name, v, "-", "-", "(info)");
	printf("BENCH %s=%.3f unit=ms target=\"(info)\" met\n", name, v);
}

/* A figure with a target: @v at most @limit milliseconds. */
static void line_max(const char *name, double v, double limit)
{
	printf("%-34s %9.3f ms  ref %9s  ratio %6s  target <= %-6.2g ms       %s\n",
	       name, v, "-", "-", limit, v <= limit ? "met" : "MISSED");
	printf("BENCH %s=%.3f unit=ms target=\"<= %g ms\" %s\n", name, v, limit,
	       v <= limit ? "met" : "missed");
}

#define CHUNK	(64 * 1024)	/* provider_file's read chunk on a block device */

/* Drop @loop's cached pages, so that the next read reaches the bus. */
static void flush_loop(int loop_fd)
{
	if (ioctl(loop_fd, BLKFLSBUF, 0) < 0) {
		perror("bench_hotplug: BLKFLSBUF");
		exit(1);
	}
}

/* Bus time of one chunk: median of 9 flushed 64 KiB reads of @loop, as
 * provider_file reads a block device (buffered, POSIX_FADV_RANDOM). */
static uint64_t chunk_ns(int loop_fd)
{
	static char buf[CHUNK];
	uint64_t t[9], t0;

	posix_fadvise(loop_fd, 0, 0, POSIX_FADV_RANDOM);
	for (int i = 0; i < 9; i++) {
		flush_loop(loop_fd);
		t0 = bench_now_ns();
		if (pread(loop_fd, buf, CHUNK, 0) != CHUNK) {
			perror("bench_hotplug: read of the loop device");
			exit(1);
		}
		t[i] = bench_now_ns() - t0;
	}
	qsort(t, 9, sizeof(*t), bench_cmp_u64);
	return t[4];
}

struct reader {
	char path[4096];
	atomic_uint_fast64_t t_start;	/* just before the read, 0 until then */
	uint64_t t_end;
	int err;			/* errno of the read, 0 if it succeeded */
};

static void *reader_main(void *arg)
{
	static char buf[CHUNK];
	struct reader *r = arg;
	int fd = open(r->path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		r->err = errno;
		atomic_store(&r->t_start, bench_now_ns());
		return NULL;
	}
	atomic_store(&r->t_start, bench_now_ns());
	n = pread(fd, buf, CHUNK, 0);
	r->t_end = bench_now_ns();
	r->err = n < 0 ? errno : 0;
	close(fd);
	return NULL;
}

/*
 * One unplug in the middle of a read: 1 and the latency in @ns, or 0
 * when the read finished before the event landed (the caller tries
 * again).
 */
static int inflight_once(const char *uevent_path, const char *dir,
			 int loop_fd, uint64_t chunk, uint64_t *ns)
{
	struct reader r = { .t_start = 0 };
	uint64_t delay, t0;
	pthread_t th;

	snprintf(r.path, sizeof(r.path), "%s/nvmem", dir);
	flush_loop(loop_fd);
	if (pthread_create(&th, NULL, reader_main, &r)) {
		fprintf(stderr, "bench_hotplug: pthread_create failed\n");
		exit(1);
	}
	while (!atomic_load(&r.t_start))
		;
	/* Somewhere in the first 80% of the chunk's bus time. */
	delay = chunk / 10 + (uint64_t)rand() % (chunk * 7 / 10 + 1);
	while (bench_now_ns() - atomic_load(&r.t_start) < delay)
		;
	t0 = bench_now_ns();
	uevent(uevent_path, "remove");
	pthread_join(th, NULL);
	wait_for(dir, 1, t0);
	uevent(uevent_path, "add");
	wait_for(dir, 0, bench_now_ns());
	if (r.err == 0)
		return 0;
	if (r.err != ENODEV) {
		fprintf(stderr, "bench_hotplug: read in flight failed with %s, not ENODEV\n",
			strerror(r.err));
		exit(1);
	}
	*ns = r.t_end > t0 ? r.t_end - t0 : 0;
	return 1;
}

static void inflight(const char *uevent_path, const char *dir,
		     const char *loop, int reps)
{
	uint64_t *lat = calloc(reps, sizeof(*lat)), chunk, p99;
	int fd = open(loop, O_RDONLY), n = 0, late = 0;
	double limit;

	if (!lat || fd < 0) {
		perror(loop);
		exit(1);
	}
	chunk = chunk_ns(fd);
	srand(1);
	while (n < reps) {
		if (inflight_once(uevent_path, dir, fd, chunk, &lat[n]))
			n++;
		else if (++late > reps) {
			fprintf(stderr, "bench_hotplug: %d reads finished before their unplug\n",
				late);
			exit(1);
		}
	}
	close(fd);
	qsort(lat, reps, sizeof(*lat), bench_cmp_u64);
	p99 = bench_pct(lat, reps, 99);
	limit = chunk / 1e6 + 2;
	printf("# loop device on a slow backing, %d unplugs mid 64 KiB read (one chunk): remove uevent to ENODEV\n",
	       reps);
	printf("unplug_mount_chunk_ms              %9.3f ms  (info: one 64 KiB chunk of the loop device, the reference)\n",
	       chunk / 1e6);
	printf("BENCH unplug_mount_chunk_ms=%.3f unit=ms target=\"(info)\" met\n",
	       chunk / 1e6);
	line("unplug_mount_enodev_p50_ms", bench_pct(lat, reps, 50) / 1e6);
	printf("%-34s %9.3f ms  ref %9.3f  ratio %6.2f  target <= chunk+2 = %.2f ms %s\n",
	       "unplug_mount_enodev_p99_ms", p99 / 1e6, chunk / 1e6,
	       (double)p99 / chunk, limit, p99 / 1e6 <= limit ? "met" : "MISSED");
	printf("BENCH unplug_mount_enodev_p99_ms=%.3f unit=ms ref=%.3f ratio=%.3f target=\"<= %.2f ms\" %s\n",
	       p99 / 1e6, chunk / 1e6, (double)p99 / chunk, limit,
	       p99 / 1e6 <= limit ? "met" : "missed");
	line("unplug_mount_enodev_max_ms", lat[reps - 1] / 1e6);
	printf("# %d reads finished before their unplug landed and were tried again\n",
	       late);
	free(lat);
}

int main(int argc, char **argv)
{
	int reps = argc > 3 ? atoi(argv[3]) : 100;
	uint64_t *gone, *back, t0;
	int i;

	if (argc < 3 || reps < 1) {
		fprintf(stderr, "usage: bench_hotplug UEVENT DIR [REPS [LOOPDEV]]\n");
		return 2;
	}
	gone = calloc(reps, sizeof(*gone));
	back = calloc(reps, sizeof(*back));
	if (!gone || !back)
		return 1;
	wait_for(argv[2], 0, bench_now_ns());
	for (i = 0; i < reps; i++) {
		t0 = bench_now_ns();
		uevent(argv[1], "remove");
		gone[i] = wait_for(argv[2], 1, t0);
		t0 = bench_now_ns();
		uevent(argv[1], "add");
		back[i] = wait_for(argv[2], 0, t0);
	}
	qsort(gone, reps, sizeof(*gone), bench_cmp_u64);
	qsort(back, reps, sizeof(*back), bench_cmp_u64);
	printf("# loop device through the mount, %d remove uevents: time to stat() ENOENT\n",
	       reps);
	line("unplug_mount_enoent_p50_ms", bench_pct(gone, reps, 50) / 1e6);
	line_max("unplug_mount_enoent_p99_ms", bench_pct(gone, reps, 99) / 1e6, 2);
	line("unplug_mount_enoent_max_ms", gone[reps - 1] / 1e6);
	/* from the add uevent until the directory is back */
	line("replug_mount_back_p50_ms", bench_pct(back, reps, 50) / 1e6);
	free(gone);
	free(back);
	if (argc > 4)
		inflight(argv[1], argv[2], argv[4], reps);
	return 0;
}
