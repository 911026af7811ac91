// SPDX-License-Identifier: MIT
/*
 * The file provider on temporary image files and on loop block devices.
 * The loop tests need root and /dev/loop-control (CI has both); they fail,
 * not skip, without them.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "providers/file.h"

#define IMG_SIZE 10007		/* not a multiple of any chunk */
#define LOOP_SIZE (256 * 1024)

struct fixture {
	char path[64];
	char loop[64];		/* attached loop device, "" if none */
	void *priv;
	struct nvmem_provider_info info;
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 8));
}

static void make_image(struct fixture *f, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t i;
	int fd;

	assert_non_null(buf);
	for (i = 0; i < size; i++)
		buf[i] = pattern(i);
	strcpy(f->path, "/tmp/nvmemfs-test-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
}

/* What a plain read(2) of @path sees at @off. */
static void read_back(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static int setup_image(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	make_image(f, IMG_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f->priv)
		file_provider_ops.destroy(f->priv);
	if (f->loop[0]) {
		snprintf(cmd, sizeof(cmd), "losetup -d %s", f->loop);
		if (system(cmd) != 0)
			fprintf(stderr, "could not detach %s\n", f->loop);
	}
	unlink(f->path);
	free(f);
	return 0;
}

static void test_image_info(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info), 0);
	assert_int_equal(f->info.size, IMG_SIZE);
	assert_int_equal(f->info.type, NVMEM_TYPE_UNKNOWN);
	assert_false(f->info.read_only);
	/* never unplugged: a whole FUSE request per call */
	assert_int_equal(f->info.read_chunk, 1024 * 1024);
	assert_int_equal(f->info.write_chunk, 4096);
	assert_string_equal(file_provider_ops.name, "file");
	assert_non_null(file_provider_ops.write);
}

static void test_image_read(void **state)
{
	static const struct { uint64_t off; size_t len; } reads[] = {
		{ 0, 1 }, { 0, 4096 }, { 1, 17 }, { 4095, 2 }, { 5000, 5007 },
		{ IMG_SIZE - 1, 1 }, { 0, IMG_SIZE },
	};
	struct fixture *f = *state;
	uint8_t buf[IMG_SIZE];
	size_t i, j;

	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info), 0);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(file_provider_ops.read(f->priv, reads[i].off, buf,
							reads[i].len),
				 reads[i].len);
		for (j = 0; j < reads[i].len; j++) {
			if (buf[j] != pattern(reads[i].off + j))
				fail_msg("read at %llu: byte %zu wrong",
					 (unsigned long long)reads[i].off, j);
		}
	}
}

static void test_image_write(void **state)
{
	struct fixture *f = *state;
	uint8_t data[300], back[320];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)~pattern(1000 + i);
	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info), 0);
	assert_int_equal(file_provider_ops.write(f->priv, 1000, data, sizeof(data)),
			 sizeof(data));

	/* through the file, not the provider: it really is on the file */
	read_back(f->path, 990, back, sizeof(back));
	for (i = 0; i < 10; i++)
		assert_int_equal(back[i], pattern(990 + i));
	assert_memory_equal(back + 10, data, sizeof(data));
	for (i = 310; i < sizeof(back); i++)
		assert_int_equal(back[i], pattern(990 + i));

	/* and the provider reads its own write */
	memset(back, 0, sizeof(back));
	assert_int_equal(file_provider_ops.read(f->priv, 1000, back, sizeof(data)),
			 sizeof(data));
	assert_memory_equal(back, data, sizeof(data));

	/* the last byte of the file */
	assert_int_equal(file_provider_ops.write(f->priv, IMG_SIZE - 1, "z", 1), 1);
	read_back(f->path, IMG_SIZE - 1, back, 1);
	assert_int_equal(back[0], 'z');
}

static void test_image_read_only(void **state)
{
	struct fixture *f = *state;
	uint8_t b = 0x42;

	assert_int_equal(file_provider_open(f->path, true, &f->priv, &f->info), 0);
	assert_true(f->info.read_only);
	assert_int_equal(f->info.size, IMG_SIZE);
	assert_int_equal(file_provider_ops.read(f->priv, 3, &b, 1), 1);
	assert_int_equal(b, pattern(3));
	/* even a stray write cannot change the file */
	b = ~pattern(3);
	assert_true(file_provider_ops.write(f->priv, 3, &b, 1) < 0);
	read_back(f->path, 3, &b, 1);
	assert_int_equal(b, pattern(3));
}

static void test_image_cancel(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[16];

	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info), 0);
	assert_int_equal(file_provider_ops.read(f->priv, 0, buf, sizeof(buf)), sizeof(buf));
	file_provider_ops.cancel(f->priv);
	assert_int_equal(file_provider_ops.read(f->priv, 0, buf, sizeof(buf)), -ENODEV);
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(file_provider_ops.write(f->priv, 0, buf, sizeof(buf)), -ENODEV);
	read_back(f->path, 0, buf, 1);
	assert_int_equal(buf[0], pattern(0));
}

