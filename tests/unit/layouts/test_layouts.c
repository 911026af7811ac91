// SPDX-License-Identifier: MIT
/* Layout parsers against images built here from the published formats. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/crc.h"
#include "layouts/layout.h"

/* ---- CRC ---- */

static void test_crc_vectors(void **state)
{
	assert_int_equal(crc_32("123456789", 9), 0xcbf43926u);
	assert_int_equal(crc_32("", 0), 0);
	assert_int_equal(crc_8("123456789", 9), 0xf4);
	assert_int_equal(crc_8("", 0), 0);
}

/* ---- ONIE TlvInfo ---- */

struct onie_img {
	uint8_t b[2048];
	size_t len;
};

static void onie_start(struct onie_img *img)
{
	memset(img, 0, sizeof(*img));
	memcpy(img->b, "TlvInfo", 8);
	img->b[8] = 1;
	img->len = 11;
}

/* Returns the offset of the value. */
static size_t onie_add(struct onie_img *img, uint8_t type, const void *v,
		       uint8_t vlen)
{
	size_t off = img->len + 2;

	img->b[img->len] = type;
	img->b[img->len + 1] = vlen;
	memcpy(img->b + off, v, vlen);
	img->len = off + vlen;
	return off;
}

/* Appends the CRC record, fixes the total length; returns the CRC value
 * offset. */
static size_t onie_finish(struct onie_img *img)
{
	size_t total = img->len + 6 - 11, off;
	uint32_t crc;

	img->b[9] = (uint8_t)(total >> 8);
	img->b[10] = (uint8_t)total;
	img->b[img->len] = 0xfe;
	img->b[img->len + 1] = 4;
	crc = crc_32(img->b, img->len + 2);
	off = img->len + 2;
	img->b[off] = (uint8_t)(crc >> 24);
	img->b[off + 1] = (uint8_t)(crc >> 16);
	img->b[off + 2] = (uint8_t)(crc >> 8);
	img->b[off + 3] = (uint8_t)crc;
	img->len = off + 4;
	return off;
}

struct want {
	const char *name;
	size_t offset;
	size_t len;
	enum cell_format format;
};

static void check_cells(const struct layout_cells *c, const struct want *w,
			size_t n)
{
	size_t i;

	assert_int_equal(c->n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(c->cells[i].name, w[i].name);
		assert_int_equal(c->cells[i].offset, w[i].offset);
		assert_int_equal(c->cells[i].len, w[i].len);
		assert_int_equal(c->cells[i].format, w[i].format);
	}
}

static const struct {
	uint8_t type;
	const char *name;
	const char *value;	/* NULL: binary, see below */
	enum cell_format format;
} onie_std[] = {
	{ 0x21, "product-name", "NVX-1000", CELL_FORMAT_STRING },
	{ 0x22, "part-number", "PN-42", CELL_FORMAT_STRING },
	{ 0x23, "serial-number", "SN0001", CELL_FORMAT_STRING },
	{ 0x24, "mac-address", NULL, CELL_FORMAT_MAC },
	{ 0x25, "manufacture-date", "01/02/2025 03:04:05", CELL_FORMAT_STRING },
	{ 0x26, "device-version", NULL, CELL_FORMAT_U8 },
	{ 0x27, "label-revision", "R01", CELL_FORMAT_STRING },
	{ 0x28, "platform-name", "x86_64-nv-r0", CELL_FORMAT_STRING },
	{ 0x29, "onie-version", "2024.05", CELL_FORMAT_STRING },
	{ 0x2a, "num-macs", NULL, CELL_FORMAT_U16BE },
	{ 0x2b, "manufacturer", "Acme", CELL_FORMAT_STRING },
	{ 0x2c, "country-code", "DE", CELL_FORMAT_STRING },
	{ 0x2d, "vendor", "Acme Corp", CELL_FORMAT_STRING },
	{ 0x2e, "diag-version", "1.2.3", CELL_FORMAT_STRING },
	{ 0x2f, "service-tag", "ST-9", CELL_FORMAT_STRING },
	{ 0xfd, "vendor-extension", NULL, CELL_FORMAT_RAW },
};

