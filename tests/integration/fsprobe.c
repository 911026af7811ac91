// SPDX-License-Identifier: MIT
/*
 * fsprobe: one system call per command, printing exactly what came back,
 * so that shell tests can assert errno values that cat and dd hide.
 *
 *   fsprobe open   PATH rdonly|wronly|rdwr      -> "ok" or errno name
 *   fsprobe pread  PATH OFF LEN                 -> "N" + bytes as hex, or errno
 *   fsprobe pwrite PATH OFF HEXBYTES            -> "N" or errno name (of
 *                                                 the write or the close)
 *   fsprobe write2 PATH TEXT1 TEXT2             -> two writes on one fd,
 *                                                 then close
 *   fsprobe create PATH [TEXT]                  -> creat(), write TEXT,
 *                                                 close: "ok" or errno
 *   fsprobe writefile PATH FILE                 -> FILE's bytes in one
 *                                                 write, then close
 *   fsprobe stat   PATH                         -> "ok" or errno name
 *   fsprobe hold   PATH GOFILE OFF LEN          -> open, wait until GOFILE
 *                                                 exists, then pread; for
 *                                                 handles that outlive an
 *                                                 unplug
 *   fsprobe reread PATH GOFILE OFF LEN          -> as hold, with a pread
 *                                                 before the wait too (so
 *                                                 the kernel may cache it)
 *   fsprobe until  PATH GOFILE OFF LEN HEX      -> as reread, then pread on
 *                                                 the same descriptor every
 *                                                 10 ms until the bytes are
 *                                                 HEX (at most 10 s): the
 *                                                 last bytes read, and the
 *                                                 milliseconds it took
 *   fsprobe vanish PATH DIR OFF LEN             -> open and pread, print
 *                                                 "opened", then as soon as
 *                                                 DIR is gone (checked every
 *                                                 millisecond, at most 10 s)
 *                                                 pread again
 *   fsprobe fstat  PATH GOFILE                  -> as hold, then fstat
 *   fsprobe mmap   PATH shared|private LEN      -> map read-only, print
 *                                                 the bytes, or errno
 *   fsprobe notify SOCKET SECONDS               -> bind a datagram socket at
 *                                                 SOCKET, print the first
 *                                                 message (sd_notify)
 *   fsprobe crc32 FILE OFF LEN                  -> CRC-32 (IEEE) of a range,
 *                                                 as 8 hex digits
 *   fsprobe cycles PATH N                       -> N times open, read,
 *                                                 close: "ok" or errno
 *   fsprobe mkimage FILE SIZE SEED              -> write a patterned image
 *                                                 (byte i = (i*131 + seed*7
 *                                                 + (i>>8)) & 0xff)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int report_errno(int err)
{
	const char *name = strerrorname_np(err);

	printf("%s\n", name ? name : "E?");
	return 0;
}

static int parse_hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1] && n < max) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = v;
		s += 2;
	}
	return n;
}

static void print_bytes(const unsigned char *buf, ssize_t n)
{
	printf("%zd ", n);
	for (ssize_t i = 0; i < n; i++)
		printf("%02x", buf[i]);
	printf("\n");
}

static void wait_for(const char *go)
{
	/* Bounded: a test that never creates the file fails, not hangs. */
	for (int i = 0; i < 60 * 100 && access(go, F_OK); i++)
		usleep(10 * 1000);
}

/* Open @path, show @len bytes at @off, then "opened": the descriptor,
 * or -1 with the errno printed. */
static int open_shown(const char *path, off_t off, size_t len,
		      unsigned char *buf)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		report_errno(errno);
		return -1;
	}
	n = pread(fd, buf, len, off);
	if (n < 0) {
		report_errno(errno);
		close(fd);
		return -1;
	}
	print_bytes(buf, n);
	printf("opened\n");
	fflush(stdout);
	return fd;
}

