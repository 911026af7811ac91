// SPDX-License-Identifier: MIT
/*
 * Figure 4, through the real mount: unplug latency of a device served
 * from a loop device, with the kernel's own uevents.
 *
 *   bench_hotplug UEVENT DIR [REPS]
 *
 * UEVENT is the loop device's sysfs uevent file, DIR the device's
 * directory in the mount. Each repetition writes "remove" to UEVENT (the
 * kernel sends the event before the write returns, as
 * tests/integration/t_hotplug.sh does it), then stat()s DIR in a tight
 * loop until it fails with ENOENT; the time from just before the write to
 * that failure is one sample. It then writes "add" and waits for DIR to
 * come back (also timed, for information). A C loop rather than stat(1)
 * from the shell, so that process start-up does not dominate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define HANG_NS	10000000000ull	/* 10 s: a hang guard, not a target */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

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
		t = now_ns();
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
		if (!gone)	/* re-plug: no need to hurry */
			usleep(200);
	}
}

/* The table style of bench_unplug; no target was asked for here. */
static void line(const char *name, double v)
{
	printf("%-34s %9.3f ms  ref %9s  ratio %6s  target %-18s met\n",
	       name, v, "-", "-", "(info)");
	printf("BENCH %s=%.3f unit=ms target=\"(info)\" met\n", name, v);
}

int main(int argc, char **argv)
{
	int reps = argc > 3 ? atoi(argv[3]) : 100;
	uint64_t *gone, *back, t0;
	int i;

	if (argc < 3 || reps < 1) {
		fprintf(stderr, "usage: bench_hotplug UEVENT DIR [REPS]\n");
		return 2;
	}
	gone = calloc(reps, sizeof(*gone));
	back = calloc(reps, sizeof(*back));
	if (!gone || !back)
		return 1;
	wait_for(argv[2], 0, now_ns());
	for (i = 0; i < reps; i++) {
		t0 = now_ns();
		uevent(argv[1], "remove");
		gone[i] = wait_for(argv[2], 1, t0);
		t0 = now_ns();
		uevent(argv[1], "add");
		back[i] = wait_for(argv[2], 0, t0);
	}
	qsort(gone, reps, sizeof(*gone), bench_cmp_u64);
	qsort(back, reps, sizeof(*back), bench_cmp_u64);
	printf("# loop device through the mount, %d remove uevents: time to stat() ENOENT\n",
	       reps);
	line("unplug_mount_enoent_p50_ms", bench_pct(gone, reps, 50) / 1e6);
	line("unplug_mount_enoent_p99_ms", bench_pct(gone, reps, 99) / 1e6);
	line("unplug_mount_enoent_max_ms", gone[reps - 1] / 1e6);
	/* from the add uevent until the directory is back */
	line("replug_mount_back_p50_ms", bench_pct(back, reps, 50) / 1e6);
	free(gone);
	free(back);
	return 0;
}
