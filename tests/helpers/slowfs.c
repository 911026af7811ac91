// SPDX-License-Identifier: MIT
/*
 * slowfs: a test file system serving one file, "image", whose reads take
 * a configurable time per KiB, like a slow bus. A loop device on top of
 * it gives a real block device (with real uevents) that is slow enough
 * for an unplug to land in the middle of a long read.
 *
 *   slowfs IMAGE MOUNTPOINT USEC_PER_KIB [FUSE options]
 *
 * The file is opened direct_io so that every read of the loop device
 * really reaches us (no page cache in between).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse.h>

static int backing_fd = -1;
static long usec_per_kib;

static int slow_getattr(const char *path, struct stat *st,
			struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/image"))
		return -ENOENT;
	if (fstat(backing_fd, st) < 0)
		return -errno;
	st->st_mode = S_IFREG | 0644;
	return 0;
}

static int slow_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
			off_t off, struct fuse_file_info *fi,
			enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "image", NULL, 0, 0);
	return 0;
}

static int slow_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/image"))
		return -ENOENT;
	fi->direct_io = 1;
	return 0;
}

static int slow_read(const char *path, char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	ssize_t n;

	usleep(usec_per_kib * ((size + 1023) / 1024));
	n = pread(backing_fd, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int slow_write(const char *path, const char *buf, size_t size,
		      off_t off, struct fuse_file_info *fi)
{
	ssize_t n = pwrite(backing_fd, buf, size, off);

	return n < 0 ? -errno : (int)n;
}

static const struct fuse_operations slow_ops = {
	.getattr = slow_getattr,
	.readdir = slow_readdir,
	.open = slow_open,
	.read = slow_read,
	.write = slow_write,
};

int main(int argc, char **argv)
{
	char *fargv[16];
	int fargc = 0, i;

	if (argc < 4) {
		fprintf(stderr, "usage: slowfs IMAGE MOUNTPOINT USEC_PER_KIB [fuse options]\n");
		return 2;
	}
	backing_fd = open(argv[1], O_RDWR);
	if (backing_fd < 0) {
		perror(argv[1]);
		return 1;
	}
	usec_per_kib = atol(argv[3]);
	fargv[fargc++] = argv[0];
	fargv[fargc++] = argv[2];
	for (i = 4; i < argc && fargc < 15; i++)
		fargv[fargc++] = argv[i];
	fargv[fargc] = NULL;
	return fuse_main(fargc, fargv, &slow_ops, NULL);
}
