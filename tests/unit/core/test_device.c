// SPDX-License-Identifier: MIT
/* The device core and the registry: data-path rules and teardown order. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "core/cell.h"
#include "memprov.h"
#include "registry_group.h"
#include "core/nvmem.h"
#include "core/registry.h"

static struct nvmem_device *make_dev(const char *name, size_t size,
				     uint32_t rc, uint32_t wc,
				     struct memprov **mp)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(size, 1, rc, wc, &info);
	struct nvmem_device *dev = nvmem_device_new(name, &memprov_ops, m, &info);

	assert_non_null(dev);
	if (mp)
		*mp = m;
	return dev;
}

static void test_read_bounds(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev("a", 1000, 64, 16, &m);
	uint8_t buf[2000];
	size_t i;

	assert_int_equal(nvmem_device_read(dev, 0, buf, 1000), 1000);
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf[i], memprov_pattern(1, i));
	/* never more than read_chunk per provider call */
	assert_int_equal(atomic_load(&m->max_read), 64);
	/* crossing the end is cut short, at/past the end is EOF */
	assert_int_equal(nvmem_device_read(dev, 990, buf, 100), 10);
	assert_int_equal(buf[9], memprov_pattern(1, 999));
	assert_int_equal(nvmem_device_read(dev, 1000, buf, 10), 0);
	assert_int_equal(nvmem_device_read(dev, 5000, buf, 10), 0);
	nvmem_device_put(dev);
}

static void test_write_bounds(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev("w", 1000, 64, 16, &m);
	uint8_t buf[100], back[100];

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(nvmem_device_write(dev, 5, buf, 40), 40);
	assert_int_equal(atomic_load(&m->crossed_write_chunk), 0);
	assert_true(atomic_load(&m->max_write) <= 16);
	assert_int_equal(nvmem_device_read(dev, 5, back, 40), 40);
	assert_memory_equal(back, buf, 40);
	assert_int_equal(m->data[4], memprov_pattern(1, 4));
	assert_int_equal(m->data[45], memprov_pattern(1, 45));
	/* a write that crosses the end is cut short; past the end ENOSPC */
	assert_int_equal(nvmem_device_write(dev, 990, buf, 100), 10);
	assert_int_equal(nvmem_device_write(dev, 1000, buf, 1), -ENOSPC);
	nvmem_device_set_read_only(dev, true);
	assert_int_equal(nvmem_device_write(dev, 0, buf, 1), -EROFS);
	nvmem_device_put(dev);
}

static void test_cells(void **state)
{
	struct nvmem_device *dev = make_dev("c", 256, 64, 16, NULL);
	struct nvmem_cell c = { .name = "mac", .offset = 10, .bytes = 6,
				.format = CELL_FORMAT_MAC };
	char name[32];
	int i;

	assert_int_equal(nvmem_device_add_cell(dev, &c), 0);
	assert_int_equal(nvmem_device_add_cell(dev, &c), -EEXIST);
	c.name = "far";
	c.offset = 252;
	assert_int_equal(nvmem_device_add_cell(dev, &c), -ERANGE);
	c.name = "a/b";
	c.offset = 0;
	assert_int_equal(nvmem_device_add_cell(dev, &c), -EINVAL);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "cell%d", i);
		c.name = name;
		c.format = CELL_FORMAT_RAW;
		c.bytes = 1;
		assert_int_equal(nvmem_device_add_cell(dev, &c), 0);
	}
	assert_int_equal(nvmem_device_cell_count(dev), 1001);
	assert_int_equal(nvmem_device_find_cell(dev, "mac"), 0);
	assert_int_equal(nvmem_device_find_cell(dev, "cell999"), 1000);
	assert_int_equal(nvmem_device_find_cell(dev, "nope"), -ENOENT);
	assert_string_equal(nvmem_device_cell(dev, 500)->name, "cell499");
	nvmem_device_put(dev);
}

struct flipper {
	struct nvmem_device *dev;
	atomic_bool stop;
};

