// SPDX-License-Identifier: MIT
/*
 * Configured backings against device events (match.h).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "daemon/match.h"

bool match_path_hotplug(const char *path)
{
	return !strncmp(path, "/dev/", 5);
}

static bool match_subsystem(const struct uevent_event *ev, const char *s)
{
	return ev->subsystem && !strcmp(ev->subsystem, s);
}

/* The I2C adapter behind an i2c-dev device: by bus number, adapter
 * name glob or USB serial, whichever the section gives. */
static bool match_i2c(const struct config_device *cd,
		      const struct uevent_event *ev, int *bus)
{
	if (!match_subsystem(ev, "i2c-dev") ||
	    sscanf(ev->sysname, "i2c-%d", bus) != 1)
		return false;
	if (cd->bus >= 0)
		return *bus == cd->bus;
	if (cd->adapter)
		return ev->adapter_name &&
		       fnmatch(cd->adapter, ev->adapter_name, 0) == 0;
	if (cd->usb_serial)
		return ev->usb_serial && !strcmp(ev->usb_serial, cd->usb_serial);
	return false;
}

bool match_backing(const struct config_device *cd,
		   const struct match_state *st, const struct uevent_event *ev,
		   int *bus)
{
	*bus = -1;
	if (st->bound_rdev)
		return ev->devnum == st->bound_rdev;
	switch (cd->provider) {
	case CONFIG_PROVIDER_AT24:
		if (!cd->emulate && match_i2c(cd, ev, bus))
			return true;
		*bus = -1;
		return false;
	case CONFIG_PROVIDER_SYSFS:
		return match_subsystem(ev, "nvmem") &&
		       !strcmp(ev->sysname, cd->kernel_name);
	case CONFIG_PROVIDER_FILE:
		if (!match_path_hotplug(cd->path))
			return false;
		if (ev->devnode && !strcmp(ev->devnode, cd->path))
			return true;
		return ev->devnum && st->path_rdev == ev->devnum;
	}
	return false;
}
