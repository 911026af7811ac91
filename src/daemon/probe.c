// SPDX-License-Identifier: MIT
/*
 * --check-config --probe (probe.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/crc.h"
#include "core/nvmem.h"
#include "daemon/probe.h"
#include "layouts/layout.h"
#include "providers/at24.h"
#include "providers/i2c.h"

/* Larger devices (a NOR flash) are probed in their first part only. */
#define PROBE_MAX_READ	(16u << 20)
#define PROBE_MAX_MATCHES	16

static uint32_t probe_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool probe_env_crc(const uint8_t *buf, size_t len, uint64_t off,
		   uint64_t size, bool redundant, uint32_t *stored,
		   uint32_t *computed)
{
	size_t hdr = redundant ? 5 : 4;

	*stored = *computed = 0;
	if (size <= hdr || off > len || size > len - off)
		return false;
	*stored = probe_le32(buf + off);
	*computed = crc_32(buf + off + hdr, size - hdr);
	return *stored == *computed;
}

/* Record the copy at @off if intact, in either form. */
static void probe_env_try(const uint8_t *buf, size_t len, uint64_t off,
			  uint64_t size, struct probe_env_match *m, size_t max,
			  size_t *n)
{
	uint32_t stored, computed;
	int form;

	for (form = 0; form < 2; form++) {
		if (!probe_env_crc(buf, len, off, size, form, &stored,
				   &computed))
			continue;
		if (*n < max)
			m[*n] = (struct probe_env_match){ off, size, form };
		(*n)++;
	}
}

size_t probe_env_scan(const uint8_t *buf, size_t len, uint64_t max_size,
		      uint64_t at, struct probe_env_match *m, size_t max)
{
	uint64_t size, off;
	size_t n = 0;

	if (max_size > len)
		max_size = len;
	for (size = PROBE_ENV_MIN_SIZE; size <= max_size; size *= 2) {
		for (off = 0; off + size <= len; off += size)
			probe_env_try(buf, len, off, size, m, max, &n);
		if (at % size)
			probe_env_try(buf, len, at, size, m, max, &n);
	}
	return n;
}

static void probe_hex(const uint8_t *b, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < 4 && used + 4 < size; i++)
		used += snprintf(out + used, size - used, "%s%02x",
				 i ? " " : "", b[i]);
}

enum probe_width probe_width_verdict(const uint8_t *r16_0000,
				     const uint8_t *r16_0040,
				     const uint8_t *r8_00,
				     const uint8_t *r8_01, char *why,
				     size_t whylen)
{
	char a[16], b[16], c[16], d[16];

	probe_hex(r16_0000, a, sizeof(a));
	probe_hex(r16_0040, b, sizeof(b));
	probe_hex(r8_00, c, sizeof(c));
	probe_hex(r8_01, d, sizeof(d));
	if (memcmp(r16_0000, r16_0040, PROBE_AT24_LEN)) {
		snprintf(why, whylen,
			 "two-byte word addresses 0x0000 and 0x0040 read different bytes (%s ... and %s ...): the second byte was taken as address",
			 a, b);
		return PROBE_WIDTH_16;
	}
	if (!memcmp(r16_0000, r8_01, PROBE_AT24_LEN) &&
	    memcmp(r8_00, r8_01, PROBE_AT24_LEN)) {
		snprintf(why, whylen,
			 "two-byte word addresses 0x0000 and 0x0040 both read what the one-byte address 0x01 reads (%s ...), not what 0x00 reads (%s ...): the second byte was taken as data",
			 a, c);
		return PROBE_WIDTH_8;
	}
	if (!memcmp(r16_0000, r8_00, PROBE_AT24_LEN) &&
	    memcmp(r8_00, r8_01, PROBE_AT24_LEN)) {
		snprintf(why, whylen,
			 "two-byte word addresses 0x0000 and 0x0040 both read what the one-byte address 0x00 reads (%s ...), not what 0x01 reads (%s ...): the second byte was ignored",
			 a, d);
		return PROBE_WIDTH_8;
	}
	snprintf(why, whylen,
		 "word addresses 0x0000, 0x0040, 0x00 and 0x01 read %s, %s, %s and %s ...: too much alike (an erased chip?) to tell",
		 a, b, c, d);
	return PROBE_WIDTH_UNKNOWN;
}

