// SPDX-License-Identifier: MIT
/*
 * U-Boot's ".flags" variable: "name:TA,name:TA,..." gives a variable a
 * type T (s string, d decimal, x hex, b bool, i IP address, m MAC
 * address) and an access A (a any, r read-only, o write-once, c
 * change-default). Pure: reads the list it is given, allocates nothing.
 *
 * Read as U-Boot's env_attr walk reads it: entries split at ',', name and
 * attributes at the first ':', blanks around both dropped, entries
 * without a name ignored, the last entry of a name wins. Each attribute
 * letter sets the type or the access by which set it belongs to (the
 * sets do not overlap), as libubootenv reads them: for every well-formed
 * entry ("so", "xr") that is U-Boot's reading too, and a lone "r" makes a
 * variable read-only, as fw_setenv takes it, rather than nothing.
 * Unknown letters are ignored, as both ignore them.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "layouts/layout.h"

static const char uflags_types[] = "sdxbim";	/* enum uboot_var_type */
static const char uflags_access[] = "aroc";	/* enum uboot_var_access */

static void uflags_trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static struct uboot_var_flags uflags_attrs(const char *s, const char *e)
{
	struct uboot_var_flags f = { UBOOT_TYPE_STRING, UBOOT_ACCESS_ANY };
	const char *p;

	for (; s < e; s++) {
		if (!*s)
			break;
		if ((p = strchr(uflags_types, *s)))
			f.type = (enum uboot_var_type)(p - uflags_types);
		else if ((p = strchr(uflags_access, *s)))
			f.access = (enum uboot_var_access)(p - uflags_access);
	}
	return f;
}

int uboot_flags_walk(const char *list, uboot_flags_fn fn, void *priv)
{
	const char *entry = list;

	if (!list)
		return 0;
	while (*entry) {
		const char *end = strchr(entry, ',');
		const char *colon, *ns, *ne, *as = NULL, *ae = NULL;
		int ret;

		if (!end)
			end = entry + strlen(entry);
		colon = memchr(entry, ':', (size_t)(end - entry));
		ns = entry;
		ne = colon ? colon : end;
		uflags_trim(&ns, &ne);
		if (colon) {
			as = colon + 1;
			ae = end;
			uflags_trim(&as, &ae);
		}
		if (ne > ns) {
			ret = fn(ns, (size_t)(ne - ns), uflags_attrs(as, ae), priv);
			if (ret)
				return ret;
		}
		if (!*end)
			break;
		entry = end + 1;
	}
	return 0;
}

struct uflags_find {
	const char *name;
	size_t len;
	struct uboot_var_flags f;
};

static int uflags_match(const char *name, size_t len,
			struct uboot_var_flags f, void *priv)
{
	struct uflags_find *q = priv;

	if (len == q->len && !memcmp(name, q->name, len))
		q->f = f;	/* the last one wins */
	return 0;
}

struct uboot_var_flags uboot_flags_lookup_n(const char *list, const char *name,
					    size_t len)
{
	struct uflags_find q = {
		.name = name,
		.len = len,
		.f = { UBOOT_TYPE_STRING, UBOOT_ACCESS_ANY },
	};

	uboot_flags_walk(list, uflags_match, &q);
	return q.f;
}

struct uboot_var_flags uboot_flags_lookup(const char *list, const char *name)
{
	return uboot_flags_lookup_n(list, name, strlen(name));
}

/* Up to @max digits (-1: any number), decimal or hex; returns the end. */
static const char *uflags_digits(const char *s, bool hex, int max)
{
	for (; max && *s; max--, s++)
		if (hex ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
			break;
	return s;
}

static bool uflags_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* U-Boot's check of an IP address: four groups of 1 to 3 digits. */
static bool uflags_ip(const char *s)
{
	const char *e;
	int i;

	for (i = 0; i < 4; i++) {
		e = uflags_digits(s, false, 3);
		if (e == s || *e != (i == 3 ? '\0' : '.'))
			return false;
		s = e + 1;
	}
	return true;
}

/* Six groups of 1 or 2 hex digits, apart by ':'. */
static bool uflags_mac(const char *s)
{
	const char *e;
	int i;

	for (i = 0; i < 6; i++) {
		e = uflags_digits(s, true, 2);
		if (e == s || *e != (i == 5 ? '\0' : ':'))
			return false;
		s = e + 1;
	}
	return true;
}

int uboot_flags_check_type(enum uboot_var_type type, const char *value)
{
	const char *s = value;
	bool ok;

	switch (type) {
	case UBOOT_TYPE_DECIMAL:
		ok = *s && !*uflags_digits(s, false, -1);
		break;
	case UBOOT_TYPE_HEX:
		/* The 0x is optional; a lone 0x is no number. */
		if (uflags_hex_prefix(s))
			s += 2;
		ok = *s && !*uflags_digits(s, true, -1);
		break;
	case UBOOT_TYPE_BOOL:
		ok = s[0] && strchr("1yYtT0nNfF", s[0]) && !s[1];
		break;
	case UBOOT_TYPE_IP:
		ok = uflags_ip(s);
		break;
	case UBOOT_TYPE_MAC:
		ok = uflags_mac(s);
		break;
	default:
		ok = true;
		break;
	}
	return ok ? 0 : -EINVAL;
}

/*
 * What an access forbids, as U-Boot's env/flags.c masks say: read-only
 * forbids creating, overwriting and deleting; write-once overwriting and
 * deleting; change-default deleting and changing a value that is not the
 * default (nvmemfs does not know U-Boot's built-in default, so it lets
 * that change through, as fw_setenv does).
 */
unsigned int uboot_flags_forbids(enum uboot_var_access access)
{
	switch (access) {
	case UBOOT_ACCESS_READ_ONLY:
		return UBOOT_FORBID_CREATE | UBOOT_FORBID_OVERWRITE |
		       UBOOT_FORBID_DELETE;
	case UBOOT_ACCESS_WRITE_ONCE:
		return UBOOT_FORBID_OVERWRITE | UBOOT_FORBID_DELETE;
	case UBOOT_ACCESS_CHANGE_DEFAULT:
		return UBOOT_FORBID_DELETE;
	default:
		return 0;
	}
}
