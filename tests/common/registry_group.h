/* SPDX-License-Identifier: MIT */
/*
 * cmocka group fixture for tests of the core: the registry exists for
 * the whole group (devices register into it) and is torn down after,
 * unregistering whatever a failed test left behind.
 * Include after <cmocka.h>.
 */
#ifndef NVMEMFS_TEST_REGISTRY_GROUP_H
#define NVMEMFS_TEST_REGISTRY_GROUP_H

#include "core/nvmem.h"
#include "core/registry.h"

static int registry_group_setup(void **state)
{
	(void)state;
	return nvmem_core_init();
}

static int registry_group_teardown(void **state)
{
	(void)state;
	nvmem_core_exit();
	return 0;
}

#endif
