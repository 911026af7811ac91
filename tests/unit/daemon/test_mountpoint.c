// SPDX-License-Identifier: MIT
/* What is mounted where: the mountinfo reader behind start-up checks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/mountpoint.h"

static void test_mountinfo(void **state)
{
	static const char text[] =
		"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"40 22 0:35 / /mnt/nvmem rw,nosuid shared:20 - fuse.sshfs host: rw\n"
		"41 40 0:36 / /mnt/nvmem rw,nosuid shared:21 - fuse.nvmemfs nvmemfs rw\n"
		"42 22 0:37 / /mnt/with\\040blank rw - fuse.nvmemfs nvmemfs rw\n"
		"43 22 0:38 / /mnt/tagless rw - tmpfs tmpfs rw\n"
		"44 22 0:39 / /mnt/broken rw no-separator\n";
	size_t len = strlen(text);
	char type[32];
	long id = 0;

	/* The topmost mount wins, with its mount ID. */
	assert_int_equal(mountinfo_fstype(text, len, "/mnt/nvmem", type,
					  sizeof(type), &id), 1);
	assert_string_equal(type, "fuse.nvmemfs");
	assert_int_equal(id, 41);
	assert_int_equal(mountinfo_fstype(text, len, "/mnt/with blank", type,
					  sizeof(type), NULL), 1);
	assert_string_equal(type, "fuse.nvmemfs");
	assert_int_equal(mountinfo_fstype(text, len, "/mnt/tagless", type,
					  sizeof(type), &id), 1);
	assert_string_equal(type, "tmpfs");
	assert_int_equal(id, 43);
	assert_int_equal(mountinfo_fstype(text, len, "/mnt/broken", type,
					  sizeof(type), NULL), 0);
	assert_int_equal(mountinfo_fstype(text, len, "/mnt", type,
					  sizeof(type), NULL), 0);
	assert_int_equal(mountinfo_fstype(text, len, "/mnt/nvmem", type, 4,
					  NULL), -ENAMETOOLONG);
	/* A prefix is not the mount point. */
	assert_int_equal(mountinfo_fstype(text, 60, "/mnt/nvmem", type,
					  sizeof(type), NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mountinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
