/* SPDX-License-Identifier: MIT */
/*
 * The provider factory: one configured device built from its backing,
 * with its cells and layout, ready to register. The one place that knows
 * how each provider is opened, used by binding (manager.c) and by
 * --check-config (plan.c) alike, so that both refuse the same things.
 */
#ifndef NVMEMFS_FACTORY_H
#define NVMEMFS_FACTORY_H

#include <stdbool.h>
#include <sys/types.h>

#include "daemon/config.h"

struct nvmem_device;
struct i2c_adapter;
struct i2c_emul;

/* provider = at24 with emulate: the emulated bus, created at the first
 * build and kept across unplugs so that a re-scan can plug the same
 * chip back in. Zeroed: none yet. */
struct factory_emul {
	struct i2c_adapter *ad;
	struct i2c_emul *emul;
};

/*
 * Build @cd's device from its backing (at24 on a real bus: adapter @bus),
 * unregistered. 0 with the caller holding *@devp and the backing's device
 * number in *@rdevp (0 for regular files and emulated chips), -ENOENT
 * when the backing is absent, -EINVAL for a configuration problem
 * (logged with file and line), or another -errno.
 */
int factory_build(const struct config *cfg, const struct config_device *cd,
		  struct factory_emul *emul, int bus,
		  struct nvmem_device **devp, dev_t *rdevp);
/*
 * provider = at24 on bus @bus: is a kernel driver bound at the chip's
 * address (i2c.h), and what would factory_build() do about it? 0: no
 * driver, the chip is driven over /dev/i2c-N; FACTORY_KCLIENT_USE:
 * served through the driver's nvmem device @ci->nvmem;
 * FACTORY_KCLIENT_REFUSE: refused (kernel-driver = refuse, or a driver
 * without an nvmem device). Or -errno.
 */
struct i2c_client_info;
enum {
	FACTORY_KCLIENT_USE = 1,
	FACTORY_KCLIENT_REFUSE = 2,
};
int factory_kernel_client(const struct config_device *cd, int bus,
			  struct i2c_client_info *ci);

/* Plug an emulated chip back in (SIGUSR2); a no-op without one. */
void factory_emul_replug(struct factory_emul *emul);
void factory_emul_free(struct factory_emul *emul);

/* Kernel devices are cached only when nothing at all can write them;
 * this is the size limit every cached device shares. */
bool factory_cache_default(const struct nvmem_device *dev);

#endif
