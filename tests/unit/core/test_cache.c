// SPDX-License-Identifier: MIT
/*
 * The read cache: the block bookkeeping on its own, then through a device
 * on a provider that counts its reads: a repeated read costs no provider
 * call, a write through the device is seen at once, a read that overlaps
 * a write never leaves its bytes behind, and an unplug forgets it all.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cache.h"
#include "memprov.h"
#include "registry_group.h"
#include "core/nvmem.h"
#include "core/registry.h"

static void test_blocks(void **state)
{
	struct nvmem_cache *c = nvmem_cache_new(100);	/* last block: 4 bytes */
	uint8_t data[100], out[100];
	uint32_t bs = nvmem_cache_block(c);
	uint64_t gen;
	size_t i;

	(void)state;
	assert_int_equal(bs, 32);
	for (i = 0; i < sizeof(data); i++)
		data[i] = i ^ 0x5a;
	assert_false(nvmem_cache_read(c, 0, out, 1));

	gen = nvmem_cache_begin(c);
	nvmem_cache_fill(c, gen, 0, data, 64);
	assert_true(nvmem_cache_read(c, 5, out, 45));
	assert_memory_equal(out, data + 5, 45);
	assert_false(nvmem_cache_read(c, 60, out, 10));	/* into block 2 */

	/* Only whole blocks are stored. */
	nvmem_cache_fill(c, gen, 70, data + 70, 10);
	assert_false(nvmem_cache_has(c, 70));
	nvmem_cache_fill(c, gen, 64, data + 64, 20);
	assert_false(nvmem_cache_has(c, 64));
	/* ... except the short one at the end of the device. */
	nvmem_cache_fill(c, gen, 96, data + 96, 4);
	assert_true(nvmem_cache_read(c, 96, out, 4));
	assert_memory_equal(out, data + 96, 4);
	assert_false(nvmem_cache_read(c, 96, out, 5));	/* past the end */

	/* A write forgets the blocks it touches, and nothing else. */
	nvmem_cache_invalidate(c, 33, 1);
	assert_false(nvmem_cache_has(c, 32));
	assert_true(nvmem_cache_has(c, 31));
	assert_true(nvmem_cache_has(c, 96));

	/* A fill from a read that began before a write is dropped. */
	gen = nvmem_cache_begin(c);
	nvmem_cache_invalidate(c, 90, 1);
	nvmem_cache_fill(c, gen, 32, data + 32, 32);
	assert_false(nvmem_cache_has(c, 32));
	gen = nvmem_cache_begin(c);
	nvmem_cache_fill(c, gen, 32, data + 32, 32);
	assert_true(nvmem_cache_has(c, 32));

	/* An unplug forgets everything, and later fills are not kept. */
	gen = nvmem_cache_begin(c);
	nvmem_cache_drop(c);
	for (i = 0; i < 100; i += 32)
		assert_false(nvmem_cache_has(c, i));
	nvmem_cache_fill(c, nvmem_cache_begin(c), 0, data, 32);
	assert_false(nvmem_cache_has(c, 0));
	nvmem_cache_free(c);
}

static struct nvmem_device *cached_dev(struct memprov **mp)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(4096, 1, 128, 64, &info);
	struct nvmem_device *dev = nvmem_device_new("c", &memprov_ops, m, &info);

	assert_non_null(dev);
	assert_int_equal(nvmem_device_set_cache(dev, true), 0);
	assert_true(nvmem_device_cached(dev));
	*mp = m;
	return dev;
}

static void test_device_hits(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = cached_dev(&m);
	uint8_t buf[4096], mac[6] = { 2, 0, 0x5e, 1, 2, 3 };
	int reads;
	size_t i;

	(void)state;
	assert_int_equal(nvmem_device_register(dev), 0);
	/* A 6-byte cell: one provider call, then none. */
	assert_int_equal(nvmem_device_read(dev, 0x100, buf, 6), 6);
	reads = atomic_load(&m->reads);
	assert_int_equal(reads, 1);
	for (i = 0; i < 100; i++) {
		assert_int_equal(nvmem_device_read(dev, 0x100, buf, 6), 6);
		assert_int_equal(buf[5], memprov_pattern(1, 0x105));
	}
	assert_int_equal(atomic_load(&m->reads), reads);

	/* A write is seen by the next read, which goes to the provider. */
	assert_int_equal(nvmem_device_write(dev, 0x102, mac, sizeof(mac)), 6);
	assert_int_equal(nvmem_device_read(dev, 0x100, buf, 8), 8);
	assert_int_equal(buf[1], memprov_pattern(1, 0x101));
	assert_memory_equal(buf + 2, mac, 6);
	assert_true(atomic_load(&m->reads) > reads);

	/* The whole device: read once in read chunks, then from memory. */
	assert_int_equal(nvmem_device_read(dev, 0, buf, sizeof(buf)), 4096);
	assert_true(atomic_load(&m->max_read) <= 128);
	reads = atomic_load(&m->reads);
	assert_int_equal(nvmem_device_read(dev, 7, buf, 4000), 4000);
	assert_int_equal(buf[0], memprov_pattern(1, 7));
	assert_int_equal(atomic_load(&m->reads), reads);

	/* Unplugged: nothing from the cache, ENODEV. */
	nvmem_device_unregister(dev);
	assert_int_equal(nvmem_device_read(dev, 0x100, buf, 6), -ENODEV);
	nvmem_device_put(dev);
}

struct racer {
	struct nvmem_device *dev;
	uint8_t buf[16];
	ssize_t ret;
};

static void *race_read(void *arg)
{
	struct racer *r = arg;

	r->ret = nvmem_device_read(r->dev, 0x200, r->buf, sizeof(r->buf));
	return NULL;
}

/* The reader copies the old bytes, then a write lands, then the reader
 * returns: its bytes must not be kept. */
static void test_read_overlapping_write(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = cached_dev(&m);
	struct racer r = { .dev = dev };
	uint8_t new[16], buf[16];
	pthread_t t;

	(void)state;
	memset(new, 0xee, sizeof(new));
	assert_int_equal(nvmem_device_register(dev), 0);
	pthread_mutex_lock(&m->lock);
	m->block_late = true;
	m->block = true;
	pthread_mutex_unlock(&m->lock);
	assert_int_equal(pthread_create(&t, NULL, race_read, &r), 0);
	while (!atomic_load(&m->blocked_now))
		usleep(1000);
	assert_int_equal(nvmem_device_write(dev, 0x200, new, sizeof(new)), 16);
	pthread_mutex_lock(&m->lock);
	m->block_late = false;
	pthread_mutex_unlock(&m->lock);
	memprov_set_block(m, false);
	pthread_join(t, NULL);
	assert_int_equal(r.ret, 16);
	assert_int_equal(r.buf[0], memprov_pattern(1, 0x200));	/* old */
	assert_int_equal(nvmem_device_read(dev, 0x200, buf, 16), 16);
	assert_memory_equal(buf, new, 16);
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_device_hits),
		cmocka_unit_test(test_read_overlapping_write),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
