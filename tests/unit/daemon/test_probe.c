// SPDX-License-Identifier: MIT
/*
 * --probe's analyses: U-Boot environment copies found by their CRC at
 * sizes and offsets other than the configured ones, the AT24 width
 * verdict from its four reads, and the whole probe on emulated 8-bit and
 * 16-bit parts, which must answer as they are and never be written.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/nvmem.h"
#include "daemon/probe.h"
#include "emul/i2c_emul.h"
#include "providers/at24.h"
#include "providers/i2c.h"
#include "uboot_copy.h"

/* A U-Boot environment copy of @size bytes at @off of @buf. */
static void put_env(uint8_t *buf, size_t off, size_t size, bool redundant)
{
	static const char vars[] = "bootdelay=3\0ethaddr=02:00:5e:00:00:01\0";

	uboot_copy_build(buf + off, size, redundant, 1, vars, sizeof(vars), 0);
}

static void test_env_crc(void **state)
{
	static uint8_t buf[0x8000];
	uint32_t stored, computed;

	memset(buf, 0xff, sizeof(buf));
	put_env(buf, 0x2000, 0x1000, false);
	assert_true(probe_env_crc(buf, sizeof(buf), 0x2000, 0x1000, false,
				  &stored, &computed));
	assert_int_equal(stored, computed);
	/* The wrong size, the wrong form, the wrong place. */
	assert_false(probe_env_crc(buf, sizeof(buf), 0x2000, 0x2000, false,
				   &stored, &computed));
	assert_int_not_equal(stored, computed);
	assert_false(probe_env_crc(buf, sizeof(buf), 0x2000, 0x1000, true,
				   &stored, &computed));
	assert_false(probe_env_crc(buf, sizeof(buf), 0, 0x1000, false,
				   &stored, &computed));
	/* Past the end of what was read. */
	assert_false(probe_env_crc(buf, sizeof(buf), 0x7000, 0x2000, false,
				   &stored, &computed));
}

static void test_env_scan(void **state)
{
	static uint8_t buf[0x8000];
	struct probe_env_match m[8];
	size_t n;

	memset(buf, 0xff, sizeof(buf));
	put_env(buf, 0x2000, 0x1000, false);
	n = probe_env_scan(buf, sizeof(buf), sizeof(buf), 0, m, 8);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].offset, 0x2000);
	assert_int_equal(m[0].size, 0x1000);
	assert_false(m[0].redundant);

	/* A redundant pair 0x4000 apart, 0x800 each. */
	memset(buf, 0xff, sizeof(buf));
	put_env(buf, 0, 0x800, true);
	put_env(buf, 0x4000, 0x800, true);
	n = probe_env_scan(buf, sizeof(buf), 0x4000, 0, m, 8);
	assert_int_equal(n, 2);
	assert_true(m[0].redundant && m[1].redundant);
	assert_int_equal(m[0].offset, 0);
	assert_int_equal(m[1].offset, 0x4000);
	assert_int_equal(m[1].size, 0x800);
	/* Sizes past the limit (the distance of the copies) are not tried. */
	assert_int_equal(probe_env_scan(buf, sizeof(buf), 0x400, 0, m, 8), 0);

	/* A copy at an offset that is no multiple of its size is found
	 * only there, at the configured offset. */
	memset(buf, 0xff, sizeof(buf));
	put_env(buf, 0x1400, 0x800, false);
	assert_int_equal(probe_env_scan(buf, sizeof(buf), sizeof(buf), 0, m, 8), 0);
	n = probe_env_scan(buf, sizeof(buf), sizeof(buf), 0x1400, m, 8);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].offset, 0x1400);
	assert_int_equal(m[0].size, 0x800);
	/* More matches than room: counted all the same. */
	assert_int_equal(probe_env_scan(buf, sizeof(buf), sizeof(buf), 0x1400,
					m, 0), 1);
}