/* Rewrite bytes 2..17 as all 0xaa, then all 0xbb, until told to stop. */
static void *flip(void *arg)
{
	struct flipper *f = arg;
	uint8_t v[16];

	for (unsigned int i = 0; !atomic_load(&f->stop); i++) {
		memset(v, i % 2 ? 0xbb : 0xaa, sizeof(v));
		nvmem_device_write(f->dev, 2, v, sizeof(v));
	}
	return NULL;
}

/*
 * A cell read is one snapshot: a cell that takes several provider calls
 * (here five chunks of 4 bytes, each a slow 100 us) must not mix the
 * bytes of a write that lands between them.
 */
static void test_cell_snapshot(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev("s", 64, 4, 16, &m);
	struct nvmem_cell c = { .name = "blob", .offset = 2, .bytes = 16 };
	struct flipper f = { .dev = dev };
	uint8_t buf[16];
	pthread_t t;
	int i, torn = 0;

	m->delay_us = 100;
	assert_int_equal(nvmem_device_add_cell(dev, &c), 0);
	memset(buf, 0xbb, sizeof(buf));
	assert_int_equal(nvmem_device_write(dev, 2, buf, sizeof(buf)), 16);
	pthread_create(&t, NULL, flip, &f);
	for (i = 0; i < 200; i++) {
		assert_int_equal(cell_read_raw(dev, nvmem_device_cell(dev, 0),
					       buf, sizeof(buf)), 16);
		if (memcmp(buf, buf + 1, 15))
			torn++;
	}
	atomic_store(&f.stop, true);
	pthread_join(t, NULL);
	assert_int_equal(torn, 0);
	nvmem_device_put(dev);
}

struct events {
	int added, removed;
	char order[8];
	int n;
};

static void ev_added(struct nvmem_device *dev, void *data)
{
	struct events *e = data;

	e->added++;
	e->order[e->n++] = 'a';
}

static void ev_removed(struct nvmem_device *dev, void *data)
{
	struct events *e = data;

	/* listeners run after removal: lookups already fail */
	assert_null(registry_get_by_name(nvmem_device_name(dev)));
	e->removed++;
	e->order[e->n++] = 'r';
}