/* ---- the bytes: U-Boot environment, ONIE TlvInfo ---- */

static void probe_env_configured(const struct config_device *cd,
				 const uint8_t *buf, size_t len,
				 uint64_t dev_size, FILE *out)
{
	const struct layout_params *p = &cd->layout;
	bool redundant = p->env_redundant_offset >= 0;
	uint32_t stored, computed;
	const char *key;
	char why[200];
	uint64_t size;
	int i;

	if (layout_uboot_geometry(p, dev_size, &size, &key, why,
				  sizeof(why)) < 0) {
		fprintf(out, "  probe u-boot-env: %s: %s\n", key, why);
		return;
	}
	for (i = 0; i < (redundant ? 2 : 1); i++) {
		uint64_t off = i ? (uint64_t)p->env_redundant_offset :
			       p->env_offset;

		if (probe_env_crc(buf, len, off, size, redundant, &stored,
				  &computed))
			fprintf(out, "  probe u-boot-env: copy %d at 0x%" PRIx64 ", 0x%" PRIx64 " bytes (%s, env-size): CRC-32 matches (0x%08x)\n",
				i, off, size, i ? "env-redundant-offset" :
				"env-offset", stored);
		else
			fprintf(out, "  probe u-boot-env: copy %d at 0x%" PRIx64 ", 0x%" PRIx64 " bytes (%s, env-size): CRC-32 mismatch (stored 0x%08x, computed 0x%08x)\n",
				i, off, size, i ? "env-redundant-offset" :
				"env-offset", stored, computed);
	}
}

static void probe_env(const struct config_device *cd, const uint8_t *buf,
		      size_t len, uint64_t dev_size, FILE *out)
{
	const struct layout_params *p = &cd->layout;
	bool uboot = p->kind == LAYOUT_U_BOOT_ENV;
	struct probe_env_match m[PROBE_MAX_MATCHES];
	uint64_t max = len;
	size_t n, i, j;

	if (uboot) {
		probe_env_configured(cd, buf, len, dev_size, out);
		/* Each copy lies between its offset and the next copy. */
		if (p->env_redundant_offset >= 0) {
			uint64_t a = p->env_offset, b = p->env_redundant_offset;

			max = a < b ? b - a : a - b;
		}
	}
	n = probe_env_scan(buf, len, max, uboot ? p->env_offset : 0, m,
			   PROBE_MAX_MATCHES);
	if (!n) {
		if (uboot)
			fprintf(out, "  probe u-boot-env: no copy with a matching CRC-32 at any size from 0x%x to 0x%" PRIx64 " (powers of two) at offsets that are multiples of it or 0x%" PRIx64 "\n",
				PROBE_ENV_MIN_SIZE, max, p->env_offset);
		return;
	}
	for (i = 0; i < n && i < PROBE_MAX_MATCHES; i++) {
		bool paired = false;

		if (!m[i].size)
			continue;	/* the second of a pair, told */
		fprintf(out, "  probe u-boot-env: CRC-32 matches for a %s copy at 0x%" PRIx64 ", 0x%" PRIx64 " bytes: %senv-offset = 0x%" PRIx64 ", env-size = 0x%" PRIx64,
			m[i].redundant ? "redundant" : "single", m[i].offset,
			m[i].size, uboot ? "" : "layout = u-boot-env, ",
			m[i].offset, m[i].size);
		/* Two redundant copies of one size: the pair. */
		for (j = i + 1; m[i].redundant && j < n && j < PROBE_MAX_MATCHES;
		     j++) {
			if (m[j].redundant && m[j].size == m[i].size) {
				fprintf(out, ", env-redundant-offset = 0x%" PRIx64 " (the other copy)",
					m[j].offset);
				m[j].size = 0;
				paired = true;
				break;
			}
		}
		if (m[i].redundant && !paired)
			fprintf(out, ", env-redundant-offset = the other copy's (none intact found)");
		fputc('\n', out);
	}
	if (n > PROBE_MAX_MATCHES)
		fprintf(out, "  probe u-boot-env: %zu more matches not shown\n",
			n - PROBE_MAX_MATCHES);
}

