// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: what is written to <device>/environment. The parser
 * must never crash; what it accepts must name every variable without '='
 * and non-empty, and must apply to an environment as a whole: set into an
 * empty one (or refused with ENOSPC when it does not fit), then parse
 * back from a serialised copy with the same values.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An empty single-copy environment of 4 KiB: CRC, then "\0\0". */
static struct uboot_env *empty_env(void)
{
	static uint8_t copy[4096];
	struct uboot_env *env = NULL;
	char why[128];

	uint32_t crc;

	memset(copy, 0, sizeof(copy));
	crc = crc_32(copy + 4, sizeof(copy) - 4);
	for (int i = 0; i < 4; i++)
		copy[i] = crc >> (8 * i);
	if (uboot_env_parse(copy, NULL, sizeof(copy), &env, why,
			    sizeof(why)) < 0)
		abort();
	return env;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uboot_script s = { 0 };
	struct uboot_env *env = NULL, *back = NULL;
	static uint8_t buf[4096];
	char why[128];
	size_t i;
	int ret;

	ret = uboot_script_parse(&s, data, size);
	if (ret < 0)
		goto out;
	env = empty_env();
	for (i = 0; i < s.n; i++) {
		if (!*s.name[i] || strchr(s.name[i], '=') ||
		    strchr(s.name[i], '\n') || strchr(s.value[i], '\n'))
			abort();
		ret = uboot_env_set(env, s.name[i], s.value[i]);
		if (ret == -ENOSPC)
			goto out;
		if (ret < 0 && ret != -EINVAL && ret != -EROFS)
			abort();
	}
	if (uboot_env_serialise(env, buf, false, 0) < 0)
		abort();
	if (uboot_env_parse(buf, NULL, sizeof(buf), &back, why,
			    sizeof(why)) < 0)
		abort();
	if (uboot_env_count(back) != uboot_env_count(env))
		abort();
	for (i = 0; i < uboot_env_count(env); i++)
		if (strcmp(uboot_env_value(back, i), uboot_env_value(env, i)))
			abort();
out:
	uboot_env_free(back);
	uboot_env_free(env);
	uboot_script_free(&s);
	return 0;
}
