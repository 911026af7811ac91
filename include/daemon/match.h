/* SPDX-License-Identifier: MIT */
/*
 * Does a device event stand for the backing that a [device] section
 * describes? A pure function of the two (and of what the section's path
 * resolves to now), so that every rule of it is unit-tested without
 * udev, and the manager is left with what to do about a match.
 */
#ifndef NVMEMFS_MATCH_H
#define NVMEMFS_MATCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "daemon/config.h"
#include "daemon/uevent.h"

/* What the binding of @cd knows when the event comes. */
struct match_state {
	/* The device number it is bound to (0: unbound, or a regular
	 * file): once bound, that number alone identifies the backing,
	 * even when its node and sysfs entry are already gone. */
	dev_t bound_rdev;
	/* provider = file under /dev: the device number its path (a
	 * symlink such as /dev/disk/by-label/...) resolves to now, 0 if
	 * none */
	dev_t path_rdev;
};

/*
 * True when @ev is about @cd's backing: its node or number (file), its
 * adapter by bus number, name glob or USB serial (at24 on a real bus;
 * *@bus gets the adapter's number, -1 otherwise), or its kernel name
 * (sysfs). Emulated chips and image files never match an event.
 */
bool match_backing(const struct config_device *cd,
		   const struct match_state *st, const struct uevent_event *ev,
		   int *bus);

/* Paths under /dev come and go with udev; anything else (an image file)
 * must be there when the daemon starts. */
bool match_path_hotplug(const char *path);

#endif