/* A file cut short behind our back yields errors, never made-up bytes. */
static void test_image_truncated(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[100];

	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info), 0);
	assert_int_equal(truncate(f->path, 5000), 0);
	assert_int_equal(file_provider_ops.read(f->priv, 6000, buf, sizeof(buf)), -EIO);
	assert_int_equal(file_provider_ops.read(f->priv, 4950, buf, sizeof(buf)), 50);
	assert_int_equal(buf[49], pattern(4999));
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/nvmemfs-test-XXXXXX";

	assert_int_equal(file_provider_open("/nonexistent/image", false, &f->priv,
					    &f->info), -ENOENT);
	assert_int_equal(file_provider_open("/nonexistent/image", true, &f->priv,
					    &f->info), -ENOENT);
	/* a character device that is not MTD: not a memory */
	assert_int_equal(file_provider_open("/dev/null", true, &f->priv, &f->info),
			 -ENOTSUP);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(file_provider_open(dir, false, &f->priv, &f->info), -EISDIR);
	rmdir(dir);
	/* nothing to serve, like a loop device without a backing file */
	assert_int_equal(truncate(f->path, 0), 0);
	assert_int_equal(file_provider_open(f->path, false, &f->priv, &f->info),
			 -ENOMEDIUM);
	assert_null(f->priv);
}

/* --- loop block devices --- */

static void attach_loop(struct fixture *f, bool read_only)
{
	char cmd[128];
	FILE *p;

	if (access("/dev/loop-control", F_OK))
		fail_msg("/dev/loop-control is missing: the loop device tests "
			 "need the loop driver (modprobe loop) and root");
	snprintf(cmd, sizeof(cmd), "losetup %s -f --show %s",
		 read_only ? "-r" : "", f->path);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(f->loop, sizeof(f->loop), p))
		f->loop[0] = 0;
	pclose(p);
	f->loop[strcspn(f->loop, "\n")] = 0;
	if (!f->loop[0])
		fail_msg("'%s' failed: the loop device tests need root", cmd);
}

static int setup_loop(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	make_image(f, LOOP_SIZE);
	*state = f;
	return 0;
}

static void test_loop_read_write(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[70000], back[200];
	size_t i;

	attach_loop(f, false);
	assert_int_equal(file_provider_open(f->loop, false, &f->priv, &f->info), 0);
	/* unpluggable: small chunks bound how long an unplug waits */
	assert_int_equal(f->info.read_chunk, 64 * 1024);
	assert_int_equal(f->info.size, LOOP_SIZE);
	assert_false(f->info.read_only);
	assert_int_equal(f->info.type, NVMEM_TYPE_UNKNOWN);

	/* one read_chunk, unaligned */
	assert_int_equal(file_provider_ops.read(f->priv, 12345, buf, 65536), 65536);
	for (i = 0; i < 65536; i++) {
		if (buf[i] != pattern(12345 + i))
			fail_msg("loop read: byte %zu wrong", i);
	}

	/* an unaligned write lands on the block device... */
	memset(buf, 0x3c, 150);
	assert_int_equal(file_provider_ops.write(f->priv, 4000, buf, 150), 150);
	read_back(f->loop, 3975, back, 200);
	for (i = 0; i < 200; i++)
		assert_int_equal(back[i], i >= 25 && i < 175 ? 0x3c : pattern(3975 + i));
	/* ...and, being synchronous, in the backing file */
	read_back(f->path, 3975, back, 200);
	for (i = 0; i < 200; i++)
		assert_int_equal(back[i], i >= 25 && i < 175 ? 0x3c : pattern(3975 + i));
}

/* A read-only block device is served read-only, not refused. */
static void test_loop_read_only_fallback(void **state)
{
	struct fixture *f = *state;
	uint8_t b;

	attach_loop(f, true);
	assert_int_equal(file_provider_open(f->loop, false, &f->priv, &f->info), 0);
	assert_true(f->info.read_only);
	assert_int_equal(f->info.size, LOOP_SIZE);
	assert_int_equal(file_provider_ops.read(f->priv, LOOP_SIZE - 1, &b, 1), 1);
	assert_int_equal(b, pattern(LOOP_SIZE - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_image_info, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_image_read, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_image_write, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_image_read_only, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_image_cancel, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_image_truncated, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup_image, teardown),
		cmocka_unit_test_setup_teardown(test_loop_read_write, setup_loop, teardown),
		cmocka_unit_test_setup_teardown(test_loop_read_only_fallback, setup_loop,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
