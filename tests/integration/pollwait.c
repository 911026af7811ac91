// SPDX-License-Identifier: MIT
/*
 * pollwait: wait for a change as a sysfs attribute's reader does.
 *
 *   pollwait [-g GOFILE] TIMEOUT_MS READYFILE PATH...
 *   pollwait -i TIMEOUT_MS READYFILE PATH...
 *
 * Opens every PATH read-only and reads it to the end (what the poller
 * has seen), creates READYFILE (the test may now change things), then
 * poll(2)s all of them for POLLPRI for up to TIMEOUT_MS. Prints "woke"
 * or "timeout"; then, after a pause long enough for any late
 * notification, each file's revents from a poll that does not wait
 * ("PRI|ERR", "ERR|HUP|PRI", "-": none of POLLPRI, POLLERR, POLLHUP),
 * one line per PATH in order; then what a read from offset 0 now gives
 * ("read ok" or the errno name), and once more the revents after that
 * read (a read consumes the change). With -g, the poll starts only once
 * GOFILE exists (a change made before it must be reported at once).
 *
 * With -i, inotify instead: watch every PATH, create READYFILE, collect
 * events for TIMEOUT_MS, then print per PATH the events seen ("MODIFY",
 * "ATTRIB", "MODIFY|ATTRIB" or "-").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES	16

static void print_revents(short r)
{
	char out[32] = "";

	if (r & POLLPRI)
		strcat(out, "PRI|");
	if (r & POLLERR)
		strcat(out, "ERR|");
	if (r & POLLHUP)
		strcat(out, "HUP|");
	if (!out[0])
		strcpy(out, "-|");
	out[strlen(out) - 1] = '\0';
	printf("%s", out);
}

static const char *read_all(int fd)
{
	char buf[4096];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return strerrorname_np(errno);
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	return n < 0 ? strerrorname_np(errno) : "ok";
}

static int make_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	if (fd < 0)
		return -1;
	return close(fd);
}

static int watch_inotify(int argc, char **argv)
{
	int i, n = argc - 3, fd, wd[MAX_FILES], seen[MAX_FILES] = { 0 };
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p;
	ssize_t len;

	fd = inotify_init1(IN_NONBLOCK);
	if (fd < 0 || n > MAX_FILES)
		return 1;
	for (i = 0; i < n; i++) {
		wd[i] = inotify_add_watch(fd, argv[3 + i], IN_MODIFY | IN_ATTRIB);
		if (wd[i] < 0) {
			fprintf(stderr, "%s: %s\n", argv[3 + i], strerror(errno));
			return 1;
		}
	}
	if (make_ready(argv[2]) < 0)
		return 1;
	p.fd = fd;
	p.events = POLLIN;
	while (poll(&p, 1, atoi(argv[1])) > 0) {
		len = read(fd, buf, sizeof(buf));
		for (char *q = buf; len > 0 && q < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)q;

			for (i = 0; i < n; i++)
				if (wd[i] == ev->wd)
					seen[i] |= ev->mask;
			q += sizeof(*ev) + ev->len;
		}
	}
	for (i = 0; i < n; i++)
		printf("%s\n", (seen[i] & IN_MODIFY) && (seen[i] & IN_ATTRIB) ?
		       "MODIFY|ATTRIB" : seen[i] & IN_MODIFY ? "MODIFY" :
		       seen[i] & IN_ATTRIB ? "ATTRIB" : "-");
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd p[MAX_FILES];
	const char *go = NULL;
	int i, n, ret;
	struct stat st;

	if (argc > 1 && !strcmp(argv[1], "-i"))
		return watch_inotify(argc - 1, argv + 1);
	if (argc > 2 && !strcmp(argv[1], "-g")) {
		go = argv[2];
		argc -= 2;
		argv += 2;
	}
	n = argc - 3;
	if (argc < 4 || n > MAX_FILES) {
		fprintf(stderr, "usage: pollwait [-g GOFILE] TIMEOUT_MS READYFILE PATH...\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		p[i].fd = open(argv[3 + i], O_RDONLY);
		if (p[i].fd < 0) {
			fprintf(stderr, "%s: %s\n", argv[3 + i], strerror(errno));
			return 1;
		}
		p[i].events = POLLPRI;
		if (strcmp(read_all(p[i].fd), "ok")) {
			fprintf(stderr, "%s: first read failed\n", argv[3 + i]);
			return 1;
		}
	}
	if (make_ready(argv[2]) < 0)
		return 1;
	for (i = 0; go && stat(go, &st) < 0 && i < 500; i++)
		usleep(20000);
	ret = poll(p, n, atoi(argv[1]));
	if (ret < 0) {
		perror("poll");
		return 1;
	}
	printf("%s\n", ret ? "woke" : "timeout");
	usleep(200000);
	poll(p, n, 0);
	for (i = 0; i < n; i++) {
		print_revents(p[i].revents);
		printf("\n");
	}
	for (i = 0; i < n; i++) {
		printf("read %s ", read_all(p[i].fd));
		poll(&p[i], 1, 0);
		print_revents(p[i].revents);
		printf("\n");
	}
	for (i = 0; i < n; i++)
		close(p[i].fd);
	return 0;
}