static void probe_onie(const struct config_device *cd, const uint8_t *buf,
		       size_t len, FILE *out)
{
	bool onie = cd->layout.kind == LAYOUT_ONIE_TLV;
	struct layout_cells cells = { 0 };
	const uint8_t *at;
	char why[160];

	if (len >= 11 && !memcmp(buf, "TlvInfo", 8)) {
		if (onie_tlv_parse(buf, len, &cells, why, sizeof(why)) == 0)
			fprintf(out, "  probe onie-tlv: TlvInfo header at offset 0, version %u, TLV area of %u bytes, CRC-32 matches (%zu fields)%s\n",
				buf[8], buf[9] << 8 | buf[10], cells.n,
				onie ? "" : ": layout = onie-tlv would serve them");
		else
			fprintf(out, "  probe onie-tlv: TlvInfo header at offset 0, version %u, TLV area of %u bytes, but %s\n",
				buf[8], buf[9] << 8 | buf[10], why);
		layout_cells_free(&cells);
		return;
	}
	at = len > 8 ? memmem(buf + 1, len - 1, "TlvInfo", 8) : NULL;
	if (at)
		fprintf(out, "  probe onie-tlv: a TlvInfo header at offset 0x%zx, not 0 where the layout reads it%s\n",
			(size_t)(at - buf),
			onie ? " (the device must start with it: serve that part as a device of its own)" : "");
	else if (onie)
		fprintf(out, "  probe onie-tlv: no TlvInfo header at offset 0 (it starts %02x %02x %02x %02x) nor anywhere in the %zu bytes read\n",
			buf[0], buf[1], buf[2], buf[3], len);
}

/* ---- the chip: AT24 word address width, addresses answering ---- */

/* One combined transfer: @wlen address bytes, repeated start, read. The
 * only STOP follows the read, so no write cycle can start (a chip
 * commits latched data only at a STOP after it). */
static int probe_read(struct i2c_adapter *ad, uint16_t addr,
		      const uint8_t *word, uint16_t wlen, uint8_t *buf,
		      uint16_t len)
{
	struct i2c_msg msgs[2] = {
		{ .addr = addr, .flags = 0, .len = wlen, .buf = (uint8_t *)word },
		{ .addr = addr, .flags = I2C_M_RD, .len = len, .buf = buf },
	};
	int ret;

	i2c_adapter_lock(ad);
	ret = wlen ? i2c_adapter_transfer(ad, msgs, 2) :
		     i2c_adapter_transfer(ad, msgs + 1, 1);
	i2c_adapter_unlock(ad);
	return ret;
}

static void probe_at24_width(const struct config_device *cd,
			     const struct at24_chip *chip,
			     struct i2c_adapter *ad, FILE *out)
{
	static const uint8_t w0000[2] = { 0, 0 }, w0040[2] = { 0, 0x40 };
	static const uint8_t w00[1] = { 0 }, w01[1] = { 1 };
	uint8_t r[4][PROBE_AT24_LEN];
	unsigned int width = cd->address_width ? cd->address_width :
			     chip->addr_width;
	enum probe_width v;
	char why[400];

