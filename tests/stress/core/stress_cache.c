// SPDX-License-Identifier: MIT
/*
 * The read cache under load: one thread writes ever larger values over
 * a cached device while readers read it; a read that starts after a
 * write returned must never see bytes older than that write, whatever
 * the cache held. Then an unplug while they read: from then on, ENODEV.
 * Run under ThreadSanitizer too.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/nvmem.h"
#include "core/provider.h"
#include "core/registry.h"
#include "registry_group.h"

#define DEV_SIZE	1024
#define ROUNDS		255	/* byte values 1..255: never decreasing */
#define EPOCHS		40	/* each a new device, ending in an unplug */

/* A provider whose bytes are guarded by a lock (the stress is about the
 * cache, not about the provider). */
struct lockedmem {
	pthread_mutex_t lock;
	uint8_t data[DEV_SIZE];
};

static ssize_t lm_read(void *priv, uint64_t off, void *buf, size_t len)
{
	struct lockedmem *m = priv;

	pthread_mutex_lock(&m->lock);
	memcpy(buf, m->data + off, len);
	pthread_mutex_unlock(&m->lock);
	return len;
}

static ssize_t lm_write(void *priv, uint64_t off, const void *buf, size_t len)
{
	struct lockedmem *m = priv;

	pthread_mutex_lock(&m->lock);
	memcpy(m->data + off, buf, len);
	pthread_mutex_unlock(&m->lock);
	return len;
}

static void lm_destroy(void *priv)
{
	struct lockedmem *m = priv;

	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const struct nvmem_provider_ops lm_ops = {
	.name = "lockedmem",
	.read = lm_read,
	.write = lm_write,
	.destroy = lm_destroy,
};

static struct nvmem_device *dev;
static atomic_uint committed;	/* every byte is >= this */
static atomic_bool unplugged;	/* set once unregister has returned */
static atomic_long stale, after_unplug, reads;

static void *reader(void *arg)
{
	uint8_t buf[DEV_SIZE];
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	for (;;) {
		unsigned int floor = atomic_load(&committed);
		bool gone = atomic_load(&unplugged);
		size_t off = rand_r(&seed) % DEV_SIZE;
		size_t len = 1 + rand_r(&seed) % (DEV_SIZE - off);
		ssize_t n = nvmem_device_read(dev, off, buf, len);
		size_t i;

		if (gone) {
			if (n != -ENODEV)
				atomic_fetch_add(&after_unplug, 1);
			return NULL;
		}
		if (n == -ENODEV)
			continue;	/* the unplug is under way */
		atomic_fetch_add(&reads, 1);
		for (i = 0; n > 0 && i < (size_t)n; i++) {
			if (buf[i] < floor) {
				atomic_fetch_add(&stale, 1);
				break;
			}
		}
	}
}

static void one_epoch(void)
{
	struct nvmem_provider_info info = {
		.size = DEV_SIZE, .type = NVMEM_TYPE_EEPROM,
		.read_chunk = 128, .write_chunk = 64,
	};
	struct lockedmem *m = calloc(1, sizeof(*m));
	uint8_t block[DEV_SIZE];
	pthread_t t[2];
	unsigned int v;
	int i;

	atomic_store(&committed, 0);
	atomic_store(&unplugged, false);
	pthread_mutex_init(&m->lock, NULL);
	dev = nvmem_device_new("stress", &lm_ops, m, &info);
	assert_non_null(dev);
	assert_int_equal(nvmem_device_set_cache(dev, true), 0);
	assert_int_equal(nvmem_device_register(dev), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader,
						(void *)(uintptr_t)(i + 1)), 0);
	/* Round v writes v over the whole device, in pieces of random size
	 * and order, then publishes v as the floor. */
	for (v = 1; v <= ROUNDS; v++) {
		size_t off = 0, cut[8];
		int k, n = 0;

		memset(block, v, sizeof(block));
		while (off < DEV_SIZE && n < 7) {
			cut[n++] = off;
			off += 1 + rand() % 300;
		}
		cut[n] = DEV_SIZE;
		for (k = n - 1; k >= 0; k--) {
			size_t a = cut[k], b = cut[k + 1] < DEV_SIZE ?
					       cut[k + 1] : DEV_SIZE;

			if (a >= DEV_SIZE)
				continue;
			assert_int_equal(nvmem_device_write(dev, a, block, b - a),
					 b - a);
		}
		atomic_store(&committed, v);
	}
	nvmem_device_unregister(dev);
	atomic_store(&unplugged, true);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	nvmem_device_put(dev);
}

static void test_cache_under_writes(void **state)
{
	int e;

	(void)state;
	for (e = 0; e < EPOCHS; e++)
		one_epoch();
	assert_int_equal(atomic_load(&stale), 0);
	assert_int_equal(atomic_load(&after_unplug), 0);
	assert_true(atomic_load(&reads) > EPOCHS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_under_writes),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
