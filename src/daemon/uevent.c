// SPDX-License-Identifier: MIT
/*
 * udev monitoring with libudev.
 *
 * "udev" events come after udevd has processed them (nodes and symlinks
 * exist, rules ran); "kernel" events come straight from the kernel and
 * are what boards without udevd (BusyBox mdev, none at all) and our CI
 * have. Both carry the same device information we need.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libudev.h>

#include "base/log.h"
#include "daemon/uevent.h"

/* An event flood (a hub with many devices re-enumerating) must not
 * overflow the socket in normal operation. */
#define UEVENT_RCVBUF	(4 * 1024 * 1024)

/*
 * Lifetime: created by uevent_monitor_start(), freed by
 * uevent_monitor_stop() after the thread was joined. Everything but
 * @ready / @lock / @cond is touched by the monitor thread only once it
 * runs.
 */
struct uevent_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
	const char *const *subsystems;
	struct uevent_ops ops;
	int stop_fd;		/* eventfd: written to stop the thread */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool ready;
};

int uevent_source_parse(const char *s, enum uevent_source *src)
{
	if (!strcmp(s, "auto"))
		*src = UEVENT_SOURCE_AUTO;
	else if (!strcmp(s, "udev"))
		*src = UEVENT_SOURCE_UDEV;
	else if (!strcmp(s, "kernel"))
		*src = UEVENT_SOURCE_KERNEL;
	else
		return -EINVAL;
	return 0;
}

const char *uevent_source_name(enum uevent_source src)
{
	switch (src) {
	case UEVENT_SOURCE_UDEV:
		return "udev";
	case UEVENT_SOURCE_KERNEL:
		return "kernel";
	default:
		return "auto";
	}
}

static bool uevent_watched(struct uevent_monitor *m, const char *subsystem)
{
	const char *const *s;

	if (!subsystem)
		return false;
	for (s = m->subsystems; *s; s++)
		if (!strcmp(*s, subsystem))
			return true;
	return false;
}

static int uevent_action_parse(const char *action, enum uevent_action *a)
{
	if (!strcmp(action, "add") || !strcmp(action, "change") ||
	    !strcmp(action, "bind") || !strcmp(action, "online"))
		*a = UEVENT_ADD;
	else if (!strcmp(action, "remove") || !strcmp(action, "offline"))
		*a = UEVENT_REMOVE;
	else
		return -EINVAL;	/* unbind, move: nothing to do */
	return 0;
}

/* The bridge's serial: the USB device's, else the HID device's uniq. */
static const char *uevent_usb_serial(struct udev_device *d)
{
	struct udev_device *p;

	p = udev_device_get_parent_with_subsystem_devtype(d, "usb",
							  "usb_device");
	if (p)
		return udev_device_get_sysattr_value(p, "serial");
	p = udev_device_get_parent_with_subsystem_devtype(d, "hid", NULL);
	return p ? udev_device_get_property_value(p, "HID_UNIQ") : NULL;
}

/* Hand @d over as a plain event, if it is one of ours. */
static void uevent_deliver(struct uevent_monitor *m, struct udev_device *d,
			   const char *action, bool enumerated)
{
	struct uevent_event ev = {
		.enumerated = enumerated,
		.subsystem = udev_device_get_subsystem(d),
		.sysname = udev_device_get_sysname(d),
		.devnode = udev_device_get_devnode(d),
		.devnum = udev_device_get_devnum(d),
	};

	if (!action || !uevent_watched(m, ev.subsystem) || !ev.sysname ||
	    uevent_action_parse(action, &ev.action) < 0)
		return;
	if (!strcmp(ev.subsystem, "i2c-dev") && ev.action == UEVENT_ADD) {
		ev.adapter_name = udev_device_get_sysattr_value(d, "name");
		ev.usb_serial = uevent_usb_serial(d);
	}
	m->ops.event(&ev, m->ops.data);
}