#define NSTD (sizeof(onie_std) / sizeof(onie_std[0]))

/* Image with every standard type; fills @w (NSTD + 1 entries). */
static void onie_full(struct onie_img *img, struct want *w)
{
	static const uint8_t mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t u8v[1] = { 3 };
	static const uint8_t u16v[2] = { 0x00, 0x80 };
	static const uint8_t ext[7] = { 0x00, 0x00, 0x1b, 0xef, 1, 2, 3 };
	size_t i;

	onie_start(img);
	for (i = 0; i < NSTD; i++) {
		const void *v = onie_std[i].value;
		uint8_t vlen = v ? (uint8_t)strlen(v) : 0;

		switch (onie_std[i].type) {
		case 0x24: v = mac; vlen = 6; break;
		case 0x26: v = u8v; vlen = 1; break;
		case 0x2a: v = u16v; vlen = 2; break;
		case 0xfd: v = ext; vlen = 7; break;
		}
		w[i].name = onie_std[i].name;
		w[i].offset = onie_add(img, onie_std[i].type, v, vlen);
		w[i].len = vlen;
		w[i].format = onie_std[i].format;
	}
	w[NSTD].name = "crc32";
	w[NSTD].offset = onie_finish(img);
	w[NSTD].len = 4;
	w[NSTD].format = CELL_FORMAT_HEX;
}

static void test_onie_all_types(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	struct layout_cells c;
	char why[128] = "";

	onie_full(&img, w);
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, NSTD + 1);
	layout_cells_free(&c);
	assert_null(c.cells);
	assert_int_equal(c.n, 0);

	/* Bytes after the TLV area (the rest of the EEPROM) are ignored. */
	memset(img.b + img.len, 0xff, 100);
	assert_int_equal(onie_tlv_parse(img.b, img.len + 100, &c, why,
					sizeof(why)), 0);
	check_cells(&c, w, NSTD + 1);
	layout_cells_free(&c);
}

static void test_onie_duplicates_unknown(void **state)
{
	struct onie_img img;
	struct want w[6];
	struct layout_cells c;
	char why[128];
	size_t o[6];

	onie_start(&img);
	o[0] = onie_add(&img, 0xfd, "\0\0\0\1a", 5);
	o[1] = onie_add(&img, 0x24, "\0\1\2\3\4\5", 6);
	onie_add(&img, 0x7e, "skip me", 7);	/* unknown: no cell */
	o[2] = onie_add(&img, 0xfd, "\0\0\0\2bb", 6);
	o[3] = onie_add(&img, 0x24, "\0\1\2\3\4\6", 6);
	o[4] = onie_add(&img, 0xfd, "\0\0\0\3", 4);
	onie_add(&img, 0x21, "", 0);		/* empty: no cell */
	o[5] = onie_finish(&img);

	w[0] = (struct want){ "vendor-extension", o[0], 5, CELL_FORMAT_RAW };
	w[1] = (struct want){ "mac-address", o[1], 6, CELL_FORMAT_MAC };
	w[2] = (struct want){ "vendor-extension-1", o[2], 6, CELL_FORMAT_RAW };
	w[3] = (struct want){ "mac-address-1", o[3], 6, CELL_FORMAT_MAC };
	w[4] = (struct want){ "vendor-extension-2", o[4], 4, CELL_FORMAT_RAW };
	w[5] = (struct want){ "crc32", o[5], 4, CELL_FORMAT_HEX };
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, 6);
	layout_cells_free(&c);
}

