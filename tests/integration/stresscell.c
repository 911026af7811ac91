// SPDX-License-Identifier: MIT
/*
 * stresscell CELL SECONDS [RAW OFFSET]
 *
 * A mac cell kept in the kernel's page cache (fs/pages.c), under a
 * writer and readers in one process. The writer stores 02:00:00:00:HH:LL
 * with a counter through the mount, open+write+close, and publishes the
 * counter once close() returned. Every reader loads the published
 * counter, then reads the cell: by a new open+read+close (READERS_OPEN
 * threads) or by pread on a descriptor it keeps (READERS_HELD threads),
 * and the value it gets must not be older than that counter: a value
 * stored before the read began is never missed, whether the kernel's
 * page was kept or not. With RAW, the device's raw file, and OFFSET,
 * the cell's there, one reader of each kind reads the cell's bytes from
 * the raw file as well. Prints the counts; exits 1 on any stale or
 * malformed value or unexpected error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READERS_OPEN	3
#define READERS_HELD	2

static const char *cell, *raw;
static off_t raw_off;
static atomic_long published, reads, stale, bad;
static atomic_bool stop;

/* The counter in a cell's text, or -1. */
static long parse(const char *buf, ssize_t n)
{
	unsigned int b[6];

	if (n != 18 || sscanf(buf, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2],
			      &b[3], &b[4], &b[5]) != 6 || b[0] != 2)
		return -1;
	return (long)(b[4] << 8 | b[5]);
}

static void check(const char *how, long before, const char *buf, ssize_t n)
{
	long v = parse(buf, n);

	atomic_fetch_add(&reads, 1);
	if (v < 0) {
		atomic_fetch_add(&bad, 1);
		fprintf(stderr, "malformed read (%zd bytes): %.*s\n", n,
			(int)(n > 0 ? n : 0), buf);
	} else if (v < before) {
		atomic_fetch_add(&stale, 1);
		fprintf(stderr, "stale (%s): read %ld after %ld was stored\n", how, v,
			before);
	}
}

static void *writer(void *arg)
{
	char text[32];
	long i;

	for (i = 1; i < 65536 && !atomic_load(&stop); i++) {
		int fd = open(cell, O_WRONLY);
		int len = snprintf(text, sizeof(text), "02:00:00:00:%02lx:%02lx\n",
				   i >> 8, i & 0xff);

		if (fd < 0 || write(fd, text, len) != len || close(fd) < 0) {
			atomic_fetch_add(&bad, 1);
			fprintf(stderr, "write %ld: %s\n", i, strerror(errno));
			break;
		}
		atomic_store(&published, i);
	}
	return NULL;
}

/* The value through @fd: the cell's text, or with @from_raw the raw
 * file's six bytes at the cell's offset, as the same text. */
static ssize_t read_value(int fd, bool from_raw, char *buf, size_t size)
{
	unsigned char b[6];

	if (!from_raw)
		return pread(fd, buf, size, 0);
	if (pread(fd, b, sizeof(b), raw_off) != sizeof(b))
		return -1;
	return snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x\n", b[0],
			b[1], b[2], b[3], b[4], b[5]);
}

/* @arg non-NULL: from the raw file. */
static void *reader_open(void *arg)
{
	const char *path = arg ? raw : cell;
	char buf[64];

	while (!atomic_load(&stop)) {
		long before = atomic_load(&published);
		int fd = open(path, O_RDONLY);
		ssize_t n;

		if (fd < 0) {
			atomic_fetch_add(&bad, 1);
			fprintf(stderr, "open: %s\n", strerror(errno));
			return NULL;
		}
		n = read_value(fd, arg, buf, sizeof(buf));
		close(fd);
		check(arg ? "raw open" : "open", before, buf, n);
	}
	return NULL;
}

static void *reader_held(void *arg)
{
	int fd = open(arg ? raw : cell, O_RDONLY);
	char buf[64];

	if (fd < 0) {
		atomic_fetch_add(&bad, 1);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		long before = atomic_load(&published);

		check(arg ? "raw held" : "held", before, buf,
		      read_value(fd, arg, buf, sizeof(buf)));
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[3 + READERS_OPEN + READERS_HELD];
	int i, n = 0;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: stresscell CELL SECONDS [RAW OFFSET]\n");
		return 2;
	}
	cell = argv[1];
	if (argc == 5) {
		raw = argv[3];
		raw_off = strtoll(argv[4], NULL, 0);
		pthread_create(&t[n++], NULL, reader_open, (void *)raw);
		pthread_create(&t[n++], NULL, reader_held, (void *)raw);
	}
	pthread_create(&t[n++], NULL, writer, NULL);
	for (i = 0; i < READERS_OPEN; i++)
		pthread_create(&t[n++], NULL, reader_open, NULL);
	for (i = 0; i < READERS_HELD; i++)
		pthread_create(&t[n++], NULL, reader_held, NULL);
	sleep(atoi(argv[2]));
	atomic_store(&stop, true);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("writes %ld reads %ld stale %ld bad %ld\n", atomic_load(&published),
	       atomic_load(&reads), atomic_load(&stale), atomic_load(&bad));
	return atomic_load(&stale) || atomic_load(&bad) ? 1 : 0;
}
