// SPDX-License-Identifier: MIT
/*
 * Unplug stress at the core API: 8 reader threads look devices up, keep
 * the reference like an open FUSE handle would, and read and verify
 * while one thread unregisters and re-registers every device in a loop
 * (>= 1000 cycles). Every device generation has its own content, so a
 * handle that ever read a re-plugged device shows up as wrong bytes.
 *
 * Pass: zero wrong bytes, every failure is ENODEV (or the lookup found
 * nothing), and under ASan/TSan zero reports (they abort the test).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "memprov.h"
#include "core/nvmem.h"
#include "base/log.h"
#include "core/registry.h"

#define NDEV		4
#define NREADERS	8
#define CYCLES		1000
#define DEVSIZE		8192

/* The first 4 bytes of a device hold its generation's seed; the rest is
 * memprov_pattern(seed, i). */
static struct nvmem_device *make_gen(int slot, unsigned int seed)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(DEVSIZE, seed, 256, 64, &info);
	struct nvmem_device *dev;
	char name[16];
	struct nvmem_cell cell = { .name = "seed", .offset = 0, .bytes = 4,
				   .format = CELL_FORMAT_U32LE };

	memcpy(m->data, &seed, 4);
	m->delay_us = (seed % 3) * 20;	/* some generations are slow */
	snprintf(name, sizeof(name), "dev%d", slot);
	dev = nvmem_device_new(name, &memprov_ops, m, &info);
	assert_non_null(dev);
	assert_int_equal(nvmem_device_add_cell(dev, &cell), 0);
	return dev;
}

struct shared {
	atomic_int stop;
	atomic_long ok_reads, enodev, enoent, wrong, other;
};

static void *reader(void *p)
{
	struct shared *sh = p;
	unsigned int r = (unsigned int)(uintptr_t)pthread_self();
	uint8_t buf[3000];

	while (!atomic_load(&sh->stop)) {
		char name[16];
		struct nvmem_device *dev;
		unsigned int seed;
		bool dead = false;
		ssize_t n;
		int k;

		r = r * 1103515245 + 12345;
		snprintf(name, sizeof(name), "dev%u", (r >> 8) % NDEV);
		dev = registry_get_by_name(name);
		if (!dev) {
			atomic_fetch_add(&sh->enoent, 1);
			continue;
		}
		n = nvmem_device_read(dev, 0, &seed, 4);
		if (n != 4) {
			atomic_fetch_add(n == -ENODEV ? &sh->enodev : &sh->other, 1);
			nvmem_device_put(dev);
			continue;
		}
		/* Keep the "handle" for a while, across unplugs. */
		for (k = 0; k < 20; k++) {
			uint64_t off;
			size_t len, i;

			r = r * 1103515245 + 12345;
			off = 4 + (r >> 4) % (DEVSIZE - 4);
			len = 1 + (r >> 16) % sizeof(buf);
			n = nvmem_device_read(dev, off, buf, len);
			if (n == -ENODEV) {
				dead = true;
				atomic_fetch_add(&sh->enodev, 1);
				continue;
			}
			if (n < 0 || dead) {
				/* once gone, a handle never reads again */
				atomic_fetch_add(&sh->other, 1);
				continue;
			}
			for (i = 0; i < (size_t)n; i++) {
				if (buf[i] != memprov_pattern(seed, off + i)) {
					atomic_fetch_add(&sh->wrong, 1);
					break;
				}
			}
			atomic_fetch_add(&sh->ok_reads, 1);
		}
		nvmem_device_put(dev);
	}
	return NULL;
}

static void test_unplug_stress(void **state)
{
	struct nvmem_device *devs[NDEV];
	pthread_t readers[NREADERS];
	struct shared sh = { 0 };
	unsigned int seed = 100;
	int i, c;

	log_set_level(LOG_ERR);	/* thousands of (un)registrations */
	assert_int_equal(nvmem_core_init(), 0);
	for (i = 0; i < NDEV; i++) {
		devs[i] = make_gen(i, seed++);
		assert_int_equal(nvmem_device_register(devs[i]), 0);
	}
	for (i = 0; i < NREADERS; i++)
		pthread_create(&readers[i], NULL, reader, &sh);

	for (c = 0; c < CYCLES; c++) {
		i = c % NDEV;
		nvmem_device_unregister(devs[i]);
		nvmem_device_put(devs[i]);
		if (c % 7 == 0)
			usleep(100);	/* let lookups see it absent */
		devs[i] = make_gen(i, seed++);
		assert_int_equal(nvmem_device_register(devs[i]), 0);
	}

	atomic_store(&sh.stop, 1);
	for (i = 0; i < NREADERS; i++)
		pthread_join(readers[i], NULL);
	for (i = 0; i < NDEV; i++) {
		nvmem_device_unregister(devs[i]);
		nvmem_device_put(devs[i]);
	}
	nvmem_core_exit();

	printf("# %d cycles: %ld verified reads, %ld ENODEV, %ld ENOENT\n",
	       CYCLES, atomic_load(&sh.ok_reads), atomic_load(&sh.enodev),
	       atomic_load(&sh.enoent));
	assert_int_equal(atomic_load(&sh.wrong), 0);
	assert_int_equal(atomic_load(&sh.other), 0);
	assert_true(atomic_load(&sh.ok_reads) > 0);
	assert_true(atomic_load(&sh.enodev) > 0);	/* unplugs hit readers */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unplug_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
