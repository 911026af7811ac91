// SPDX-License-Identifier: MIT
/*
 * U-Boot environment. Each copy is env_size bytes: a little-endian CRC-32
 * of the data area, a flags byte (redundant environments only), then the
 * data area of "name=value\0" strings ended by an empty string and padded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "layouts/layout.h"

struct uboot_var {
	char *name;
	char *value;
};

struct uboot_env {
	size_t env_size;
	bool redundant;
	int active;
	uint8_t flags;		/* of the active copy */
	size_t n;
	struct uboot_var *vars;
	size_t skipped;		/* entries without name=value */
};

static int uenv_fail(char *why, size_t whylen, int err, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
	return err;
}

static size_t uenv_hdr(bool redundant)
{
	return redundant ? 5 : 4;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool uenv_crc_ok(const uint8_t *copy, size_t env_size, bool redundant)
{
	size_t hdr = uenv_hdr(redundant);

	return get_le32(copy) == crc_32(copy + hdr, env_size - hdr);
}

/* Bytes the data area needs for the current variables, terminator
 * included. */
static size_t uenv_used(const struct uboot_env *env)
{
	size_t i, used = 1;

	for (i = 0; i < env->n; i++)
		used += strlen(env->vars[i].name) + 1 +
			strlen(env->vars[i].value) + 1;
	return used;
}

static void uenv_clear(struct uboot_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->vars[i].name);
		free(env->vars[i].value);
	}
	free(env->vars);
	env->vars = NULL;
	env->n = 0;
	env->skipped = 0;
}

void uboot_env_free(struct uboot_env *env)
{
	if (!env)
		return;
	uenv_clear(env);
	free(env);
}

static ssize_t uenv_find(const struct uboot_env *env, const char *name,
			 size_t nlen)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (strlen(env->vars[i].name) == nlen &&
		    !memcmp(env->vars[i].name, name, nlen))
			return (ssize_t)i;
	return -1;
}

/* Takes ownership of @name and @value, also on error. */
static int uenv_put(struct uboot_env *env, char *name, char *value)
{
	struct uboot_var *vars;
	ssize_t i = uenv_find(env, name, strlen(name));

	if (i >= 0) {
		free(env->vars[i].value);
		env->vars[i].value = value;
		free(name);
		return 0;
	}
	vars = realloc(env->vars, (env->n + 1) * sizeof(*vars));
	if (!vars) {
		free(name);
		free(value);
		return -ENOMEM;
	}
	env->vars = vars;
	vars[env->n].name = name;
	vars[env->n].value = value;
	env->n++;
	return 0;
}

/* Split the data area of a copy whose CRC is good. */
static int uenv_load(struct uboot_env *env, const uint8_t *data, size_t len,
		     char *why, size_t whylen)
{
	size_t pos = 0;
	int err;

	while (pos < len && data[pos]) {
		const char *s = (const char *)data + pos;
		const uint8_t *nul = memchr(data + pos, 0, len - pos);
		const char *eq;
		char *name, *value;

		if (!nul) {
			err = uenv_fail(why, whylen, -EINVAL,
					"variable not terminated inside the data area");
			goto err;
		}
		eq = memchr(s, '=', (size_t)((const char *)nul - s));
		if (!eq || eq == s) {
			/* U-Boot's import and libubootenv skip it: so do we,
			 * rather than lose every variable of the copy. */
			env->skipped++;
			pos = (size_t)(nul - data) + 1;
			continue;
		}
		name = strndup(s, (size_t)(eq - s));
		value = strdup(eq + 1);
		if (!name || !value) {
			free(name);
			free(value);
			err = uenv_fail(why, whylen, -ENOMEM, "out of memory");
			goto err;
		}
		/* A later duplicate wins, as when U-Boot imports it. */
		err = uenv_put(env, name, value);
		if (err) {
			uenv_fail(why, whylen, err, "out of memory");
			goto err;
		}
		pos = (size_t)(nul - data) + 1;
	}
	return 0;
err:
	uenv_clear(env);
	return err;
}

/* U-Boot's rule: the larger counter is newer, except that 0 follows 255. */
static int uenv_newer(uint8_t f0, uint8_t f1)
{
	if (f0 == 255 && f1 == 0)
		return 1;
	if (f1 == 255 && f0 == 0)
		return 0;
	return f1 > f0 ? 1 : 0;
}

