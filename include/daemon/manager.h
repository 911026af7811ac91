/* SPDX-License-Identifier: MIT */
/*
 * The manager turns the configuration into registered devices and keeps
 * them in step with udev: a configured device whose backing appears is
 * registered, one whose backing goes away is unregistered.
 *
 * Threading: manager_start() runs on the main thread before the uevent
 * monitor starts; manager_uevent() runs on the monitor's thread. Both
 * take the manager's lock, so bindings change one event at a time.
 */
#ifndef NVMEMFS_MANAGER_H
#define NVMEMFS_MANAGER_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/factory.h"

struct config;
struct manager;
struct uevent_event;

/* @cfg must outlive the manager. */
int manager_new(const struct config *cfg, struct manager **out);
/* Unregisters every device the manager registered. */
void manager_free(struct manager *m);

/*
 * Register every configured device whose backing is present now. A
 * configuration problem that shows only now (a cell beyond the end of
 * the device, a layout cell clashing with a configured one) fails the
 * start: -EINVAL, with the message already logged.
 */
int manager_start(struct manager *m);

/* A device event of a watched subsystem. */
void manager_uevent(struct manager *m, const struct uevent_event *ev);

/* SIGUSR2: forget devices whose hardware went away and plug emulated
 * chips back in (a re-plug for tests and the demo). */
void manager_rescan(struct manager *m);

/* Events were lost: unregister devices whose backing is gone. */
void manager_resync(struct manager *m);

/* The subsystems manager_uevent() wants to see, NULL-terminated. */
const char *const *manager_subsystems(const struct manager *m);

/*
 * --check-config: set up every configured device whose backing is there,
 * as manager_start() would, without registering anything; 0, or -EINVAL
 * with the same messages manager_start() logs. With @built (an array of
 * cfg->ndevices, zeroed), each device set up is left at its index with
 * the emulated bus it sits on, for a closer look (--probe) without a
 * second set-up; release each with manager_checked_free(). A real AT24
 * is not set up here (it waits for udev): its entry stays empty.
 */
struct manager_checked {
	struct nvmem_device *dev;	/* referenced, unregistered */
	struct factory_emul emul;
	int ret;			/* of the set-up; 0 with @dev */
};
int manager_check(const struct config *cfg, struct manager_checked *built);
void manager_checked_free(struct manager_checked *c);

#endif
