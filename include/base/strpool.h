/* SPDX-License-Identifier: MIT */
/*
 * Many short strings that live and die together (the configuration's
 * cell names, a device's fixed cells), packed into shared blocks: a
 * strdup() of a name of a few bytes costs a 32-byte heap chunk, and a
 * board with thousands of cells keeps them all for good.
 *
 * Not thread-safe: each pool has one owner while it is filled (the
 * configuration's parser, a device before registration), and the
 * strings are read-only from then on.
 */
#ifndef NVMEMFS_STRPOOL_H
#define NVMEMFS_STRPOOL_H

struct strpool_block;

struct strpool {
	struct strpool_block *head;	/* the one being filled */
};

/* A copy of @s in @p, valid until strpool_free(); NULL: out of memory. */
char *strpool_dup(struct strpool *p, const char *s);
/* Frees every string of @p; the pool is empty and usable again. */
void strpool_free(struct strpool *p);

#endif
