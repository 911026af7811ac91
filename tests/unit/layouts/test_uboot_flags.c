// SPDX-License-Identifier: MIT
/*
 * U-Boot's .flags (types and access of variables) as the environment
 * enforces them on every change, and the boolean redundant flags of
 * parallel NOR flash, against images built here from U-Boot's format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layouts/layout.h"
#include "uboot_copy.h"

#define ENV_SIZE 512

static void env_build(uint8_t *copy, bool redundant, uint8_t flags,
		      const char *data, size_t dlen)
{
	uboot_copy_build(copy, ENV_SIZE, redundant, flags, data, dlen, 0);
}

/* A single-copy environment holding @data ("a=b\0...\0"). */
static struct uboot_env *env_of(const char *data, size_t dlen)
{
	uint8_t c[ENV_SIZE];
	struct uboot_env *env;
	char why[128];

	env_build(c, false, 0, data, dlen);
	assert_int_equal(uboot_env_parse(c, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	return env;
}

static const char *get(const struct uboot_env *env, const char *name)
{
	size_t i;

	for (i = 0; i < uboot_env_count(env); i++)
		if (!strcmp(uboot_env_name(env, i), name))
			return uboot_env_value(env, i);
	return NULL;
}

/* ---- the .flags list ---- */

static void test_flags_lookup(void **state)
{
	const char *list = " serial# : so ,ethaddr:mo,,:xr,ip:i, n:d,ro:r,"
			   "x:xa,x:bc,odd:qz,plain";
	struct uboot_var_flags f;

	f = uboot_flags_lookup(list, "serial#");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_WRITE_ONCE);
	f = uboot_flags_lookup(list, "ethaddr");
	assert_int_equal(f.type, UBOOT_TYPE_MAC);
	assert_int_equal(f.access, UBOOT_ACCESS_WRITE_ONCE);
	f = uboot_flags_lookup(list, "ip");
	assert_int_equal(f.type, UBOOT_TYPE_IP);
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "n");
	assert_int_equal(f.type, UBOOT_TYPE_DECIMAL);
	/* A lone access letter is the access, as fw_setenv reads it. */
	f = uboot_flags_lookup(list, "ro");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_READ_ONLY);
	/* The last entry of a name wins, whole. */
	f = uboot_flags_lookup(list, "x");
	assert_int_equal(f.type, UBOOT_TYPE_BOOL);
	assert_int_equal(f.access, UBOOT_ACCESS_CHANGE_DEFAULT);
	/* Unknown letters, no attributes, not listed, no list at all. */
	f = uboot_flags_lookup(list, "odd");
	assert_int_equal(f.type, UBOOT_TYPE_STRING);
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "plain");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(list, "serial");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	f = uboot_flags_lookup(NULL, "serial#");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
	/* An entry without a name names nothing, not the empty name. */
	f = uboot_flags_lookup(list, "");
	assert_int_equal(f.access, UBOOT_ACCESS_ANY);
}

static int count_entry(const char *name, size_t len,
		       struct uboot_var_flags f, void *priv)
{
	(*(int *)priv)++;
	return 0;
}