/* Report every present device of the watched subsystems as "add". */
static void uevent_enumerate(struct uevent_monitor *m)
{
	struct udev_list_entry *entry;
	struct udev_enumerate *en;
	const char *const *s;

	en = udev_enumerate_new(m->udev);
	if (!en) {
		log_err("cannot enumerate devices");
		return;
	}
	for (s = m->subsystems; *s; s++)
		udev_enumerate_add_match_subsystem(en, *s);
	if (udev_enumerate_scan_devices(en) < 0)
		log_warn("device enumeration incomplete");
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(en)) {
		struct udev_device *d;

		d = udev_device_new_from_syspath(m->udev,
						 udev_list_entry_get_name(entry));
		if (!d)
			continue;	/* gone since the scan */
		uevent_deliver(m, d, "add", true);
		udev_device_unref(d);
	}
	udev_enumerate_unref(en);
}

static void uevent_set_ready(struct uevent_monitor *m)
{
	pthread_mutex_lock(&m->lock);
	m->ready = true;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

static void *uevent_thread(void *arg)
{
	struct uevent_monitor *m = arg;
	struct pollfd pfd[2] = {
		{ .fd = udev_monitor_get_fd(m->mon), .events = POLLIN },
		{ .fd = m->stop_fd, .events = POLLIN },
	};

	uevent_enumerate(m);
	uevent_set_ready(m);

	for (;;) {
		struct udev_device *d;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("uevent poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents)
			break;
		errno = 0;
		d = udev_monitor_receive_device(m->mon);
		if (!d) {
			if (errno == ENOBUFS) {
				/* Lost events: start over from what exists.
				 * What went goes first, so that a device now
				 * behind the same path, or with the same
				 * number, is bound by the adds that follow. */
				log_warn("uevent queue overflowed; rescanning devices");
				if (m->ops.resync)
					m->ops.resync(m->ops.data);
				uevent_enumerate(m);
			}
			continue;
		}
		uevent_deliver(m, d, udev_device_get_action(d), false);
		udev_device_unref(d);
	}
	return NULL;
}

/* Everything but the thread, which is joined (or never started). */
static void uevent_monitor_free(struct uevent_monitor *m)
{
	if (m->stop_fd >= 0)
		close(m->stop_fd);
	udev_monitor_unref(m->mon);
	udev_unref(m->udev);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m);
}

int uevent_monitor_start(enum uevent_source src,
			 const char *const *subsystems,
			 const struct uevent_ops *ops,
			 struct uevent_monitor **out)
{
	struct uevent_monitor *m;
	const char *const *s;
	int ret;

	if (src == UEVENT_SOURCE_AUTO)
		src = access("/run/udev/control", F_OK) == 0 ?
		      UEVENT_SOURCE_UDEV : UEVENT_SOURCE_KERNEL;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->subsystems = subsystems;
	m->ops = *ops;
	m->stop_fd = -1;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);

	ret = -ENOMEM;
	m->udev = udev_new();
	if (!m->udev)
		goto err;
	m->mon = udev_monitor_new_from_netlink(m->udev,
			src == UEVENT_SOURCE_UDEV ? "udev" : "kernel");
	if (!m->mon) {
		ret = -EPERM;
		goto err;
	}
	for (s = subsystems; *s; s++)
		udev_monitor_filter_add_match_subsystem_devtype(m->mon, *s, NULL);
	udev_monitor_set_receive_buffer_size(m->mon, UEVENT_RCVBUF);
	/* Enabled before the enumeration: nothing falls in between. */
	ret = udev_monitor_enable_receiving(m->mon);
	if (ret < 0)
		goto err;
	m->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (m->stop_fd < 0) {
		ret = -errno;
		goto err;
	}
	ret = -pthread_create(&m->thread, NULL, uevent_thread, m);
	if (ret)
		goto err;
	log_info("watching %s uevents", uevent_source_name(src));
	*out = m;
	return 0;

err:
	uevent_monitor_free(m);
	return ret < 0 ? ret : -EIO;
}

void uevent_monitor_wait_ready(struct uevent_monitor *m)
{
	pthread_mutex_lock(&m->lock);
	while (!m->ready)
		pthread_cond_wait(&m->cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

void uevent_monitor_stop(struct uevent_monitor *m)
{
	uint64_t one = 1;

	if (!m)
		return;
	if (write(m->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("cannot stop the uevent thread cleanly");
	pthread_join(m->thread, NULL);
	uevent_monitor_free(m);
}
