// SPDX-License-Identifier: MIT
/*
 * U-Boot environment. Each copy is env_size bytes: a little-endian CRC-32
 * of the data area, a flags byte (redundant environments only), then the
 * data area of "name=value\0" strings ended by an empty string and padded.
 * Every change obeys the environment's own .flags (uboot_flags.c), so that
 * no write path can store what U-Boot and fw_setenv would refuse.
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
	enum uboot_redund scheme;
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

/*
 * U-Boot's rule for parallel NOR (env/flash.c): active beats obsolete;
 * equal flags, or a write cut short before the old copy was marked
 * obsolete, take the first copy; else an erased flags byte (0xff) wins.
 * U-Boot leaves other pairs undecided: take the copy not obsolete.
 */
static int uenv_active_bool(uint8_t f0, uint8_t f1)
{
	if (f0 == UBOOT_ENV_ACTIVE && f1 == UBOOT_ENV_OBSOLETE)
		return 0;
	if (f0 == UBOOT_ENV_OBSOLETE && f1 == UBOOT_ENV_ACTIVE)
		return 1;
	if (f0 == f1 || f0 == 0xff)
		return 0;
	if (f1 == 0xff)
		return 1;
	return f0 == UBOOT_ENV_OBSOLETE;
}

int uboot_env_parse(const uint8_t *copy0, const uint8_t *copy1,
		    size_t env_size, struct uboot_env **out,
		    char *why, size_t whylen)
{
	return uboot_env_parse_redund(copy0, copy1, env_size,
				      UBOOT_REDUND_COUNT, out, why, whylen);
}

int uboot_env_parse_redund(const uint8_t *copy0, const uint8_t *copy1,
			   size_t env_size, enum uboot_redund scheme,
			   struct uboot_env **out, char *why, size_t whylen)
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
	if (ok[0] && ok[1] && scheme == UBOOT_REDUND_BOOL)
		first = uenv_active_bool(copy0[UBOOT_ENV_FLAGS_AT],
					 copy1[UBOOT_ENV_FLAGS_AT]);
	else if (ok[0] && ok[1])
		first = uenv_newer(copy0[UBOOT_ENV_FLAGS_AT],
				   copy1[UBOOT_ENV_FLAGS_AT]);
	else
		first = ok[1];

	env = calloc(1, sizeof(*env));
	if (!env)
		return uenv_fail(why, whylen, -ENOMEM, "out of memory");
	env->env_size = env_size;
	env->redundant = redundant;
	env->scheme = scheme;

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
			env->flags = redundant ? copies[c][UBOOT_ENV_FLAGS_AT] : 0;
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

static const char *uenv_get(const struct uboot_env *env, const char *name)
{
	ssize_t i = uenv_find(env, name, strlen(name));

	return i < 0 ? NULL : env->vars[i].value;
}

/* The operations on @name that its flags in @list forbid and that
 * matter in its present state: creating it, or changing it. */
static unsigned int uenv_forbidden(const char *list, const char *name,
				   size_t len, bool exists)
{
	struct uboot_var_flags f = uboot_flags_lookup_n(list, name, len);

	return uboot_flags_forbids(f.access) &
	       (exists ? UBOOT_FORBID_OVERWRITE | UBOOT_FORBID_DELETE :
			 UBOOT_FORBID_CREATE);
}

struct uenv_lift {
	const struct uboot_env *env;
	const char *old, *new;
};

/* Does a .flags going from lift->old to lift->new let through what the
 * old one forbade for this name? */
static int uenv_lifted(const char *name, size_t len,
		       struct uboot_var_flags unused, void *priv)
{
	const struct uenv_lift *l = priv;
	bool exists = uenv_find(l->env, name, len) >= 0;

	return (uenv_forbidden(l->old, name, len, exists) &
		~uenv_forbidden(l->new, name, len, exists)) != 0;
}

/*
 * A new .flags (@new, NULL: removed) may add and tighten entries, not
 * lift a protection the old one gives a variable: otherwise a read-only
 * variable would be one write of .flags away from writable. fw_setenv
 * (libubootenv 0.3.2) goes further and never lets .flags be changed once
 * it protects anything.
 */
static bool uenv_lifts(const struct uboot_env *env, const char *new)
{
	struct uenv_lift l = { env, uenv_get(env, UBOOT_FLAGS_VAR), new };
	struct uboot_var_flags none = { 0 };
	size_t i;

	for (i = 0; i < env->n; i++)
		if (uenv_lifted(env->vars[i].name, strlen(env->vars[i].name),
				none, &l))
			return true;
	/* Names listed but absent: read-only ones must stay uncreatable. */
	return uboot_flags_walk(l.old, uenv_lifted, &l) != 0;
}

/*
 * May @name become @value (NULL: be deleted)? As U-Boot's env/flags.c
 * decides, with the environment's .flags only: the static list U-Boot
 * builds in (ethaddr and serial# write-once unless CONFIG_ENV_OVERWRITE)
 * depends on how it was built, and fw_setenv does not apply it either.
 */
static int uenv_allowed(const struct uboot_env *env, const char *name,
			size_t nlen, bool exists, const char *value)
{
	const char *list = uenv_get(env, UBOOT_FLAGS_VAR);
	struct uboot_var_flags f = uboot_flags_lookup_n(list, name, nlen);
	unsigned int op = !exists ? UBOOT_FORBID_CREATE :
			  value ? UBOOT_FORBID_OVERWRITE : UBOOT_FORBID_DELETE;

	if (uboot_flags_forbids(f.access) & op)
		return -EROFS;
	if (value && uboot_flags_check_type(f.type, value) < 0)
		return -EINVAL;
	if (!strcmp(name, UBOOT_FLAGS_VAR) && uenv_lifts(env, value))
		return -EROFS;
	return 0;
}

bool uboot_env_read_only(const struct uboot_env *env, const char *name)
{
	size_t len = strlen(name);

	return uenv_forbidden(uenv_get(env, UBOOT_FLAGS_VAR), name, len,
			      uenv_find(env, name, len) >= 0) &
	       (UBOOT_FORBID_CREATE | UBOOT_FORBID_OVERWRITE);
}

int uboot_env_set(struct uboot_env *env, const char *name, const char *value)
{
	size_t nlen, vlen, used, room;
	ssize_t i;
	char *n = NULL, *v = NULL;
	int ret;

	if (!name || !value)
		return -EINVAL;
	nlen = strlen(name);
	vlen = strlen(value);
	if (!nlen || strchr(name, '='))
		return -EINVAL;

	used = uenv_used(env);
	i = uenv_find(env, name, nlen);
	if (i >= 0 && !strcmp(env->vars[i].value, value))
		return 0;
	ret = uenv_allowed(env, name, nlen, i >= 0, value);
	if (ret < 0)
		return ret;
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
	int ret;

	if (!name)
		return -ENOENT;
	i = uenv_find(env, name, strlen(name));
	if (i < 0)
		return -ENOENT;
	ret = uenv_allowed(env, name, strlen(name), true, NULL);
	if (ret < 0)
		return ret;
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
	if (env->scheme == UBOOT_REDUND_BOOL)
		return UBOOT_ENV_ACTIVE;
	return (uint8_t)(env->flags + 1);
}

bool uboot_env_retire(const struct uboot_env *env, uint8_t *byte)
{
	if (!env->redundant || env->scheme != UBOOT_REDUND_BOOL)
		return false;
	/* Clearing bits only: NOR flash takes it without an erase. */
	*byte = UBOOT_ENV_OBSOLETE;
	return true;
}
