// SPDX-License-Identifier: MIT
/*
 * powercut: a U-Boot variable written to an emulated AT24 whose power
 * goes after every possible number of bus bytes, so that a shell test can
 * check each resulting image with Debian's fw_printenv.
 *
 *   powercut IMAGE CHIP ENV_SIZE REDUNDANT_OFFSET|-1 VAR VALUE OUTDIR
 *
 * For n = every byte count from just before the write's first data byte
 * to just after its last, the chip (loaded with IMAGE) loses power after
 * n data bytes, counted from the write's start (its read of the
 * environment included); OUTDIR/cut-NNNNN.img is the chip's content
 * then, OUTDIR/full.img the content after an uncut write. The emulated
 * chip takes the bytes of a page write as they arrive, so a cut inside a
 * page leaves it torn: the worst a real part can do. No write-cycle
 * time: what is left at each cut does not depend on it. Prints the
 * range of cuts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nvmem.h"
#include "emul/i2c_emul.h"
#include "layouts/layout.h"
#include "providers/at24.h"
#include "providers/i2c.h"

static const struct at24_chip *chip;
static uint8_t *image;
static struct layout_params params = LAYOUT_PARAMS_INIT;

/* One write on a fresh chip, cut after @cut data bytes (-1: never); the
 * chip's content goes to @out. The write's own result is not the point:
 * what a reader finds afterwards is. */
static int run(long long cut, const char *var, const char *value,
	       const char *out, unsigned long long *bytes)
{
	struct at24_params p = { .chip = chip, .address = 0x50,
				 .write_timeout_ms = 1 };
	struct nvmem_provider_info info;
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
	struct i2c_emul_stats st;
	struct nvmem_device *dev;
	uint8_t *after = malloc(chip->size);
	ssize_t idx;
	void *priv;
	FILE *f;
	int ret = -1;

	/* A fast bus: a chip is busy for a page write's bus time, and a
	 * thousand runs add up. */
	ad = i2c_emul_new(3400000, false, &emul);
	if (!ad || !after || i2c_emul_add_chip(emul, chip, 0x50, image, 0) ||
	    at24_provider_open(&p, ad, &priv, &info))
		goto out;
	dev = nvmem_device_new("cut", &at24_provider_ops, priv, &info);
	if (!dev || layout_apply(dev, &params) < 0)
		goto out;
	idx = nvmem_device_find_cell(dev, var);
	if (idx < 0) {
		fprintf(stderr, "powercut: no variable %s\n", var);
		goto out;
	}
	i2c_emul_stats(emul, &st);
	if (cut >= 0)
		i2c_emul_unplug_after(emul, cut);
	cell_write_text(dev, nvmem_device_cell(dev, idx), value, strlen(value));
	if (bytes) {
		struct i2c_emul_stats end;

		i2c_emul_stats(emul, &end);
		*bytes = end.data_bytes - st.data_bytes;
	}
	i2c_emul_replug(emul);
	if (i2c_emul_image(emul, 0, after, chip->size) < 0)
		goto out_dev;
	f = fopen(out, "wb");
	if (f && fwrite(after, 1, chip->size, f) == chip->size)
		ret = 0;
	if (f)
		fclose(f);
out_dev:
	nvmem_device_put(dev);
out:
	if (ad)
		i2c_adapter_put(ad);
	nvmem_device_drain_gone();
	free(after);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long long total = 0, n;
	char path[4096];
	FILE *f;

	if (argc != 8) {
		fprintf(stderr, "usage: powercut IMAGE CHIP ENV_SIZE REDUNDANT_OFFSET|-1 VAR VALUE OUTDIR\n");
		return 2;
	}
	chip = at24_chip_find(argv[2]);
	if (!chip)
		return 2;
	image = calloc(1, chip->size);
	f = fopen(argv[1], "rb");
	if (!image || !f || fread(image, 1, chip->size, f) != chip->size)
		return 2;
	fclose(f);
	params.kind = LAYOUT_U_BOOT_ENV;
	params.env_size = strtoull(argv[3], NULL, 0);
	params.env_redundant_offset = strtoll(argv[4], NULL, 0);
	params.env_lock = NULL;

	snprintf(path, sizeof(path), "%s/full.img", argv[7]);
	if (run(-1, argv[5], argv[6], path, &total) < 0)
		return 1;
	/* The write reads the environment first: cuts before its data
	 * bytes leave the chip as it was; a few of them show that. */
	for (n = total > params.env_size + 4 ? total - params.env_size - 4 : 0;
	     n <= total; n++) {
		snprintf(path, sizeof(path), "%s/cut-%05llu.img", argv[7], n);
		if (run(n, argv[5], argv[6], path, NULL) < 0)
			return 1;
	}
	printf("%llu %llu\n", total > params.env_size + 4 ?
	       total - params.env_size - 4 : 0, total);
	return 0;
}
