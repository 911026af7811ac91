/* SPDX-License-Identifier: MIT */
/*
 * kernel-devices = yes: kernel nvmem devices that no [device] section
 * claims, served under their kernel names with the kernel's cells, as
 * their nvmem uevents come and go.
 *
 * Not locked itself: the manager calls every function with its lock held,
 * from the uevent thread (events, resync) or at exit (free).
 */
#ifndef NVMEMFS_KDEVS_H
#define NVMEMFS_KDEVS_H

#include <stdbool.h>

#include "daemon/config.h"

/* The list; each entry holds the manager's reference to its device. */
struct kdev;

/* An add (or change) or remove of kernel device @kname, which no
 * [device] section claimed. @announced: the kernel has just sent the
 * add, rather than a scan finding the device; its cells may be a few
 * milliseconds late, and the call may sleep up to 100 ms for them. */
void kdevs_event(struct kdev **list, const struct config *cfg,
		 const char *kname, bool add, bool announced);
/* Events were lost: drop the devices that are gone. */
void kdevs_resync(struct kdev **list);
void kdevs_free(struct kdev **list);

/* Is the kernel device @kname still there? */
bool kdevs_present(const char *kname);

#endif
