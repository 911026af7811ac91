/* SPDX-License-Identifier: MIT */
/* Capture what the code under test logs on stderr, to assert messages. */
#ifndef NVMEMFS_TEST_CAPTURE_H
#define NVMEMFS_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int capture_saved = -1;
static FILE *capture_file;
static char capture_buf[16384];

static inline void capture_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	capture_saved = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

/* Returns everything logged since capture_start(), NUL-terminated. */
static inline const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(capture_saved, STDERR_FILENO);
	close(capture_saved);
	rewind(capture_file);
	n = fread(capture_buf, 1, sizeof(capture_buf) - 1, capture_file);
	capture_buf[n] = '\0';
	fclose(capture_file);
	return capture_buf;
}

#endif