static void test_width_verdict(void **state)
{
	uint8_t mem[256], r16a[16], r16b[16], r8a[16], r8b[16];
	char why[400];
	int i;

	for (i = 0; i < 256; i++)
		mem[i] = i * 37 + 11;
	/* A 16-bit part: reads where both bytes point; its one-byte reads
	 * leave the pointer anywhere. */
	memcpy(r16a, mem, 16);
	memcpy(r16b, mem + 0x40, 16);
	memcpy(r8a, mem + 0x80, 16);
	memcpy(r8b, mem + 0x90, 16);
	assert_int_equal(probe_width_verdict(r16a, r16b, r8a, r8b, why,
					     sizeof(why)), PROBE_WIDTH_16);
	assert_non_null(strstr(why, "taken as address"));
	/* An 8-bit part: the second byte is data, the read starts at 1. */
	memcpy(r16a, mem + 1, 16);
	memcpy(r16b, mem + 1, 16);
	memcpy(r8a, mem, 16);
	memcpy(r8b, mem + 1, 16);
	assert_int_equal(probe_width_verdict(r16a, r16b, r8a, r8b, why,
					     sizeof(why)), PROBE_WIDTH_8);
	assert_non_null(strstr(why, "taken as data"));
	/* One that ignores the second byte: reads from 0. */
	memcpy(r16a, mem, 16);
	memcpy(r16b, mem, 16);
	assert_int_equal(probe_width_verdict(r16a, r16b, r8a, r8b, why,
					     sizeof(why)), PROBE_WIDTH_8);
	assert_non_null(strstr(why, "was ignored"));
	/* An erased chip: nothing to tell. */
	memset(r16a, 0xff, 16);
	memset(r16b, 0xff, 16);
	memset(r8a, 0xff, 16);
	memset(r8b, 0xff, 16);
	assert_int_equal(probe_width_verdict(r16a, r16b, r8a, r8b, why,
					     sizeof(why)), PROBE_WIDTH_UNKNOWN);
}

/*
 * The whole probe on an emulated @emulated chip configured as
 * @configured: its output, and the chip's bytes after it, which must be
 * those before.
 */
static char *probe_chip(const char *emulated, const char *configured,
			bool erased)
{
	const struct at24_chip *chip = at24_chip_find(emulated);
	struct config_device cd = {
		.name = "board",
		.provider = CONFIG_PROVIDER_AT24,
		.address = 0x50,
		.chip = (char *)configured,
		.layout = LAYOUT_PARAMS_INIT,
	};
	struct at24_params p = { .chip = chip, .address = 0x50 };
	struct nvmem_provider_info info;
	uint8_t *image = malloc(chip->size), *after = malloc(chip->size);
	struct nvmem_device *dev;
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	char *text = NULL;
	size_t len = 0;
	void *priv;
	FILE *out;
	uint32_t i;

	for (i = 0; i < chip->size; i++)
		image[i] = erased ? 0xff : (i * 131 + (i >> 8) * 7) ^ 0x5a;
	ad = i2c_emul_new(400000, false, &emul);
	assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, image, 500), 0);
	assert_int_equal(at24_provider_open(&p, ad, &priv, &info), 0);
	dev = nvmem_device_new("board", &at24_provider_ops, priv, &info);
	assert_non_null(dev);
	out = open_memstream(&text, &len);
	probe_device(&cd, dev, ad, out);
	fclose(out);
	assert_int_equal(i2c_emul_image(emul, 0, after, chip->size), 0);
	assert_memory_equal(image, after, chip->size);
	nvmem_device_put(dev);
	i2c_adapter_put(ad);
	free(image);
	free(after);
	return text;
}

static void test_probe_at24(void **state)
{
	char *t;

	t = probe_chip("24c32", "24c02", false);
	assert_non_null(strstr(t, "answers like a 16-bit addressed part"));
	assert_non_null(strstr(t, "set chip to a 16-bit part"));
	assert_non_null(strstr(t, "1 consecutive address answers from 0x50"));
	free(t);
	t = probe_chip("24c02", "24c32", false);
	assert_non_null(strstr(t, "answers like an 8-bit addressed part"));
	assert_non_null(strstr(t, "set chip to an 8-bit part"));
	free(t);
	t = probe_chip("24c512", "24c512", false);
	assert_non_null(strstr(t, "16-bit addressed part"));
	assert_non_null(strstr(t, "as configured"));
	free(t);
	/* A 24c16 answers on eight addresses; a 24c02 takes one. */
	t = probe_chip("24c16", "24c02", false);
	assert_non_null(strstr(t, "8-bit addressed part"));
	assert_non_null(strstr(t, "8 consecutive addresses answer from 0x50 (0x50-0x57); chip 24c02 occupies 1: a 24c04"));
	free(t);
	t = probe_chip("24c32", "24c32", true);
	assert_non_null(strstr(t, "word address width unknown"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_crc),
		cmocka_unit_test(test_env_scan),
		cmocka_unit_test(test_width_verdict),
		cmocka_unit_test(test_probe_at24),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