static void test_flags_walk(void **state)
{
	int n = 0;

	assert_int_equal(uboot_flags_walk("a:s, ,b,:x,c:", count_entry, &n), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(uboot_flags_walk("", count_entry, &n), 0);
	assert_int_equal(uboot_flags_walk(",,,", count_entry, &n), 0);
	assert_int_equal(uboot_flags_walk(NULL, count_entry, &n), 0);
	assert_int_equal(n, 0);
}

static void test_flags_types(void **state)
{
	static const struct {
		enum uboot_var_type type;
		const char *value;
		bool ok;
	} v[] = {
		{ UBOOT_TYPE_STRING, "", true },
		{ UBOOT_TYPE_STRING, "any thing", true },
		{ UBOOT_TYPE_DECIMAL, "0", true },
		{ UBOOT_TYPE_DECIMAL, "115200", true },
		{ UBOOT_TYPE_DECIMAL, "", false },
		{ UBOOT_TYPE_DECIMAL, "-1", false },
		{ UBOOT_TYPE_DECIMAL, "12a", false },
		{ UBOOT_TYPE_DECIMAL, "0x10", false },
		{ UBOOT_TYPE_HEX, "0x80000000", true },
		{ UBOOT_TYPE_HEX, "0XfF", true },
		{ UBOOT_TYPE_HEX, "deadbeef", true },
		{ UBOOT_TYPE_HEX, "0x", false },
		{ UBOOT_TYPE_HEX, "", false },
		{ UBOOT_TYPE_HEX, "0xg", false },
		{ UBOOT_TYPE_HEX, "12 ", false },
		{ UBOOT_TYPE_BOOL, "1", true },
		{ UBOOT_TYPE_BOOL, "n", true },
		{ UBOOT_TYPE_BOOL, "T", true },
		{ UBOOT_TYPE_BOOL, "yes", false },
		{ UBOOT_TYPE_BOOL, "2", false },
		{ UBOOT_TYPE_BOOL, "", false },
		{ UBOOT_TYPE_IP, "192.168.1.10", true },
		{ UBOOT_TYPE_IP, "0.0.0.0", true },
		{ UBOOT_TYPE_IP, "192.168.1", false },
		{ UBOOT_TYPE_IP, "192.168.1.10.", false },
		{ UBOOT_TYPE_IP, "1234.1.1.1", false },
		{ UBOOT_TYPE_IP, "a.b.c.d", false },
		{ UBOOT_TYPE_IP, "", false },
		{ UBOOT_TYPE_MAC, "00:11:22:aa:BB:cc", true },
		{ UBOOT_TYPE_MAC, "0:1:2:3:4:5", true },
		{ UBOOT_TYPE_MAC, "00:11:22:33:44", false },
		{ UBOOT_TYPE_MAC, "00:11:22:33:44:55:66", false },
		{ UBOOT_TYPE_MAC, "00-11-22-33-44-55", false },
		{ UBOOT_TYPE_MAC, "000:11:22:33:44:55", false },
		{ UBOOT_TYPE_MAC, "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((uboot_flags_check_type(v[i].type, v[i].value) == 0) != v[i].ok)
			fail_msg("type %d, '%s': expected %s", v[i].type,
				 v[i].value, v[i].ok ? "valid" : "invalid");
}

/* ---- enforcement by the environment ---- */

#define ENV_F "ro=1\0wo=x\0cd=5\0n=7\0mac=00:11:22:33:44:55\0free=f\0" \
	      ".flags=ro:sr,wo:so,cd:dc,n:da,mac:mo,never:sr,later:do\0\0"

static void test_access(void **state)
{
	struct uboot_env *env = env_of(ENV_F, sizeof(ENV_F));

	/* Read-only: no overwrite, no delete, no creation. */
	assert_int_equal(uboot_env_set(env, "ro", "2"), -EROFS);
	assert_int_equal(uboot_env_unset(env, "ro"), -EROFS);
	assert_int_equal(uboot_env_set(env, "never", "1"), -EROFS);
	assert_true(uboot_env_read_only(env, "ro"));
	assert_true(uboot_env_read_only(env, "never"));
	/* The value it has is no change: fw_setenv skips it too. */
	assert_int_equal(uboot_env_set(env, "ro", "1"), 0);

	/* Write-once: set, it stays; absent, it may be created once. */
	assert_int_equal(uboot_env_set(env, "wo", "y"), -EROFS);
	assert_int_equal(uboot_env_unset(env, "wo"), -EROFS);
	assert_true(uboot_env_read_only(env, "wo"));
	assert_false(uboot_env_read_only(env, "later"));
	assert_int_equal(uboot_env_set(env, "later", "x"), -EINVAL);
	assert_int_equal(uboot_env_set(env, "later", "42"), 0);
	assert_true(uboot_env_read_only(env, "later"));
	assert_int_equal(uboot_env_set(env, "later", "43"), -EROFS);
	assert_int_equal(uboot_env_set(env, "mac", "00:11:22:33:44:56"), -EROFS);

	/* Change-default: overwritten (the default is U-Boot's, unknown
	 * here), never deleted. */
	assert_false(uboot_env_read_only(env, "cd"));
	assert_int_equal(uboot_env_set(env, "cd", "6"), 0);
	assert_int_equal(uboot_env_set(env, "cd", "six"), -EINVAL);
	assert_int_equal(uboot_env_unset(env, "cd"), -EROFS);

	/* Unlisted: anything. */
	assert_false(uboot_env_read_only(env, "free"));
	assert_int_equal(uboot_env_set(env, "free", "g"), 0);
	assert_int_equal(uboot_env_unset(env, "free"), 0);
	assert_int_equal(uboot_env_unset(env, "free"), -ENOENT);

	/* Nothing refused changed anything. */
	assert_string_equal(get(env, "ro"), "1");
	assert_string_equal(get(env, "wo"), "x");
	assert_string_equal(get(env, "cd"), "6");
	assert_string_equal(get(env, "later"), "42");
	assert_null(get(env, "never"));
	uboot_env_free(env);
}

static void test_types(void **state)
{
	struct uboot_env *env = env_of(ENV_F, sizeof(ENV_F));

	assert_int_equal(uboot_env_set(env, "n", "12a"), -EINVAL);
	assert_int_equal(uboot_env_set(env, "n", ""), -EINVAL);
	assert_string_equal(get(env, "n"), "7");
	assert_int_equal(uboot_env_set(env, "n", "8"), 0);
	assert_string_equal(get(env, "n"), "8");
	uboot_env_free(env);
}

/* .flags itself may be tightened, never loosened. */
static void test_flags_var(void **state)
{
	struct uboot_env *env = env_of(ENV_F, sizeof(ENV_F));
	const char *old = get(env, ".flags");
	char *keep = strdup(old);

	assert_non_null(keep);
	/* Dropping ro's entry, or making it write-once... */
	assert_int_equal(uboot_env_set(env, ".flags",
				       "wo:so,cd:dc,n:da,mac:mo,never:sr,later:do"),
			 -EROFS);
	/* (write-once still keeps a present variable as it is) */
	assert_int_equal(uboot_env_set(env, ".flags",
				       "ro:so,wo:so,cd:dc,n:da,mac:mo,never:sr,later:do"),
			 0);
	assert_int_equal(uboot_env_set(env, ".flags", keep), 0);
	/* ...letting "never" be created, cd be deleted, wo be changed... */
	assert_int_equal(uboot_env_set(env, ".flags",
				       "ro:sr,wo:so,cd:dc,n:da,mac:mo,later:do"),
			 -EROFS);
	assert_int_equal(uboot_env_set(env, ".flags",
				       "ro:sr,wo:so,n:da,mac:mo,never:sr,later:do"),
			 -EROFS);
	assert_int_equal(uboot_env_set(env, ".flags",
				       "ro:sr,wo:sc,cd:dc,n:da,mac:mo,never:sr,later:do"),
			 -EROFS);
	/* ...or removing .flags. */
	assert_int_equal(uboot_env_unset(env, ".flags"), -EROFS);
	assert_string_equal(get(env, ".flags"), keep);

	/* Adding protection and changing types is fine. */
	assert_int_equal(uboot_env_set(env, ".flags",
				       "ro:sr,wo:so,cd:dc,n:xa,mac:mo,never:sr,later:do,free:sr"),
			 0);
	assert_int_equal(uboot_env_set(env, "free", "x"), -EROFS);
	assert_int_equal(uboot_env_set(env, "n", "ff"), 0);
	free(keep);
	uboot_env_free(env);

	/* Without protections, .flags comes and goes freely; a .flags that
	 * protects itself is read-only like any variable. */
	env = env_of("a=1\0\0", 6);
	assert_int_equal(uboot_env_set(env, ".flags", "a:da"), 0);
	assert_int_equal(uboot_env_set(env, "a", "z"), -EINVAL);
	assert_int_equal(uboot_env_unset(env, ".flags"), 0);
	assert_int_equal(uboot_env_set(env, "a", "z"), 0);
	assert_int_equal(uboot_env_set(env, ".flags", ".flags:sr"), 0);
	assert_int_equal(uboot_env_set(env, ".flags", ""), -EROFS);
	assert_int_equal(uboot_env_unset(env, ".flags"), -EROFS);
	assert_true(uboot_env_read_only(env, ".flags"));
	uboot_env_free(env);
}

/* What is refused is refused in the serialised environment too: the
 * flags travel with it. */
static void test_flags_survive_write(void **state)
{
	struct uboot_env *env = env_of(ENV_F, sizeof(ENV_F)), *back;
	uint8_t c[ENV_SIZE];
	char why[128];

	assert_int_equal(uboot_env_set(env, "free", "new"), 0);
	assert_int_equal(uboot_env_serialise(env, c, false, 0), 0);
	assert_int_equal(uboot_env_parse(c, NULL, ENV_SIZE, &back, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_set(back, "ro", "2"), -EROFS);
	assert_string_equal(get(back, "free"), "new");
	uboot_env_free(back);
	uboot_env_free(env);
}

/* ---- boolean redundant flags (parallel NOR) ---- */

#define ENV_A "which=a\0\0"
#define ENV_B "which=b\0\0"

static int bool_winner(uint8_t f0, uint8_t f1)
{
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env;
	char why[128];
	int active;

	env_build(c0, true, f0, ENV_A, sizeof(ENV_A));
	env_build(c1, true, f1, ENV_B, sizeof(ENV_B));
	assert_int_equal(uboot_env_parse_redund(c0, c1, ENV_SIZE,
						UBOOT_REDUND_BOOL, &env, why,
						sizeof(why)), 0);
	active = uboot_env_active(env);
	assert_string_equal(get(env, "which"), active ? "b" : "a");
	assert_int_equal(uboot_env_next_flags(env), UBOOT_ENV_ACTIVE);
	uboot_env_free(env);
	return active;
}

static void test_bool_winner(void **state)
{
	assert_int_equal(bool_winner(1, 0), 0);
	assert_int_equal(bool_winner(0, 1), 1);
	/* A write cut between the new copy and the obsolete mark. */
	assert_int_equal(bool_winner(1, 1), 0);
	assert_int_equal(bool_winner(0, 0), 0);
	/* An erased flags byte wins over anything else. */
	assert_int_equal(bool_winner(0xff, 0), 0);
	assert_int_equal(bool_winner(0, 0xff), 1);
	assert_int_equal(bool_winner(1, 0xff), 1);
	/* Pairs U-Boot leaves undecided: the copy not obsolete. */
	assert_int_equal(bool_winner(0, 7), 1);
	assert_int_equal(bool_winner(7, 0), 0);
	/* Counter flags would pick the other copy in these. */
	assert_int_equal(bool_winner(1, 0), 0);
}

/* A write as the layout does it: the new copy into the inactive slot,
 * active, then the old one marked obsolete; U-Boot reads the new one,
 * and so it does after a cut before the mark. */
static void test_bool_write(void **state)
{
	uint8_t c[2][ENV_SIZE], cut[ENV_SIZE];
	struct uboot_env *env, *back;
	char why[128];
	uint8_t byte = 0x55;
	int old;

	env_build(c[0], true, UBOOT_ENV_OBSOLETE, ENV_A, sizeof(ENV_A));
	env_build(c[1], true, UBOOT_ENV_ACTIVE, ENV_B, sizeof(ENV_B));
	assert_int_equal(uboot_env_parse_redund(c[0], c[1], ENV_SIZE,
						UBOOT_REDUND_BOOL, &env, why,
						sizeof(why)), 0);
	old = uboot_env_active(env);
	assert_int_equal(old, 1);
	assert_int_equal(uboot_env_set(env, "which", "c"), 0);
	assert_int_equal(uboot_env_serialise(env, c[!old], true,
					     uboot_env_next_flags(env)), 0);
	assert_int_equal(c[!old][UBOOT_ENV_FLAGS_AT], UBOOT_ENV_ACTIVE);
	memcpy(cut, c[old], ENV_SIZE);
	assert_true(uboot_env_retire(env, &byte));
	assert_int_equal(byte, UBOOT_ENV_OBSOLETE);
	c[old][UBOOT_ENV_FLAGS_AT] = byte;
	uboot_env_free(env);

	assert_int_equal(uboot_env_parse_redund(c[0], c[1], ENV_SIZE,
						UBOOT_REDUND_BOOL, &back, why,
						sizeof(why)), 0);
	assert_int_equal(uboot_env_active(back), !old);
	assert_string_equal(get(back, "which"), "c");
	uboot_env_free(back);

	/* Cut before the mark: both active, both whole; U-Boot takes the
	 * first, here the new one. */
	assert_int_equal(uboot_env_parse_redund(c[0], cut, ENV_SIZE,
						UBOOT_REDUND_BOOL, &back, why,
						sizeof(why)), 0);
	assert_int_equal(uboot_env_active(back), 0);
	assert_string_equal(get(back, "which"), "c");
	uboot_env_free(back);
}

/* Counter flags and single copies retire nothing. */
static void test_count_no_retire(void **state)
{
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env;
	char why[128];
	uint8_t byte;

	env_build(c0, true, 4, ENV_A, sizeof(ENV_A));
	env_build(c1, true, 5, ENV_B, sizeof(ENV_B));
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_false(uboot_env_retire(env, &byte));
	assert_int_equal(uboot_env_next_flags(env), 6);
	uboot_env_free(env);
	env_build(c0, false, 0, ENV_A, sizeof(ENV_A));
	assert_int_equal(uboot_env_parse_redund(c0, NULL, ENV_SIZE,
						UBOOT_REDUND_BOOL, &env, why,
						sizeof(why)), 0);
	assert_false(uboot_env_retire(env, &byte));
	uboot_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_lookup),
		cmocka_unit_test(test_flags_walk),
		cmocka_unit_test(test_flags_types),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_flags_var),
		cmocka_unit_test(test_flags_survive_write),
		cmocka_unit_test(test_bool_winner),
		cmocka_unit_test(test_bool_write),
		cmocka_unit_test(test_count_no_retire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