static void test_onie_wrong_size_is_hex(void **state)
{
	struct onie_img img;
	struct want w[4];
	struct layout_cells c;
	char why[128];
	size_t o[4];

	/* Fixed-size types of the wrong size are CRC-covered all the same:
	 * they show as hex instead of failing the whole EEPROM. */
	onie_start(&img);
	o[0] = onie_add(&img, 0x24, "\0\1\2\3\4", 5);
	o[1] = onie_add(&img, 0x26, "\1\2", 2);
	o[2] = onie_add(&img, 0x2a, "\1", 1);
	o[3] = onie_finish(&img);
	w[0] = (struct want){ "mac-address", o[0], 5, CELL_FORMAT_HEX };
	w[1] = (struct want){ "device-version", o[1], 2, CELL_FORMAT_HEX };
	w[2] = (struct want){ "num-macs", o[2], 1, CELL_FORMAT_HEX };
	w[3] = (struct want){ "crc32", o[3], 4, CELL_FORMAT_HEX };
	assert_int_equal(onie_tlv_parse(img.b, img.len, &c, why, sizeof(why)), 0);
	check_cells(&c, w, 4);
	layout_cells_free(&c);
}

static void assert_onie_fails(const uint8_t *b, size_t len, int err)
{
	struct layout_cells c = { (void *)1, 99 };
	char why[128] = "";

	assert_int_equal(onie_tlv_parse(b, len, &c, why, sizeof(why)), err);
	assert_null(c.cells);
	assert_int_equal(c.n, 0);
	assert_true(why[0] != '\0');
}

static void test_onie_bad_crc(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	size_t i;

	onie_full(&img, w);
	/* Flip one bit anywhere the CRC covers, or in the CRC itself. */
	/* Header bits are test_onie_header's business. */
	for (i = 11; i < img.len; i++) {
		img.b[i] ^= 0x10;
		if (i == img.len - 6 || i == img.len - 5) {
			/* The CRC record's own type or length. */
			assert_onie_fails(img.b, img.len, -EINVAL);
		} else if (i < img.len - 6) {
			/* A record's length byte changes the walk; any
			 * failure will do, but it must fail. */
			struct layout_cells c;
			char why[64];

			assert_true(onie_tlv_parse(img.b, img.len, &c, why,
						   sizeof(why)) < 0);
			assert_int_equal(c.n, 0);
		} else {
			assert_onie_fails(img.b, img.len, -EBADMSG);
		}
		img.b[i] ^= 0x10;
	}
}

static void test_onie_value_bit_flip_is_ebadmsg(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];

	onie_full(&img, w);
	img.b[w[0].offset] ^= 1;	/* product name text */
	assert_onie_fails(img.b, img.len, -EBADMSG);
}

static void test_onie_truncated_everywhere(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	uint8_t *copy;
	size_t i;

	onie_full(&img, w);
	for (i = 0; i < img.len; i++) {
		/* An exact-size heap copy, so ASan sees any over-read. */
		copy = malloc(i ? i : 1);
		assert_non_null(copy);
		memcpy(copy, img.b, i);
		assert_onie_fails(copy, i, -EINVAL);
		free(copy);
	}
}

static void test_onie_header(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];

	onie_full(&img, w);
	img.b[0] = 't';
	assert_onie_fails(img.b, img.len, -EBADMSG);
	img.b[0] = 'T';
	img.b[8] = 2;
	assert_onie_fails(img.b, img.len, -EBADMSG);
	img.b[8] = 1;
	assert_onie_fails(NULL, 0, -EINVAL);
}

static void test_onie_length_past_buffer(void **state)
{
	struct onie_img img;
	struct want w[NSTD + 1];
	size_t total;

	onie_full(&img, w);
	total = img.len - 11 + 1;
	img.b[9] = (uint8_t)(total >> 8);
	img.b[10] = (uint8_t)total;
	assert_onie_fails(img.b, img.len, -EINVAL);
	img.b[9] = img.b[10] = 0xff;
	assert_onie_fails(img.b, img.len, -EINVAL);
}

static void test_onie_record_past_area(void **state)
{
	struct onie_img img;
	size_t total;

	/* A record that claims more bytes than the TLV area holds, even
	 * though the buffer has them. */
	onie_start(&img);
	onie_add(&img, 0x21, "abc", 3);
	onie_finish(&img);
	img.b[12] = 200;
	assert_onie_fails(img.b, sizeof(img.b), -EINVAL);

	/* No CRC record at all. */
	onie_start(&img);
	onie_add(&img, 0x21, "abc", 3);
	total = img.len - 11;
	img.b[10] = (uint8_t)total;
	assert_onie_fails(img.b, img.len, -EINVAL);

	/* The CRC record must be the last one. */
	onie_start(&img);
	onie_add(&img, 0xfe, "\0\0\0\0", 4);
	onie_add(&img, 0x21, "abc", 3);
	onie_finish(&img);
	assert_onie_fails(img.b, img.len, -EINVAL);
}