	if (probe_read(ad, cd->address, w0000, 2, r[0], PROBE_AT24_LEN) < 0 ||
	    probe_read(ad, cd->address, w0040, 2, r[1], PROBE_AT24_LEN) < 0 ||
	    probe_read(ad, cd->address, w00, 1, r[2], PROBE_AT24_LEN) < 0 ||
	    probe_read(ad, cd->address, w01, 1, r[3], PROBE_AT24_LEN) < 0) {
		fprintf(out, "  probe at24: the chip did not answer the reads at 0x%02x\n",
			cd->address);
		return;
	}
	v = probe_width_verdict(r[0], r[1], r[2], r[3], why, sizeof(why));
	if (v == PROBE_WIDTH_UNKNOWN) {
		fprintf(out, "  probe at24: word address width unknown: %s\n",
			why);
		return;
	}
	fprintf(out, "  probe at24: answers like %s-bit addressed part (%s): %s\n",
		v == PROBE_WIDTH_8 ? "an 8" : "a 16", why,
		(v == PROBE_WIDTH_8) == (width == 8) ?
		"as configured" : v == PROBE_WIDTH_8 ?
		"set chip to an 8-bit part (24c01 to 24c16) or address-width = 8" :
		"set chip to a 16-bit part (24c32 and larger) or address-width = 16");
}

/* Consecutive addresses from the chip's within its group of eight (A2,
 * A1, A0: where the 24c04/08/16 put their block bits), each asked with
 * a one-byte current-address read, as i2cdetect -r does. An address
 * that a kernel driver has bound is not touched. */
static void probe_at24_span(const struct config_device *cd,
			    const struct at24_chip *chip,
			    struct i2c_adapter *ad, FILE *out)
{
	struct i2c_client_info ci;
	unsigned int a, n = 0;
	uint8_t byte;

	for (a = cd->address; a <= (cd->address | 7u); a++) {
		if (a != cd->address && i2c_adapter_bus(ad) >= 0 &&
		    i2c_client_lookup(I2C_SYSFS_ROOT, i2c_adapter_bus(ad), a,
				      &ci) > 0 && ci.driver[0])
			break;
		if (probe_read(ad, a, NULL, 0, &byte, 1) < 0)
			break;
		n++;
	}
	fprintf(out, "  probe at24: %u consecutive address%s answer%s from 0x%02x (0x%02x-0x%02x); chip %s occupies %u%s\n",
		n, n == 1 ? "" : "es", n == 1 ? "s" : "", cd->address,
		cd->address, cd->address + (n ? n - 1 : 0), chip->name,
		chip->naddr,
		n == chip->naddr ? "" : n < chip->naddr ?
		": the upper blocks would not answer (check chip)" :
		": a 24c04, 24c08 or 24c16 occupies 2, 4 or 8, or other chips sit there (check chip)");
}

static void probe_at24(const struct config_device *cd, struct i2c_adapter *ad,
		       FILE *out)
{
	const struct at24_chip *chip = at24_chip_find(cd->chip);

	if (!chip)
		return;
	if (!(i2c_adapter_funcs(ad) & I2C_FUNC_I2C)) {
		fprintf(out, "  probe at24: not probed: the adapter has no plain I2C, and a probe that sent a STOP after two address bytes would start a write cycle on an 8-bit part\n");
		return;
	}
	probe_at24_width(cd, chip, ad, out);
	probe_at24_span(cd, chip, ad, out);
}

void probe_device(const struct config_device *cd, struct nvmem_device *dev,
		  struct i2c_adapter *ad, FILE *out)
{
	uint64_t size = nvmem_device_size(dev);
	size_t len = size > PROBE_MAX_READ ? PROBE_MAX_READ : size, got = 0;
	uint8_t *buf = malloc(len ? len : 1);
	ssize_t n;

	if (!buf)
		return;
	while (got < len) {
		n = nvmem_device_read(dev, got, buf + got, len - got);
		if (n <= 0) {
			fprintf(out, "  probe: reading failed at 0x%zx: %s\n",
				got, strerror(n < 0 ? (int)-n : EIO));
			break;
		}
		got += n;
	}
	if (got == len) {
		if (len < size)
			fprintf(out, "  probe: the first %zu of %" PRIu64 " bytes read\n",
				len, size);
		probe_env(cd, buf, len, size, out);
		probe_onie(cd, buf, len, out);
	}
	free(buf);
	if (ad)
		probe_at24(cd, ad, out);
}
