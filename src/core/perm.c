// SPDX-License-Identifier: MIT
/*
 * Modes and owners of served files (perm.h has the rules).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "core/perm.h"

int perm_parse_mode(const char *s, mode_t *mode)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "01234567") != strlen(s) || strlen(s) > 5)
		return -EINVAL;
	v = strtoul(s, &end, 8);
	if (v & ~(unsigned long)PERM_FILE_BITS)
		return -EPERM;
	*mode = v;
	return 0;
}

/* A decimal id; ids are 32 bits and -1 means "unchanged" to chown(2). */
static int perm_parse_id(const char *s, uint32_t *id)
{
	unsigned long long v;
	char *end;

	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return 1;	/* not a number: a name */
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v >= UINT32_MAX)
		return -EINVAL;
	*id = v;
	return 0;
}

static int perm_lookup_user(const char *name, uint32_t *id)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
		return -ENOENT;
	*id = res->pw_uid;
	return 0;
}

static int perm_lookup_group(const char *name, uint32_t *id)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) || !res)
		return -ENOENT;
	*id = res->gr_gid;
	return 0;
}

/* A number as it is, a name through @lookup, as chown(1) takes them. */
static int perm_parse_name(const char *s, uint32_t *id,
			   int (*lookup)(const char *name, uint32_t *id))
{
	int ret;

	if (!*s)
		return -EINVAL;
	ret = perm_parse_id(s, id);
	return ret <= 0 ? ret : lookup(s, id);
}

int perm_parse_user(const char *s, uid_t *uid)
{
	return perm_parse_name(s, uid, perm_lookup_user);
}

int perm_parse_group(const char *s, gid_t *gid)
{
	return perm_parse_name(s, gid, perm_lookup_group);
}

static void perm_apply(struct nvmem_perm *p, const struct perm_override *o)
{
	if (!o)
		return;
	if (o->set & PERM_SET_MODE)
		p->mode = o->mode;
	if (o->set & PERM_SET_UID)
		p->uid = o->uid;
	if (o->set & PERM_SET_GID)
		p->gid = o->gid;
}

struct nvmem_perm perm_device(const struct nvmem_perm *backing,
			      const struct perm_override *o, bool read_only)
{
	struct nvmem_perm p = *backing;

	perm_apply(&p, o);
	p.mode &= PERM_FILE_BITS;
	if (read_only)
		p.mode &= ~PERM_WRITE_BITS;
	return p;
}

struct nvmem_perm perm_cell(const struct nvmem_perm *dev,
			    const struct perm_override *o, bool read_only)
{
	struct nvmem_perm p = *dev;

	/* The device's write bits already say who may write its bytes; a
	 * read-only cell drops them, a configured mode replaces both. */
	if (read_only)
		p.mode &= ~PERM_WRITE_BITS;
	perm_apply(&p, o);
	p.mode &= PERM_FILE_BITS;
	if (read_only)
		p.mode &= ~PERM_WRITE_BITS;
	return p;
}

struct nvmem_perm perm_info(const struct nvmem_perm *dev)
{
	struct nvmem_perm p = *dev;

	p.mode &= PERM_READ_BITS;
	return p;
}