/* ---- U-Boot environment ---- */

#define ENV_SIZE 256

/* Build one copy from "a=b\0c=d\0\0"-style data, padded with @pad. */
static void env_build(uint8_t *copy, bool redundant, uint8_t flags,
		      const char *data, size_t dlen, uint8_t pad)
{
	size_t hdr = redundant ? 5 : 4;
	uint32_t crc;

	memset(copy, pad, ENV_SIZE);
	memcpy(copy + hdr, data, dlen);
	crc = crc_32(copy + hdr, ENV_SIZE - hdr);
	copy[0] = (uint8_t)crc;
	copy[1] = (uint8_t)(crc >> 8);
	copy[2] = (uint8_t)(crc >> 16);
	copy[3] = (uint8_t)(crc >> 24);
	if (redundant)
		copy[4] = flags;
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

/* ---- sl28 VPD ---- */

static void sl28_build(uint8_t *b)
{
	static const uint8_t mac[6] = { 0x00, 0xa0, 0xa5, 0x5c, 0x6b, 0x01 };

	memset(b, 0, 24);
	b[0] = 'V';
	b[1] = 1;
	memcpy(b + 2, "SN1234567890ABC", 15);
	memcpy(b + 17, mac, 6);
	b[23] = crc_8(b, 23);
}

static void test_sl28(void **state)
{
	static const struct want w[] = {
		{ "serial-number", 2, 15, CELL_FORMAT_STRING },
		{ "base-mac-address", 17, 6, CELL_FORMAT_MAC },
	};
	uint8_t b[64];
	struct layout_cells c;
	char why[128];
	size_t i;

	sl28_build(b);
	memset(b + 24, 0xff, 40);
	assert_int_equal(sl28_vpd_parse(b, sizeof(b), &c, why, sizeof(why)), 0);
	check_cells(&c, w, 2);
	layout_cells_free(&c);

	for (i = 0; i < 24; i++) {
		uint8_t *copy = malloc(i ? i : 1);

		memcpy(copy, b, i);
		assert_int_equal(sl28_vpd_parse(copy, i, &c, why, sizeof(why)),
				 -EINVAL);
		assert_int_equal(c.n, 0);
		free(copy);
	}
	for (i = 2; i < 24; i++) {
		b[i] ^= 4;
		assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)),
				 -EBADMSG);
		assert_null(c.cells);
		b[i] ^= 4;
	}
	b[0] = 'v';
	assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)), -EBADMSG);
	b[0] = 'V';
	b[1] = 2;
	assert_int_equal(sl28_vpd_parse(b, 24, &c, why, sizeof(why)), -EBADMSG);
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
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_onie_all_types),
		cmocka_unit_test(test_onie_duplicates_unknown),
		cmocka_unit_test(test_onie_wrong_size_is_hex),
		cmocka_unit_test(test_onie_bad_crc),
		cmocka_unit_test(test_onie_value_bit_flip_is_ebadmsg),
		cmocka_unit_test(test_onie_truncated_everywhere),
		cmocka_unit_test(test_onie_header),
		cmocka_unit_test(test_onie_length_past_buffer),
		cmocka_unit_test(test_onie_record_past_area),
		cmocka_unit_test(test_env_single),
		cmocka_unit_test(test_env_malformed),
		cmocka_unit_test(test_env_redundant_one_corrupt),
		cmocka_unit_test(test_env_flags),
		cmocka_unit_test(test_env_round_trip),
		cmocka_unit_test(test_env_enospc),
		cmocka_unit_test(test_sl28),
		cmocka_unit_test(test_env_geometry),
		cmocka_unit_test(test_env_no_equals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