int uboot_env_parse(const uint8_t *copy0, const uint8_t *copy1,
		    size_t env_size, struct uboot_env **out,
		    char *why, size_t whylen)
{
	const uint8_t *copies[2] = { copy0, copy1 };
	bool redundant = copy1 != NULL, ok[2] = { false, false };
	size_t hdr = uenv_hdr(redundant);
	struct uboot_env *env;
	int first, i, err;

	*out = NULL;
	if (!copy0)
		return uenv_fail(why, whylen, -EINVAL, "no environment copy");
	/* Room for the header and at least the terminating empty string. */
	if (env_size < hdr + 1)
		return uenv_fail(why, whylen, -EINVAL,
				 "environment size smaller than its header");

	ok[0] = uenv_crc_ok(copy0, env_size, redundant);
	if (redundant)
		ok[1] = uenv_crc_ok(copy1, env_size, redundant);
	if (!ok[0] && !ok[1])
		return uenv_fail(why, whylen, -EBADMSG, redundant ?
				 "CRC-32 mismatch in both environment copies" :
				 "CRC-32 mismatch in the environment");
	if (ok[0] && ok[1])
		first = uenv_newer(copy0[4], copy1[4]);
	else
		first = ok[1];

	env = calloc(1, sizeof(*env));
	if (!env)
		return uenv_fail(why, whylen, -ENOMEM, "out of memory");
	env->env_size = env_size;
	env->redundant = redundant;

	/* A copy with a good CRC but garbled contents is as bad as one with
	 * a bad CRC: fall back to the other if it is good. */
	err = -EBADMSG;
	for (i = 0; i < 2; i++) {
		int c = i ? !first : first;

		if (!ok[c])
			continue;
		err = uenv_load(env, copies[c] + hdr, env_size - hdr, why, whylen);
		if (!err) {
			env->active = c;
			env->flags = redundant ? copies[c][4] : 0;
			*out = env;
			return 0;
		}
		if (err == -ENOMEM)
			break;
	}
	free(env);
	return err;
}

int uboot_env_active(const struct uboot_env *env)
{
	return env->active;
}

size_t uboot_env_skipped(const struct uboot_env *env)
{
	return env->skipped;
}

size_t uboot_env_count(const struct uboot_env *env)
{
	return env->n;
}

const char *uboot_env_name(const struct uboot_env *env, size_t i)
{
	return i < env->n ? env->vars[i].name : NULL;
}

const char *uboot_env_value(const struct uboot_env *env, size_t i)
{
	return i < env->n ? env->vars[i].value : NULL;
}

int uboot_env_set(struct uboot_env *env, const char *name, const char *value)
{
	size_t nlen, vlen, used, room;
	ssize_t i;
	char *n = NULL, *v = NULL;

	if (!name || !value)
		return -EINVAL;
	nlen = strlen(name);
	vlen = strlen(value);
	if (!nlen || strchr(name, '='))
		return -EINVAL;

	used = uenv_used(env);
	i = uenv_find(env, name, nlen);
	if (i >= 0)
		used -= nlen + 1 + strlen(env->vars[i].value) + 1;
	room = env->env_size - uenv_hdr(env->redundant);
	if (used + nlen + 1 + vlen + 1 > room)
		return -ENOSPC;

	n = strdup(name);
	v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return -ENOMEM;
	}
	return uenv_put(env, n, v);
}

int uboot_env_unset(struct uboot_env *env, const char *name)
{
	ssize_t i;

	if (!name)
		return -ENOENT;
	i = uenv_find(env, name, strlen(name));
	if (i < 0)
		return -ENOENT;
	free(env->vars[i].name);
	free(env->vars[i].value);
	memmove(&env->vars[i], &env->vars[i + 1],
		(env->n - (size_t)i - 1) * sizeof(env->vars[0]));
	env->n--;
	return 0;
}

int uboot_env_serialise(const struct uboot_env *env, uint8_t *buf,
			bool redundant, uint8_t flags)
{
	size_t hdr = uenv_hdr(redundant), pos, i;
	uint8_t *data = buf + hdr;
	uint32_t crc;

	if (env->env_size < hdr + 1 || uenv_used(env) > env->env_size - hdr)
		return -ENOSPC;

	/* Pad with zeroes, as U-Boot's own export does. */
	memset(buf, 0, env->env_size);
	pos = 0;
	for (i = 0; i < env->n; i++) {
		pos += (size_t)sprintf((char *)data + pos, "%s=%s",
				       env->vars[i].name, env->vars[i].value) + 1;
	}
	/* data[pos] is already the terminating empty string. */
	crc = crc_32(data, env->env_size - hdr);
	buf[0] = (uint8_t)crc;
	buf[1] = (uint8_t)(crc >> 8);
	buf[2] = (uint8_t)(crc >> 16);
	buf[3] = (uint8_t)(crc >> 24);
	if (redundant)
		buf[4] = flags;
	return 0;
}

uint8_t uboot_env_next_flags(const struct uboot_env *env)
{
	return (uint8_t)(env->flags + 1);
}
