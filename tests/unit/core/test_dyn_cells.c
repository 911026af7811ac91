// SPDX-License-Identifier: MIT
/* Dynamic cells: a layout's cells that come and go while served. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/nvmem.h"
#include "memprov.h"
#include "registry_group.h"

static ssize_t op_read(struct nvmem_device *dev, const struct nvmem_cell *cell,
		       uint8_t *buf, size_t size)
{
	return 0;
}

static const struct nvmem_cell_ops cell_ops = { .read = op_read, .max_raw = 16 };

static int syncs;

static int op_sync(struct nvmem_device *dev, void *priv)
{
	syncs++;
	return 0;
}

static const struct nvmem_layout_ops layout_ops = { .sync = op_sync };

static struct nvmem_device *make_dev(void)
{
	struct nvmem_provider_info info;
	struct memprov *m = memprov_new(256, 1, 0, 0, &info);
	struct nvmem_device *dev = nvmem_device_new("d", &memprov_ops, m, &info);
	struct nvmem_cell fixed = { .name = (char *)"fixed", .offset = 0,
				    .bytes = 4 };

	assert_non_null(dev);
	assert_int_equal(nvmem_device_add_cell(dev, &fixed), 0);
	assert_int_equal(nvmem_device_set_layout(dev, &layout_ops, NULL, NULL), 0);
	return dev;
}

static ssize_t add(struct nvmem_device *dev, const char *name)
{
	struct nvmem_cell c = { .name = (char *)name, .ops = &cell_ops,
				.format = CELL_FORMAT_TEXT };

	return nvmem_device_add_dyn_cell(dev, &c);
}

static void test_indexes_and_presence(void **state)
{
	struct nvmem_device *dev = make_dev();
	ssize_t a, b, c;
	uint64_t s;

	a = add(dev, "a");
	assert_int_equal(a, NVMEM_CELL_DYN_BASE);
	assert_int_equal(add(dev, "a"), -EEXIST);
	assert_int_equal(add(dev, "fixed"), -EEXIST);
	assert_int_equal(nvmem_device_register(dev), 0);
	/* After registration too; indexes never move. */
	b = add(dev, "b");
	assert_int_equal(b, NVMEM_CELL_DYN_BASE + 1);
	assert_int_equal(nvmem_device_find_cell(dev, "b"), b);
	assert_int_equal(nvmem_device_find_cell(dev, "fixed"), 0);
	assert_string_equal(nvmem_device_cell(dev, b)->name, "b");
	assert_null(nvmem_device_cell(dev, b + 1));
	assert_null(nvmem_device_cell(dev, 1));

	/* Hidden until a sync finds them. */
	assert_false(nvmem_device_cell_present(dev, a));
	assert_true(nvmem_device_cell_present(dev, 0));
	assert_int_equal(nvmem_device_cell_next(dev, 0), 0);
	assert_int_equal(nvmem_device_cell_next(dev, 1), -ENOENT);
	s = nvmem_device_sync_begin(dev);
	nvmem_device_sync_mark(dev, a, s);
	/* A cell found shows at once... */
	assert_true(nvmem_device_cell_present(dev, a));
	assert_false(nvmem_device_cell_present(dev, b));
	nvmem_device_sync_mark(dev, b, s);
	nvmem_device_sync_end(dev, s);
	assert_true(nvmem_device_cell_present(dev, a));
	assert_int_equal(nvmem_device_cell_next(dev, 1), a);
	assert_int_equal(nvmem_device_cell_next(dev, a + 1), b);

	/* The next sync that does not find "a" hides it; found again, it
	 * comes back under the same index. */
	s = nvmem_device_sync_begin(dev);
	nvmem_device_sync_mark(dev, b, s);
	/* ... one not found goes when the sync ends. */
	assert_true(nvmem_device_cell_present(dev, a));
	nvmem_device_sync_end(dev, s);
	assert_false(nvmem_device_cell_present(dev, a));
	assert_true(nvmem_device_cell_present(dev, b));
	assert_int_equal(nvmem_device_cell_next(dev, 1), b);
	assert_int_equal(nvmem_device_find_cell(dev, "a"), a);

	/* Many more: segments grow, nothing moves. */
	for (int i = 0; i < 5000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		c = add(dev, name);
		assert_int_equal(c, NVMEM_CELL_DYN_BASE + 2 + i);
	}
	assert_string_equal(nvmem_device_cell(dev, b)->name, "b");
	assert_int_equal(nvmem_device_find_cell(dev, "n4999"), c);

	/* No layout ops for these: nothing to create or remove. */
	assert_int_equal(nvmem_device_create_cell(dev, "x"), -EPERM);
	assert_int_equal(nvmem_device_remove_cell(dev, 0), -EPERM);
	assert_int_equal(nvmem_device_remove_cell(dev, b), -EPERM);
	assert_int_equal(nvmem_device_sync(dev), 0);
	assert_int_equal(syncs, 1);
	assert_false(nvmem_device_cells_editable(dev));
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
}

static void test_fixed_cells_only_before_registration(void **state)
{
	struct nvmem_device *dev = make_dev();
	struct nvmem_cell late = { .name = (char *)"late", .bytes = 1 };

	assert_int_equal(nvmem_device_register(dev), 0);
	assert_int_equal(nvmem_device_add_cell(dev, &late), -EBUSY);
	/* A device without a layout has no dynamic cells. */
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_indexes_and_presence),
		cmocka_unit_test(test_fixed_cells_only_before_registration),
	};

	return cmocka_run_group_tests(tests, registry_group_setup,
				      registry_group_teardown);
}
