// SPDX-License-Identifier: MIT
/*
 * Dynamic cells under load: one thread adds cells and syncs (the way a
 * U-Boot environment follows fw_setenv) while readers list, look up by
 * name and by index. A reader must never see a cell half made, a name
 * under another index, or a cell that every sync found missing from a
 * listing. Run under ThreadSanitizer too.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/nvmem.h"
#include "memprov.h"
#include "registry_group.h"

#define CELLS	3000
#define READERS	3

static ssize_t op_read(struct nvmem_device *dev, const struct nvmem_cell *cell,
		       uint8_t *buf, size_t size)
{
	return 0;
}

static const struct nvmem_cell_ops cell_ops = { .read = op_read, .max_raw = 8 };
static const struct nvmem_layout_ops layout_ops = { 0 };

static atomic_bool done;
static atomic_int failures;

/* Cell k is named "c<k>"; "keep" (k = 0) is found by every sync. */
static void *reader(void *arg)
{
	struct nvmem_device *dev = arg;
	char name[16];

	while (!atomic_load(&done)) {
		bool keep = false;
		ssize_t i;

		for (i = nvmem_device_cell_next(dev, 0); i >= 0;
		     i = nvmem_device_cell_next(dev, i + 1)) {
			const struct nvmem_cell *c = nvmem_device_cell(dev, i);

			snprintf(name, sizeof(name), "c%zu",
				 (size_t)i - NVMEM_CELL_DYN_BASE);
			if (!c || strcmp(c->name, name) || c->ops != &cell_ops ||
			    nvmem_device_find_cell(dev, c->name) != i)
				atomic_fetch_add(&failures, 1);
			keep |= i == NVMEM_CELL_DYN_BASE;
		}
		if (!keep)
			atomic_fetch_add(&failures, 1);
	}
	return NULL;
}

static void test_add_and_sync_while_listing(void **state)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(64, 1, 0, 0, &info);
	struct nvmem_device *dev = nvmem_device_new("s", &memprov_ops, m, &info);
	pthread_t t[READERS];
	char name[16];
	uint64_t s;
	ssize_t i;
	int k, r;

	assert_non_null(dev);
	assert_int_equal(nvmem_device_set_layout(dev, &layout_ops, NULL, NULL), 0);
	for (k = 0; k < 1; k++) {
		struct nvmem_cell c = { .name = (char *)"c0", .ops = &cell_ops };

		assert_int_equal(nvmem_device_add_dyn_cell(dev, &c),
				 NVMEM_CELL_DYN_BASE);
	}
	s = nvmem_device_sync_begin(dev);
	nvmem_device_sync_mark(dev, NVMEM_CELL_DYN_BASE, s);
	nvmem_device_sync_end(dev, s);
	assert_int_equal(nvmem_device_register(dev), 0);
	for (r = 0; r < READERS; r++)
		assert_int_equal(pthread_create(&t[r], NULL, reader, dev), 0);

	for (k = 1; k < CELLS; k++) {
		struct nvmem_cell c = { .name = name, .ops = &cell_ops };

		snprintf(name, sizeof(name), "c%d", k);
		i = nvmem_device_add_dyn_cell(dev, &c);
		assert_int_equal(i, NVMEM_CELL_DYN_BASE + k);
		/* Every 10th: a sync that finds "c0" and every odd cell. */
		if (k % 10)
			continue;
		s = nvmem_device_sync_begin(dev);
		for (i = 0; i <= k; i++)
			if (i == 0 || i % 2)
				nvmem_device_sync_mark(dev, NVMEM_CELL_DYN_BASE + i, s);
		nvmem_device_sync_end(dev, s);
	}
	atomic_store(&done, true);
	for (r = 0; r < READERS; r++)
		pthread_join(t[r], NULL);
	assert_int_equal(atomic_load(&failures), 0);
	/* The last sync's set, exactly. */
	k = 0;
	for (i = nvmem_device_cell_next(dev, 0); i >= 0;
	     i = nvmem_device_cell_next(dev, i + 1)) {
		size_t n = i - NVMEM_CELL_DYN_BASE;

		assert_true(n == 0 || (n % 2 && n < CELLS - (CELLS - 1) % 10));
		k++;
	}
	assert_int_equal(k, 1 + (CELLS - (CELLS - 1) % 10) / 2);
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_sync_while_listing),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