static void test_registry(void **state)
{
	struct events ev = { 0 };
	struct registry_listener l = { ev_added, ev_removed, &ev };
	struct nvmem_device *a = make_dev("a", 16, 8, 8, NULL);
	struct nvmem_device *b = make_dev("b", 16, 8, 8, NULL);
	struct nvmem_device *a2 = make_dev("a", 16, 8, 8, NULL);
	struct nvmem_device *got;
	struct registry_item *list;
	size_t n;

	registry_set_listener(&l);
	assert_int_equal(nvmem_device_register(a), 0);
	assert_int_equal(nvmem_device_register(b), 0);
	assert_int_equal(nvmem_device_register(a2), -EEXIST);
	assert_true(nvmem_device_id(b) > nvmem_device_id(a));

	got = registry_get_by_name("a");
	assert_ptr_equal(got, a);
	nvmem_device_put(got);
	got = registry_get_by_id(nvmem_device_id(b));
	assert_ptr_equal(got, b);
	nvmem_device_put(got);
	assert_null(registry_get_by_name("zzz"));

	assert_int_equal(registry_list(&list, &n), 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(list[0].dev, a);
	assert_ptr_equal(list[1].dev, b);
	assert_int_equal(list[1].id, nvmem_device_id(b));
	nvmem_device_put(list[0].dev);
	nvmem_device_put(list[1].dev);
	free(list);

	nvmem_device_unregister(a);
	nvmem_device_unregister(a);	/* idempotent */
	assert_null(registry_get_by_name("a"));
	assert_null(registry_get_by_id(nvmem_device_id(a)));
	/* the name is free again: a re-plugged device gets a new id */
	assert_int_equal(nvmem_device_register(a2), 0);
	assert_true(nvmem_device_id(a2) > nvmem_device_id(b));
	nvmem_device_unregister(a2);
	assert_int_equal(ev.added, 3);
	assert_int_equal(ev.removed, 2);
	assert_memory_equal(ev.order, "aarar", 5);
	registry_set_listener(NULL);
	nvmem_device_put(a);
	nvmem_device_put(b);
	nvmem_device_put(a2);
}

static void test_replug_new_id(void **state)
{
	struct nvmem_device *a = make_dev("x", 16, 8, 8, NULL);
	struct nvmem_device *b = make_dev("x", 16, 8, 8, NULL);
	uint8_t buf[4];

	assert_int_equal(nvmem_device_register(a), 0);
	nvmem_device_unregister(a);
	assert_int_equal(nvmem_device_register(b), 0);
	assert_true(nvmem_device_id(b) != nvmem_device_id(a));
	/* the old handle never reaches the new device */
	assert_int_equal(nvmem_device_read(a, 0, buf, 4), -ENODEV);
	assert_int_equal(nvmem_device_read(b, 0, buf, 4), 4);
	nvmem_device_put(a);
	nvmem_device_put(b);
}

struct blocked_read {
	struct nvmem_device *dev;
	ssize_t ret;
};

static void *do_read(void *p)
{
	struct blocked_read *r = p;
	uint8_t buf[256];

	r->ret = nvmem_device_read(r->dev, 0, buf, sizeof(buf));
	return NULL;
}

/*
 * Unplug while a reader is blocked inside the provider: cancel runs,
 * the reader gets ENODEV, destroy comes only after the reader left
 * (memprov aborts otherwise), and the device outlives it all while a
 * reference is held. The ENODEV the cancelled provider answers is the
 * unplug's own doing: it is no report of hardware gone.
 */
static void test_unregister_inflight(void **state)
{
	static atomic_int destroyed;
	struct memprov *m;
	struct nvmem_device *dev = make_dev("slow", 4096, 64, 16, &m);
	struct blocked_read r = { .dev = dev };
	const char *log;
	pthread_t t;
	uint8_t buf[4];

	m->destroy_flag = &destroyed;
	assert_int_equal(nvmem_device_register(dev), 0);
	memprov_set_block(m, true);
	pthread_create(&t, NULL, do_read, &r);
	while (!atomic_load(&m->blocked_now))
		usleep(100);
	capture_start();
	nvmem_device_unregister(dev);
	assert_int_equal(atomic_load(&destroyed), 1);
	pthread_join(t, NULL);
	nvmem_device_drain_gone();
	log = capture_end();
	assert_int_equal(r.ret, -ENODEV);
	assert_null(strstr(log, "hardware gone"));
	/* still a valid object for the handle that holds it */
	assert_string_equal(nvmem_device_name(dev), "slow");
	assert_false(nvmem_device_alive(dev));
	assert_int_equal(nvmem_device_read(dev, 0, buf, 4), -ENODEV);
	assert_int_equal(nvmem_device_write(dev, 0, buf, 4), -ENODEV);
	nvmem_device_put(dev);
}

/* A provider that says its hardware is gone triggers unregistration. */
static void test_provider_gone(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev("gone", 64, 64, 16, &m), *got;
	uint8_t buf[4];
	int i;

	assert_int_equal(nvmem_device_register(dev), 0);
	m->fail_with = ESHUTDOWN;
	assert_int_equal(nvmem_device_read(dev, 0, buf, 4), -ENODEV);
	for (i = 0; i < 5000; i++) {
		got = registry_get_by_name("gone");
		if (!got)
			break;
		nvmem_device_put(got);
		usleep(1000);
	}
	assert_null(registry_get_by_name("gone"));
	nvmem_device_drain_gone();
	nvmem_device_put(dev);
}

/* A bus error is EIO, not ENODEV, while the device is alive. */
static void test_bus_error(void **state)
{
	struct memprov *m;
	struct nvmem_device *dev = make_dev("eio", 64, 64, 16, &m);
	uint8_t buf[4];

	m->fail_with = EIO;
	assert_int_equal(nvmem_device_read(dev, 0, buf, 4), -EIO);
	nvmem_device_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_bounds),
		cmocka_unit_test(test_write_bounds),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_cell_snapshot),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_replug_new_id),
		cmocka_unit_test(test_unregister_inflight),
		cmocka_unit_test(test_provider_gone),
		cmocka_unit_test(test_bus_error),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