/* pread and show, or the errno. */
static int show(int fd, off_t off, size_t len, unsigned char *buf)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return report_errno(errno);
	print_bytes(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char buf[65536];
	const char *cmd = argc > 1 ? argv[1] : "";
	ssize_t n;
	int fd, flags;

	if (!strcmp(cmd, "open") && argc == 4) {
		flags = !strcmp(argv[3], "wronly") ? O_WRONLY :
			!strcmp(argv[3], "rdwr") ? O_RDWR : O_RDONLY;
		fd = open(argv[2], flags);
		if (fd < 0)
			return report_errno(errno);
		printf("ok\n");
		close(fd);
		return 0;
	}
	if (!strcmp(cmd, "pread") && argc == 5) {
		size_t len = strtoul(argv[4], NULL, 0);

		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return report_errno(errno);
		if (len > sizeof(buf))
			len = sizeof(buf);
		n = pread(fd, buf, len, strtoll(argv[3], NULL, 0));
		if (n < 0)
			return report_errno(errno);
		print_bytes(buf, n);
		return 0;
	}
	if (!strcmp(cmd, "pwrite") && argc == 5) {
		int len = parse_hex(argv[4], buf, sizeof(buf));

		fd = open(argv[2], O_WRONLY);
		if (fd < 0)
			return report_errno(errno);
		n = pwrite(fd, buf, len, strtoll(argv[3], NULL, 0));
		if (n < 0)
			return report_errno(errno);
		/* A cell's value is stored, or refused, at close. */
		if (close(fd) < 0)
			return report_errno(errno);
		printf("%zd\n", n);
		return 0;
	}
	if ((!strcmp(cmd, "create") && (argc == 3 || argc == 4)) ||
	    (!strcmp(cmd, "writefile") && argc == 4)) {
		static char text[1 << 20];
		size_t len = 0;

		if (cmd[0] == 'c') {
			fd = creat(argv[2], 0644);
			if (argc == 4)
				len = strlen(argv[3]);
			if (len > sizeof(text))
				return 2;
			memcpy(text, argc == 4 ? argv[3] : "", len);
		} else {
			FILE *f = fopen(argv[3], "rb");

			if (!f)
				return 2;
			len = fread(text, 1, sizeof(text), f);
			fclose(f);
			fd = open(argv[2], O_WRONLY | O_TRUNC);
		}
		if (fd < 0)
			return report_errno(errno);
		if (len && write(fd, text, len) < 0)
			return report_errno(errno);
		if (close(fd) < 0)
			return report_errno(errno);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "stat") && argc == 3) {
		struct stat st;

		if (stat(argv[2], &st) < 0)
			return report_errno(errno);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "write2") && argc == 5) {
		fd = open(argv[2], O_WRONLY);
		if (fd < 0)
			return report_errno(errno);
		n = write(fd, argv[3], strlen(argv[3]));
		if (n < 0)
			return report_errno(errno);
		n = write(fd, argv[4], strlen(argv[4]));
		if (n < 0)
			return report_errno(errno);
		if (close(fd) < 0)
			return report_errno(errno);
		printf("%zd\n", n);
		return 0;
	}
	if ((!strcmp(cmd, "hold") && argc == 6) ||
	    (!strcmp(cmd, "reread") && argc == 6) ||
	    (!strcmp(cmd, "fstat") && argc == 4)) {
		struct stat st;

		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return report_errno(errno);
		if (!strcmp(cmd, "reread")) {
			n = pread(fd, buf, strtoul(argv[5], NULL, 0),
				  strtoll(argv[4], NULL, 0));
			if (n < 0)
				return report_errno(errno);
			print_bytes(buf, n);
		}
		printf("opened\n");
		fflush(stdout);
		wait_for(argv[3]);
		if (!strcmp(cmd, "fstat")) {
			if (fstat(fd, &st) < 0)
				return report_errno(errno);
			printf("size %lld\n", (long long)st.st_size);
			return 0;
		}
		n = pread(fd, buf, strtoul(argv[5], NULL, 0),
			  strtoll(argv[4], NULL, 0));
		if (n < 0)
			return report_errno(errno);
		print_bytes(buf, n);
		return 0;
	}
	if (!strcmp(cmd, "mmap") && argc == 5) {
		size_t len = strtoul(argv[4], NULL, 0);
		void *map;

		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			return report_errno(errno);
		map = mmap(NULL, len, PROT_READ,
			   !strcmp(argv[3], "shared") ? MAP_SHARED : MAP_PRIVATE,
			   fd, 0);
		if (map == MAP_FAILED)
			return report_errno(errno);
		print_bytes(map, len);
		return 0;
	}
	if (!strcmp(cmd, "notify") && argc == 4) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		struct timeval tv = { .tv_sec = atoi(argv[3]) };

		fd = socket(AF_UNIX, SOCK_DGRAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[2]);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return report_errno(errno);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		printf("listening\n");
		fflush(stdout);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return report_errno(errno);
		buf[n] = '\0';
		printf("%s\n", buf);
		return 0;
	}
	if (!strcmp(cmd, "crc32") && argc == 5) {
		unsigned long len = strtoul(argv[4], NULL, 0);
		uint32_t crc = 0xffffffff;
		unsigned char *p = malloc(len ? len : 1);

		fd = open(argv[2], O_RDONLY);
		if (fd < 0 || !p)
			return report_errno(errno);
		if (pread(fd, p, len, strtoul(argv[3], NULL, 0)) != (ssize_t)len)
			return report_errno(EIO);
		/* Bitwise, as the ONIE and U-Boot formats define it. */
		for (unsigned long i = 0; i < len; i++) {
			crc ^= p[i];
			for (int b = 0; b < 8; b++)
				crc = crc >> 1 ^ (0xedb88320 & -(crc & 1));
		}
		printf("%08x\n", crc ^ 0xffffffff);
		free(p);
		close(fd);
		return 0;
	}
	if (!strcmp(cmd, "cycles") && argc == 4) {
		unsigned long i, count = strtoul(argv[3], NULL, 0);

		for (i = 0; i < count; i++) {
			fd = open(argv[2], O_RDONLY);
			if (fd < 0)
				return report_errno(errno);
			n = read(fd, buf, sizeof(buf));
			if (n < 0)
				return report_errno(errno);
			close(fd);
		}
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "mkimage") && argc == 5) {
		unsigned long size = strtoul(argv[3], NULL, 0);
		unsigned long seed = strtoul(argv[4], NULL, 0);
		FILE *f = fopen(argv[2], "wb");

		if (!f)
			return report_errno(errno);
		for (unsigned long i = 0; i < size; i++)
			fputc((i * 131 + seed * 7 + (i >> 8)) & 0xff, f);
		return fclose(f) ? report_errno(errno) : 0;
	}
	if (!strcmp(cmd, "vanish") && argc == 6) {
		size_t len = strtoul(argv[5], NULL, 0);
		off_t off = strtoll(argv[4], NULL, 0);

		fd = open_shown(argv[2], off, len, buf);
		if (fd < 0)
			return 0;
		for (int i = 0; i < 10000 && !access(argv[3], F_OK); i++)
			usleep(1000);
		return show(fd, off, len, buf);
	}
	if (!strcmp(cmd, "until") && argc == 7) {
		size_t len = strtoul(argv[5], NULL, 0);
		off_t off = strtoll(argv[4], NULL, 0);
		unsigned char want[256];
		size_t wlen = parse_hex(argv[6], want, sizeof(want));
		int ms = 0;

		fd = open_shown(argv[2], off, len, buf);
		if (fd < 0)
			return 0;
		wait_for(argv[3]);
		for (;;) {
			n = pread(fd, buf, len, off);
			if (n < 0)
				return report_errno(errno);
			if ((size_t)n == wlen && !memcmp(buf, want, wlen))
				break;
			if (ms >= 10000)
				break;
			usleep(10 * 1000);
			ms += 10;
		}
		print_bytes(buf, n);
		printf("%d ms\n", ms);
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of fsprobe.c\n");
	return 2;
}
