/* SPDX-License-Identifier: MIT */
/* Load a configuration from a string in a unit test: it must load, or it
 * must fail with a message that names the file, line and key. */
#ifndef NVMEMFS_TEST_CONFIG_LOAD_H
#define NVMEMFS_TEST_CONFIG_LOAD_H

#include <errno.h>
#include <string.h>

#include "capture.h"
#include "daemon/config.h"

static inline struct config *load_ok(const char *text)
{
	struct config *cfg = NULL;
	const char *log;
	int ret;

	capture_start();
	ret = config_load_string(text, strlen(text), "t.conf", &cfg);
	log = capture_end();
	if (ret)
		fail_msg("unexpected errors:\n%s", log);
	assert_non_null(cfg);
	return cfg;
}

/* Loading must fail and log exactly @want somewhere, as an error. */
static inline void load_bad(const char *text, const char *want)
{
	struct config *cfg = (struct config *)1;
	const char *log;
	int ret;

	capture_start();
	ret = config_load_string(text, strlen(text), "t.conf", &cfg);
	log = capture_end();
	assert_int_equal(ret, -EINVAL);
	assert_null(cfg);
	if (!strstr(log, want))
		fail_msg("expected '%s' in:\n%s", want, log);
	assert_non_null(strstr(log, "<3>nvmemfs: "));
}

#endif
