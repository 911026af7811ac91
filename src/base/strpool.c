// SPDX-License-Identifier: MIT
/*
 * String pool (strpool.h): blocks filled in order, each twice the size
 * of the one before up to about a page (a device with a few cells must
 * not pay a page for them); a string longer than that gets a block of
 * its own size.
 */
#include <stdlib.h>
#include <string.h>

#include "base/strpool.h"

struct strpool_block {
	struct strpool_block *next;
	size_t used, size;
	char data[];
};

/* The largest block: malloc() then hands out exactly one page (its chunk
 * header included). */
#define STRPOOL_BLOCK_MAX	(4096 - 2 * sizeof(size_t) - \
				 sizeof(struct strpool_block))
#define STRPOOL_BLOCK_MIN	64

char *strpool_dup(struct strpool *p, const char *s)
{
	size_t len = strlen(s) + 1;
	struct strpool_block *b = p->head;
	char *out;

	if (!b || b->size - b->used < len) {
		size_t size = b ? 2 * b->size : STRPOOL_BLOCK_MIN;

		if (size > STRPOOL_BLOCK_MAX)
			size = STRPOOL_BLOCK_MAX;
		if (size < len)
			size = len;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = p->head;
		p->head = b;
	}
	out = b->data + b->used;
	memcpy(out, s, len);
	b->used += len;
	return out;
}

void strpool_free(struct strpool *p)
{
	struct strpool_block *b;

	while ((b = p->head)) {
		p->head = b->next;
		free(b);
	}
}
