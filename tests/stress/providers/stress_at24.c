// SPDX-License-Identifier: MIT
/*
 * Unplug stress with AT24 chips on emulated buses under the real at24
 * provider: 8 readers verify every byte while one thread unregisters and
 * re-registers devices 1000 times, and every 10th generation the
 * emulator itself cuts the adapter off in the middle of a read, so that
 * the provider reports the hardware gone and the core unregisters the
 * device on its own. Each generation has its own image, so a handle that
 * ever read a re-plugged chip shows as wrong bytes.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "providers/at24.h"
#include "providers/i2c.h"
#include "emul/i2c_emul.h"
#include "core/nvmem.h"
#include "base/log.h"
#include "core/registry.h"

#define NDEV		3
#define NREADERS	8
#define CYCLES		1000
#define CHIP		"24c64"

static uint8_t gen_byte(unsigned int seed, size_t i)
{
	return (uint8_t)((i * 131 + seed * 17 + (i >> 8)) & 0xff);
}

static struct nvmem_device *plug(int slot, unsigned int seed)
{
	const struct at24_chip *chip = at24_chip_find(CHIP);
	struct at24_params p = { .chip = chip, .address = 0x50 };
	struct nvmem_provider_info info;
	struct nvmem_device *dev;
	struct i2c_emul *emul;
	struct i2c_adapter *ad = i2c_emul_new(1000000, false, &emul);
	uint8_t *img = malloc(chip->size);
	char name[16];
	void *priv;
	size_t i;

	for (i = 0; i < chip->size; i++)
		img[i] = gen_byte(seed, i);
	memcpy(img, &seed, sizeof(seed));	/* readers learn the seed */
	assert_int_equal(i2c_emul_add_chip(emul, chip, 0x50, img, 100), 0);
	free(img);
	assert_int_equal(at24_provider_open(&p, ad, &priv, &info), 0);
	if (seed % 10 == 0)	/* this one will be pulled mid-read */
		i2c_emul_unplug_after(emul, 3000 + seed % 4000);
	i2c_adapter_put(ad);	/* the provider holds it */
	snprintf(name, sizeof(name), "at%d", slot);
	dev = nvmem_device_new(name, &at24_provider_ops, priv, &info);
	assert_non_null(dev);
	assert_int_equal(nvmem_device_register(dev), 0);
	return dev;
}

struct shared {
	atomic_int stop;
	atomic_long ok_reads, enodev, wrong, other;
};

static void *reader(void *arg)
{
	struct shared *sh = arg;
	unsigned int r = (unsigned int)(uintptr_t)pthread_self();
	uint8_t buf[600];

	while (!atomic_load(&sh->stop)) {
		struct nvmem_device *dev;
		unsigned int seed;
		char name[16];
		ssize_t n;

		r = r * 1103515245 + 12345;
		snprintf(name, sizeof(name), "at%u", (r >> 8) % NDEV);
		dev = registry_get_by_name(name);
		if (!dev)
			continue;
		n = nvmem_device_read(dev, 0, &seed, sizeof(seed));
		for (int k = 0; n == sizeof(seed) && k < 8; k++) {
			size_t off, len, i;

			r = r * 1103515245 + 12345;
			off = 4 + (r >> 4) % 8000;
			len = 1 + (r >> 16) % sizeof(buf);
			n = nvmem_device_read(dev, off, buf, len);
			if (n < 0)
				break;
			for (i = 0; i < (size_t)n; i++)
				if (buf[i] != gen_byte(seed, off + i))
					break;
			if (i < (size_t)n)
				atomic_fetch_add(&sh->wrong, 1);
			else
				atomic_fetch_add(&sh->ok_reads, 1);
		}
		if (n == -ENODEV)
			atomic_fetch_add(&sh->enodev, 1);
		else if (n < 0)
			atomic_fetch_add(&sh->other, 1);
		nvmem_device_put(dev);
	}
	return NULL;
}

static void test_at24_unplug_stress(void **state)
{
	struct nvmem_device *devs[NDEV];
	pthread_t readers[NREADERS];
	struct shared sh = { 0 };
	unsigned int seed = 1;
	int i, c;

	log_set_level(LOG_ERR);	/* thousands of (un)registrations */
	assert_int_equal(nvmem_core_init(), 0);
	for (i = 0; i < NDEV; i++)
		devs[i] = plug(i, seed++);
	for (i = 0; i < NREADERS; i++)
		pthread_create(&readers[i], NULL, reader, &sh);
	for (c = 0; c < CYCLES; c++) {
		i = c % NDEV;
		/* Whether the emulator pulled it already or not. */
		nvmem_device_unregister(devs[i]);
		nvmem_device_put(devs[i]);
		/* A device that reported itself gone unregisters on a worker
		 * thread: its name is free once that is done. */
		nvmem_device_drain_gone();
		devs[i] = plug(i, seed++);
		if (c % 5 == 0)
			usleep(200);
	}
	atomic_store(&sh.stop, 1);
	for (i = 0; i < NREADERS; i++)
		pthread_join(readers[i], NULL);
	for (i = 0; i < NDEV; i++) {
		nvmem_device_unregister(devs[i]);
		nvmem_device_put(devs[i]);
	}
	nvmem_device_drain_gone();
	nvmem_core_exit();
	printf("# %d cycles: %ld verified reads, %ld ENODEV\n", CYCLES,
	       atomic_load(&sh.ok_reads), atomic_load(&sh.enodev));
	assert_int_equal(atomic_load(&sh.wrong), 0);
	assert_int_equal(atomic_load(&sh.other), 0);
	assert_true(atomic_load(&sh.ok_reads) > 0);
	assert_true(atomic_load(&sh.enodev) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_at24_unplug_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
