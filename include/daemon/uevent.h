/* SPDX-License-Identifier: MIT */
/*
 * The udev monitor: existing devices at start, then add/remove events,
 * delivered on one thread of its own so that event handling never blocks
 * a FUSE thread (and a slow unregistration never blocks FUSE either).
 */
#ifndef NVMEMFS_UEVENT_H
#define NVMEMFS_UEVENT_H

#include <stdbool.h>
#include <sys/types.h>

struct uevent_monitor;

enum uevent_action {
	UEVENT_ADD,		/* add, change, bind, online */
	UEVENT_REMOVE,		/* remove, offline */
};

/*
 * One device event as plain data, everything the daemon matches its
 * configuration against, so that matching needs no libudev (match.h).
 * The strings live as long as the event callback runs; NULL when the
 * device has no such thing.
 */
struct uevent_event {
	enum uevent_action action;
	const char *subsystem;		/* "block", "mtd", "i2c-dev", "nvmem" */
	const char *sysname;		/* "loop0", "i2c-3", "0-00500" */
	const char *devnode;		/* "/dev/i2c-3" */
	dev_t devnum;			/* 0 for devices without a node */
	/* i2c-dev: the adapter's name, and the USB serial of the bridge
	 * it sits on (or its HID device's uniq, which HID bridges such as
	 * the CP2112 carry when there is no USB parent) */
	const char *adapter_name;
	const char *usb_serial;
	/* found by a scan (at start, after lost events), not announced */
	bool enumerated;
};

enum uevent_source {
	UEVENT_SOURCE_AUTO,	/* udev when udevd runs, else kernel */
	UEVENT_SOURCE_UDEV,
	UEVENT_SOURCE_KERNEL,
};

int uevent_source_parse(const char *s, enum uevent_source *src);
const char *uevent_source_name(enum uevent_source src);

struct uevent_ops {
	/* One device event. Called on the monitor thread only, one at a
	 * time. */
	void (*event)(const struct uevent_event *ev, void *data);
	/* Events were lost (socket overflow): every present device has just
	 * been reported again as "add"; drop what is no longer there. */
	void (*resync)(void *data);
	void *data;
};

/*
 * Start monitoring @subsystems (NULL-terminated). The monitor is enabled
 * before the initial enumeration, so nothing that happens in between is
 * lost; the enumeration is reported as "add" events on the monitor
 * thread. Returns 0 or -errno.
 */
int uevent_monitor_start(enum uevent_source src,
			 const char *const *subsystems,
			 const struct uevent_ops *ops,
			 struct uevent_monitor **out);

/* Wait until the initial enumeration has been delivered. */
void uevent_monitor_wait_ready(struct uevent_monitor *mon);

/* Stop and join the thread; NULL is fine. Not from the monitor thread. */
void uevent_monitor_stop(struct uevent_monitor *mon);

#endif
