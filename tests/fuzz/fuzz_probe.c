// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: --probe's reading of a device's bytes must never
 * crash nor read outside them, whatever the bytes and the configured
 * U-Boot geometry; and every copy its scan reports must have the CRC it
 * claims. Input: env-offset, env-size and env-redundant-offset as three
 * little-endian 16-bit numbers (in units of 16 bytes; a redundant offset
 * of 0xffff: none), then the device's bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nvmem.h"
#include "daemon/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *data;
	size_t size;
};

static ssize_t fz_read(void *priv, uint64_t off, void *buf, size_t len)
{
	struct fz *f = priv;

	if (off >= f->size || len > f->size - off)
		abort();	/* the core never asks past the end */
	memcpy(buf, f->data + off, len);
	return len;
}

static void fz_destroy(void *priv)
{
	free(priv);
}

static const struct nvmem_provider_ops fz_ops = {
	.name = "fuzz",
	.read = fz_read,
	.destroy = fz_destroy,
};

static unsigned int le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_device cd = {
		.name = "fuzz",
		.provider = CONFIG_PROVIDER_FILE,
		.layout = LAYOUT_PARAMS_INIT,
	};
	struct nvmem_provider_info info = { .read_only = true,
					    .read_chunk = 4096,
					    .write_chunk = 4096 };
	struct probe_env_match m[8];
	struct nvmem_device *dev;
	uint32_t stored, computed;
	uint8_t *copy;
	struct fz *f;
	size_t n, i;
	FILE *out;

	if (size < 7)
		return 0;
	cd.layout.kind = LAYOUT_U_BOOT_ENV;
	cd.layout.env_offset = le16(data) * 16ull;
	cd.layout.env_size = le16(data + 2) * 16ull;
	if (le16(data + 4) != 0xffff)
		cd.layout.env_redundant_offset = le16(data + 4) * 16ll;
	data += 6;
	size -= 6;
	/* An exact-size copy, so ASan catches a read past it. */
	copy = malloc(size);
	f = malloc(sizeof(*f));
	if (!copy || !f) {
		free(copy);
		free(f);
		return 0;
	}
	memcpy(copy, data, size);
	*f = (struct fz){ copy, size };
	info.size = size;
	dev = nvmem_device_new("fuzz", &fz_ops, f, &info);
	if (!dev) {
		free(f);
		free(copy);
		return 0;
	}
	out = fopen("/dev/null", "w");
	if (out) {
		probe_device(&cd, dev, NULL, out);
		fclose(out);
	}
	nvmem_device_put(dev);

	n = probe_env_scan(copy, size, size, cd.layout.env_offset, m, 8);
	for (i = 0; i < n && i < 8; i++)
		if (!probe_env_crc(copy, size, m[i].offset, m[i].size,
				   m[i].redundant, &stored, &computed))
			abort();
	free(copy);
	return 0;
}
