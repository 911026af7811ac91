// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the U-Boot environment parser must never crash, and
 * whatever it accepts must survive an edit, serialise into the inactive
 * copy and parse back as the active one. Input: one mode byte (bit 0:
 * redundant), then the copy or copies, env_size bytes each.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes @env's variables take, each "name=value" and its NUL. */
static size_t env_bytes(const struct uboot_env *env)
{
	size_t i, used = 0;

	for (i = 0; i < uboot_env_count(env); i++)
		used += strlen(uboot_env_name(env, i)) + 1 +
			strlen(uboot_env_value(env, i)) + 1;
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uboot_env *env = NULL, *back = NULL;
	const uint8_t *c0, *c1 = NULL;
	uint8_t *copy[2] = { NULL, NULL };
	size_t env_size, n, i;
	bool redundant;
	char why[128];
	int active, err;

	if (size < 1)
		return 0;
	redundant = data[0] & 1;
	data++;
	size--;
	env_size = redundant ? size / 2 : size;
	/* Exact-size copies, so ASan catches a read past one of them. */
	copy[0] = malloc(env_size ? env_size : 1);
	copy[1] = malloc(env_size ? env_size : 1);
	if (!copy[0] || !copy[1])
		goto out;
	memcpy(copy[0], data, env_size);
	c0 = copy[0];
	if (redundant) {
		memcpy(copy[1], data + env_size, env_size);
		c1 = copy[1];
	}

	if (uboot_env_parse(c0, c1, env_size, &env, why, sizeof(why)) < 0) {
		if (env)
			abort();
		goto out;
	}
	n = uboot_env_count(env);
	for (i = 0; i < n; i++)
		if (!uboot_env_name(env, i)[0] ||
		    strchr(uboot_env_name(env, i), '=') ||
		    !uboot_env_value(env, i))
			abort();

	/* The input's own .flags may protect "fuzz" or give it a type. */
	err = uboot_env_set(env, "fuzz", "1");
	if (err && err != -ENOSPC && err != -EROFS && err != -EINVAL)
		abort();
	n = uboot_env_count(env);
	active = uboot_env_active(env);
	if (!redundant)
		active = 1;	/* single: overwrite copy 0 below */
	err = uboot_env_serialise(env, copy[!active], redundant,
				  uboot_env_next_flags(env));
	/* Only variables that left no room for the closing empty string
	 * (read as U-Boot reads them, and not edited) may not fit. */
	if (err && (err != -ENOSPC ||
		    env_bytes(env) != env_size - (redundant ? 5 : 4)))
		abort();
	if (err)
		goto out;
	if (redundant)
		c0 = copy[0], c1 = copy[1];
	else
		c0 = copy[0], c1 = NULL;
	if (uboot_env_parse(c0, c1, env_size, &back, why, sizeof(why)))
		abort();
	if (redundant && uboot_env_active(back) != !active)
		abort();
	if (uboot_env_count(back) != n)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(uboot_env_name(back, i), uboot_env_name(env, i)) ||
		    strcmp(uboot_env_value(back, i), uboot_env_value(env, i)))
			abort();
out:
	uboot_env_free(back);
	uboot_env_free(env);
	free(copy[0]);
	free(copy[1]);
	return 0;
}
