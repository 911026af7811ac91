// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the mountinfo reader that decides whether a mount
 * point holds an nvmemfs. It must never crash or overrun, and a type it
 * reports must fit the buffer and hold no blank.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/mountpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t type_size = size % 24 + 1;	/* small buffers too */
	char *text = malloc(size ? size : 1), *type = malloc(type_size);
	static const char *const dirs[] = { "/", "/mnt/nvmem", "/a b", "" };
	int ret;

	if (!text || !type)
		abort();
	memcpy(text, data, size);
	ret = mountinfo_fstype(text, size, dirs[size % 4], type, type_size, NULL);
	if (ret == 1 && (strlen(type) >= type_size || strchr(type, ' ')))
		abort();
	if (ret != 0 && ret != 1 && ret != -ENAMETOOLONG)
		abort();
	free(text);
	free(type);
	return 0;
}
