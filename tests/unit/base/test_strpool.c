// SPDX-License-Identifier: MIT
/* The string pool: every copy intact and distinct, across blocks and for
 * strings longer than a block, until the pool is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/strpool.h"

#define N	5000

static void test_many(void **state)
{
	struct strpool p = { 0 };
	static char *copy[N];
	char name[32];
	int i;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%d/c%d", i / 50, i % 50);
		copy[i] = strpool_dup(&p, name);
		assert_non_null(copy[i]);
		name[0] = 'x';	/* a copy, not the caller's buffer */
	}
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "d%d/c%d", i / 50, i % 50);
		assert_string_equal(copy[i], name);
	}
	strpool_free(&p);
	assert_null(p.head);
}

static void test_long(void **state)
{
	struct strpool p = { 0 };
	size_t len = 10000;
	char *big = malloc(len + 1), *a, *b, *c;

	assert_non_null(big);
	memset(big, 'b', len);
	big[len] = '\0';
	a = strpool_dup(&p, "before");
	b = strpool_dup(&p, big);
	c = strpool_dup(&p, "");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_string_equal(a, "before");
	assert_string_equal(b, big);
	assert_string_equal(c, "");
	strpool_free(&p);
	/* Usable again after a free. */
	a = strpool_dup(&p, "again");
	assert_string_equal(a, "again");
	strpool_free(&p);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
