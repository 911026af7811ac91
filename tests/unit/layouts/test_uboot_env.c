// SPDX-License-Identifier: MIT
/*
 * The U-Boot environment parser and writer (layouts/uboot_env.c):
 * single and redundant copies, which copy wins, malformed entries, the
 * room a write needs, and where the copies lie.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layouts/layout.h"
#include "uboot_copy.h"

#define ENV_SIZE 256

/* Build one copy from "a=b\0c=d\0\0"-style data, padded with @pad. */
static void env_build(uint8_t *copy, bool redundant, uint8_t flags,
		      const char *data, size_t dlen, uint8_t pad)
{
	uboot_copy_build(copy, ENV_SIZE, redundant, flags, data, dlen, pad);
}

#define ENV_A "bootdelay=3\0baudrate=115200\0ethaddr=00:11:22:33:44:55\0\0"
#define ENV_B "bootdelay=5\0\0"

static void assert_var(const struct uboot_env *env, size_t i,
		       const char *name, const char *value)
{
	assert_string_equal(uboot_env_name(env, i), name);
	assert_string_equal(uboot_env_value(env, i), value);
}

static void test_env_single(void **state)
{
	uint8_t copy[ENV_SIZE];
	struct uboot_env *env;
	char why[128];

	env_build(copy, false, 0, ENV_A, sizeof(ENV_A), 0xff);
	assert_int_equal(uboot_env_parse(copy, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(env), 0);
	assert_int_equal(uboot_env_count(env), 3);
	assert_var(env, 0, "bootdelay", "3");
	assert_var(env, 1, "baudrate", "115200");
	assert_var(env, 2, "ethaddr", "00:11:22:33:44:55");
	assert_null(uboot_env_name(env, 3));
	assert_null(uboot_env_value(env, 3));
	uboot_env_free(env);

	copy[10] ^= 1;
	env = (void *)1;
	why[0] = '\0';
	assert_int_equal(uboot_env_parse(copy, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), -EBADMSG);
	assert_null(env);
	assert_true(why[0] != '\0');
}

static void test_env_malformed(void **state)
{
	static const char noeq[] = "bootdelay\0\0";
	static const char noname[] = "=x\0\0";
	uint8_t copy[ENV_SIZE], data[ENV_SIZE - 4];
	struct uboot_env *env;
	char why[128];

	/* Entries without name=value are skipped, as U-Boot does. */
	env_build(copy, false, 0, noeq, sizeof(noeq), 0);
	assert_int_equal(uboot_env_parse(copy, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_count(env), 0);
	assert_int_equal(uboot_env_skipped(env), 1);
	uboot_env_free(env);
	env_build(copy, false, 0, noname, sizeof(noname), 0);
	assert_int_equal(uboot_env_parse(copy, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_skipped(env), 1);
	uboot_env_free(env);
	/* Not terminated inside the data area. */
	memset(data, 'a', sizeof(data));
	data[6] = '=';
	env_build(copy, false, 0, (const char *)data, sizeof(data), 'a');
	assert_int_equal(uboot_env_parse(copy, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), -EINVAL);
	assert_null(env);
	/* Too small for a header. */
	assert_int_equal(uboot_env_parse(copy, NULL, 4, &env, why,
					 sizeof(why)), -EINVAL);
}

static void test_env_redundant_one_corrupt(void **state)
{
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env;
	char why[128];

	/* Copy 1 carries the higher flags but a bad CRC: copy 0 wins. */
	env_build(c0, true, 1, ENV_A, sizeof(ENV_A), 0);
	env_build(c1, true, 2, ENV_B, sizeof(ENV_B), 0);
	c1[20] ^= 0x80;
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(env), 0);
	assert_int_equal(uboot_env_count(env), 3);
	assert_int_equal(uboot_env_next_flags(env), 2);
	uboot_env_free(env);

	/* Now copy 0 is the corrupt one. */
	env_build(c0, true, 7, ENV_A, sizeof(ENV_A), 0);
	env_build(c1, true, 2, ENV_B, sizeof(ENV_B), 0);
	c0[0] ^= 1;
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(env), 1);
	assert_int_equal(uboot_env_count(env), 1);
	assert_var(env, 0, "bootdelay", "5");
	assert_int_equal(uboot_env_next_flags(env), 3);
	uboot_env_free(env);

	/* Both corrupt. */
	c1[ENV_SIZE - 1] ^= 1;
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), -EBADMSG);
	assert_null(env);
}

