// SPDX-License-Identifier: MIT
/*
 * stressread PATH IMAGE THREADS STOPFILE
 *
 * THREADS readers open PATH through the mount and pread random ranges,
 * verifying every byte against IMAGE, until STOPFILE exists. A handle
 * that got ENODEV must keep answering ENODEV; then the reader reopens
 * (ENOENT while the device is away is expected). Prints the counts and
 * exits 1 on any wrong byte or unexpected error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *path, *stopfile;
static unsigned char *image;
static size_t image_size;
static atomic_long ok, enodev, enoent, wrong, other;

static void *reader(void *arg)
{
	unsigned int r = (unsigned int)(uintptr_t)arg * 2654435761u;
	unsigned char buf[70000];

	while (access(stopfile, F_OK)) {
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			atomic_fetch_add(errno == ENOENT || errno == ENODEV ?
					 &enoent : &other, 1);
			if (errno != ENOENT && errno != ENODEV)
				fprintf(stderr, "open: %s\n", strerror(errno));
			usleep(200);
			continue;
		}
		for (int k = 0; k < 50; k++) {
			size_t off, len;
			ssize_t n;

			r = r * 1103515245 + 12345;
			off = (r >> 3) % image_size;
			len = 1 + (r >> 11) % sizeof(buf);
			n = pread(fd, buf, len, off);
			if (n < 0 && errno == ENODEV) {
				atomic_fetch_add(&enodev, 1);
				/* gone is forever for this handle */
				if (pread(fd, buf, 16, 0) >= 0 || errno != ENODEV) {
					fprintf(stderr, "handle revived after ENODEV\n");
					atomic_fetch_add(&other, 1);
				}
				break;
			}
			if (n < 0) {
				fprintf(stderr, "pread: %s\n", strerror(errno));
				atomic_fetch_add(&other, 1);
				break;
			}
			if ((size_t)n != (len < image_size - off ? len : image_size - off) ||
			    memcmp(buf, image + off, n)) {
				fprintf(stderr, "wrong bytes at %zu (+%zd)\n", off, n);
				atomic_fetch_add(&wrong, 1);
				break;
			}
			atomic_fetch_add(&ok, 1);
		}
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[64];
	struct stat st;
	FILE *f;
	int i, n;

	if (argc != 5)
		return 2;
	path = argv[1];
	stopfile = argv[4];
	n = atoi(argv[3]);
	if (n < 1 || n > 64 || stat(argv[2], &st) < 0)
		return 2;
	image_size = st.st_size;
	image = malloc(image_size);
	f = fopen(argv[2], "rb");
	if (!f || fread(image, 1, image_size, f) != image_size)
		return 2;
	fclose(f);

	for (i = 0; i < n; i++)
		pthread_create(&threads[i], NULL, reader, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	printf("verified %ld enodev %ld enoent %ld wrong %ld other %ld\n",
	       atomic_load(&ok), atomic_load(&enodev), atomic_load(&enoent),
	       atomic_load(&wrong), atomic_load(&other));
	free(image);
	return atomic_load(&wrong) || atomic_load(&other) ? 1 : 0;
}
