// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: U-Boot's .flags and boolean redundant flags. Input:
 * a .flags list, a variable name, a value and two environment copies,
 * the first three ended by NUL bytes. The .flags reader must never
 * crash; whatever an environment under that .flags refuses must leave it
 * byte for byte as it was, a variable said read-only must refuse every
 * change, and an accepted value must read back. The copies are parsed
 * with boolean flags; a write into the inactive one, with the old one
 * retired, must read back as the active one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

#define FUZZ_ENV 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_entry(const char *name, size_t len,
		       struct uboot_var_flags f, void *priv)
{
	if (!len || memchr(name, ',', len) || memchr(name, ':', len) ||
	    name[0] == ' ' || name[len - 1] == ' ' ||
	    (unsigned int)f.type > UBOOT_TYPE_MAC ||
	    (unsigned int)f.access > UBOOT_ACCESS_CHANGE_DEFAULT)
		abort();
	return 0;
}

/* Take the next NUL-ended string of the input, or all that is left. */
static char *take(const uint8_t **data, size_t *size)
{
	const uint8_t *nul = memchr(*data, 0, *size);
	size_t len = nul ? (size_t)(nul - *data) : *size;
	char *s = strndup((const char *)*data, len);

	*data += nul ? len + 1 : len;
	*size -= nul ? len + 1 : len;
	return s;
}

static const char *get(const struct uboot_env *env, const char *name)
{
	size_t i;

	for (i = 0; i < uboot_env_count(env); i++)
		if (!strcmp(uboot_env_name(env, i), name))
			return uboot_env_value(env, i);
	return NULL;
}

static void fuzz_access(const char *list, const char *name, const char *value)
{
	static uint8_t empty[FUZZ_ENV], before[FUZZ_ENV], after[FUZZ_ENV];
	struct uboot_env *env = NULL;
	const char *old;
	bool ro, exists;
	char why[128];
	uint32_t crc;
	int ret, t;

	for (t = UBOOT_TYPE_STRING; t <= UBOOT_TYPE_MAC; t++)
		uboot_flags_check_type(t, value);
	uboot_flags_walk(list, check_entry, NULL);
	uboot_flags_lookup(list, name);

	/* An environment with the .flags and, if it may be created, the
	 * variable. */
	memset(empty, 0, sizeof(empty));
	crc = crc_32(empty + 4, FUZZ_ENV - 4);
	for (t = 0; t < 4; t++)
		empty[t] = (uint8_t)(crc >> (8 * t));
	if (uboot_env_parse(empty, NULL, FUZZ_ENV, &env, why, sizeof(why)) < 0)
		abort();
	if (uboot_env_set(env, UBOOT_FLAGS_VAR, list) < 0)
		goto out;
	uboot_env_set(env, name, "0");

	old = get(env, name);
	exists = old != NULL;
	ro = uboot_env_read_only(env, name);
	if (uboot_env_serialise(env, before, false, 0) < 0)
		abort();
	ret = uboot_env_set(env, name, value);
	if (ro && !ret && !(exists && !strcmp(old, value)))
		abort();	/* a read-only variable changed */
	if (ret == 0 && strcmp(get(env, name), value))
		abort();
	if (ret < 0) {
		if (uboot_env_serialise(env, after, false, 0) < 0 ||
		    memcmp(before, after, FUZZ_ENV))
			abort();	/* a refused write changed something */
	}
	if (uboot_env_serialise(env, before, false, 0) < 0)
		abort();
	ret = uboot_env_unset(env, name);
	if (ret < 0 && (uboot_env_serialise(env, after, false, 0) < 0 ||
			memcmp(before, after, FUZZ_ENV)))
		abort();
	if (ret == 0 && get(env, name))
		abort();
out:
	uboot_env_free(env);
}

static void fuzz_bool(const uint8_t *data, size_t size)
{
	struct uboot_env *env = NULL, *back = NULL;
	size_t env_size = size / 2;
	uint8_t *copy[2], byte;
	char why[128];
	int active;

	copy[0] = malloc(env_size ? env_size : 1);
	copy[1] = malloc(env_size ? env_size : 1);
	if (!copy[0] || !copy[1])
		goto out;
	memcpy(copy[0], data, env_size);
	memcpy(copy[1], data + env_size, env_size);
	if (uboot_env_parse_redund(copy[0], copy[1], env_size,
				   UBOOT_REDUND_BOOL, &env, why,
				   sizeof(why)) < 0)
		goto out;
	active = uboot_env_active(env);
	if (uboot_env_next_flags(env) != UBOOT_ENV_ACTIVE)
		abort();
	uboot_env_set(env, "fuzz", "1");
	if (uboot_env_serialise(env, copy[!active], true,
				uboot_env_next_flags(env)))
		abort();
	if (!uboot_env_retire(env, &byte))
		abort();
	copy[active][UBOOT_ENV_FLAGS_AT] = byte;
	if (uboot_env_parse_redund(copy[0], copy[1], env_size,
				   UBOOT_REDUND_BOOL, &back, why, sizeof(why)))
		abort();
	if (uboot_env_active(back) != !active ||
	    uboot_env_count(back) != uboot_env_count(env))
		abort();
out:
	uboot_env_free(back);
	uboot_env_free(env);
	free(copy[0]);
	free(copy[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = take(&data, &size);
	char *name = take(&data, &size);
	char *value = take(&data, &size);

	if (list && name && value)
		fuzz_access(list, name, value);
	free(list);
	free(name);
	free(value);
	fuzz_bool(data, size);
	return 0;
}