static int env_winner(uint8_t f0, uint8_t f1)
{
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env;
	char why[128];
	int active;

	env_build(c0, true, f0, ENV_A, sizeof(ENV_A), 0);
	env_build(c1, true, f1, ENV_B, sizeof(ENV_B), 0);
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	active = uboot_env_active(env);
	assert_int_equal(uboot_env_count(env), active ? 1 : 3);
	assert_int_equal(uboot_env_next_flags(env),
			 (uint8_t)((active ? f1 : f0) + 1));
	uboot_env_free(env);
	return active;
}

static void test_env_flags(void **state)
{
	assert_int_equal(env_winner(1, 2), 1);
	assert_int_equal(env_winner(2, 1), 0);
	assert_int_equal(env_winner(0, 255), 0);	/* wrapped */
	assert_int_equal(env_winner(255, 0), 1);	/* wrapped */
	assert_int_equal(env_winner(254, 255), 1);
	assert_int_equal(env_winner(5, 5), 0);
}

static void test_env_round_trip(void **state)
{
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env, *again;
	char why[128];
	uint8_t next;

	env_build(c0, true, 255, ENV_A, sizeof(ENV_A), 0xff);
	memset(c1, 0xff, sizeof(c1));	/* erased, bad CRC */
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(env), 0);
	assert_int_equal(uboot_env_set(env, "bootdelay", "0"), 0);
	assert_int_equal(uboot_env_set(env, "bootcmd", "run distro_bootcmd"), 0);
	assert_int_equal(uboot_env_set(env, "", "x"), -EINVAL);
	assert_int_equal(uboot_env_set(env, "a=b", "x"), -EINVAL);
	assert_int_equal(uboot_env_unset(env, "baudrate"), 0);
	assert_int_equal(uboot_env_unset(env, "baudrate"), -ENOENT);

	/* Write the inactive copy with the next flags. */
	next = uboot_env_next_flags(env);
	assert_int_equal(next, 0);
	assert_int_equal(uboot_env_serialise(env, c1, true, next), 0);
	assert_int_equal(c1[4], 0);
	uboot_env_free(env);

	/* Both copies are valid now; 0 beats 255, so the new one wins. */
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &again, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(again), 1);
	assert_int_equal(uboot_env_count(again), 3);
	assert_var(again, 0, "bootdelay", "0");
	assert_var(again, 1, "ethaddr", "00:11:22:33:44:55");
	assert_var(again, 2, "bootcmd", "run distro_bootcmd");
	assert_int_equal(uboot_env_next_flags(again), 1);
	uboot_env_free(again);

	/* Single-copy round trip: no flags byte. */
	env_build(c0, false, 0, ENV_B, sizeof(ENV_B), 0);
	assert_int_equal(uboot_env_parse(c0, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_set(env, "x", "y"), 0);
	assert_int_equal(uboot_env_serialise(env, c1, false, 0), 0);
	uboot_env_free(env);
	assert_int_equal(uboot_env_parse(c1, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_count(env), 2);
	assert_var(env, 1, "x", "y");
	uboot_env_free(env);
}

static void test_env_enospc(void **state)
{
	uint8_t c0[ENV_SIZE], out[ENV_SIZE];
	char big[ENV_SIZE];
	struct uboot_env *env;
	char why[128];
	size_t room;

	env_build(c0, false, 0, "\0\0", 2, 0);
	assert_int_equal(uboot_env_parse(c0, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_count(env), 0);

	/* Data area 252 bytes: "v=" + value + NUL + final NUL. */
	room = ENV_SIZE - 4 - 4;
	memset(big, 'x', sizeof(big));
	big[room + 1] = '\0';
	assert_int_equal(uboot_env_set(env, "v", big), -ENOSPC);
	assert_int_equal(uboot_env_count(env), 0);
	big[room] = '\0';
	assert_int_equal(uboot_env_set(env, "v", big), 0);	/* exactly full */
	assert_int_equal(uboot_env_set(env, "w", ""), -ENOSPC);
	/* Replacing with something shorter still fits. */
	assert_int_equal(uboot_env_set(env, "v", "short"), 0);
	assert_int_equal(uboot_env_set(env, "w", "1"), 0);
	assert_int_equal(uboot_env_serialise(env, out, false, 0), 0);
	/* A redundant copy has one byte less. */
	big[room] = 'x';
	big[room - 1] = '\0';
	assert_int_equal(uboot_env_unset(env, "w"), 0);
	assert_int_equal(uboot_env_set(env, "v", big), 0);
	assert_int_equal(uboot_env_serialise(env, out, true, 1), 0);
	big[room - 1] = 'x';
	big[room] = '\0';
	assert_int_equal(uboot_env_set(env, "v", big), 0);
	assert_int_equal(uboot_env_serialise(env, out, true, 1), -ENOSPC);
	uboot_env_free(env);

	/* Variables that fill the data area with no closing empty string
	 * are read, as U-Boot imports them (a fuzzer found such a copy),
	 * but not written back: U-Boot's export keeps room for it too. */
	room += 4;	/* the whole data area */
	memcpy(big, "v=", 2);
	memset(big + 2, 'x', room - 3);
	big[room - 1] = '\0';
	env_build(c0, false, 0, big, room, 0);
	assert_int_equal(uboot_env_parse(c0, NULL, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_count(env), 1);
	assert_int_equal(strlen(uboot_env_value(env, 0)), room - 3);
	assert_int_equal(uboot_env_serialise(env, out, false, 0), -ENOSPC);
	assert_int_equal(uboot_env_set(env, "v", "short"), 0);
	assert_int_equal(uboot_env_serialise(env, out, false, 0), 0);
	uboot_env_free(env);
}

/* An entry without name=value is skipped, as U-Boot's import skips it:
 * the newer copy of a redundant environment stays the one served (taking
 * the older would roll it back at the next write), and 0xff in a value is
 * data. */
static void test_env_no_equals(void **state)
{
	static const char newer[] = "bootcmd=run x\0garbage\0v=a\xff" "b\0\0";
	uint8_t c0[ENV_SIZE], c1[ENV_SIZE];
	struct uboot_env *env;
	char why[128];

	env_build(c0, true, 1, ENV_A, sizeof(ENV_A), 0);
	env_build(c1, true, 2, newer, sizeof(newer), 0);
	assert_int_equal(uboot_env_parse(c0, c1, ENV_SIZE, &env, why,
					 sizeof(why)), 0);
	assert_int_equal(uboot_env_active(env), 1);
	assert_int_equal(uboot_env_count(env), 2);
	assert_int_equal(uboot_env_skipped(env), 1);
	assert_var(env, 0, "bootcmd", "run x");
	assert_var(env, 1, "v", "a\xff" "b");
	uboot_env_free(env);
}

/* One rule for where U-Boot copies lie, before and after the size is known. */
static void test_env_geometry(void **state)
{
	struct layout_params p = LAYOUT_PARAMS_INIT;
	const char *key = NULL;
	char why[160];
	uint64_t size;

	p.kind = LAYOUT_U_BOOT_ENV;
	/* Unknown device size, no env-size: nothing to say yet. */
	assert_int_equal(layout_uboot_geometry(&p, 0, &size, &key, why, sizeof(why)), 0);
	assert_int_equal(size, 0);
	/* The whole device, or up to the second copy. */
	assert_int_equal(layout_uboot_geometry(&p, 4096, &size, &key, why, sizeof(why)), 0);
	assert_int_equal(size, 4096);
	p.env_redundant_offset = 0x400;
	assert_int_equal(layout_uboot_geometry(&p, 4096, &size, &key, why, sizeof(why)), 0);
	assert_int_equal(size, 0x400);
	/* Copies that overlap, before and after the device is known. */
	p.env_size = 0x800;
	assert_int_equal(layout_uboot_geometry(&p, 0, &size, &key, why, sizeof(why)), -EINVAL);
	assert_string_equal(key, "env-redundant-offset");
	assert_string_equal(why, "the copies at 0x0 and 0x400 overlap (env-size 2048)");
	/* A copy past the end. */
	p.env_redundant_offset = 0xc00;
	assert_int_equal(layout_uboot_geometry(&p, 4096, &size, &key, why, sizeof(why)), -EINVAL);
	assert_string_equal(key, "env-redundant-offset");
	assert_string_equal(why, "copy 1 (0xc00 + 2048 bytes) lies beyond the device (4096 bytes)");
	/* Too small for an environment. */
	p.env_redundant_offset = -1;
	p.env_size = 4;
	assert_int_equal(layout_uboot_geometry(&p, 0, &size, &key, why, sizeof(why)), -EINVAL);
	assert_string_equal(key, "env-size");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_single),
		cmocka_unit_test(test_env_malformed),
		cmocka_unit_test(test_env_redundant_one_corrupt),
		cmocka_unit_test(test_env_flags),
		cmocka_unit_test(test_env_round_trip),
		cmocka_unit_test(test_env_enospc),
		cmocka_unit_test(test_env_geometry),
		cmocka_unit_test(test_env_no_equals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
