/* SPDX-License-Identifier: MIT */
/*
 * The registry: every registered device, by name and by id.
 *
 * Lookups are lock-free (liburcu RCU hash tables) and return a counted
 * reference, so the caller may use the device after the lookup, sleep,
 * and outlive an unregistration. Additions and removals are serialised by
 * the registry's own mutex; a removal waits for an RCU grace period before
 * the registry's hash node is dropped.
 *
 * Threads that call registry_* must be known to liburcu: the registry
 * registers the calling thread on first use, so callers need not care.
 *
 * The registry knows a device only by its name, id and reference count,
 * and calls nothing of it: registering and unregistering, and the order
 * of teardown, are device.c's (nvmem_device_register(), nvmem_core_exit()).
 */
#ifndef NVMEMFS_REGISTRY_H
#define NVMEMFS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

struct nvmem_device;
struct util_ref;

/*
 * Told about registrations and unregistrations, in order, from the thread
 * that performs them. Called with no registry lock held.
 */
struct registry_listener {
	void (*added)(struct nvmem_device *dev, void *data);
	/* Called after the device has left the registry, before its
	 * provider is torn down. */
	void (*removed)(struct nvmem_device *dev, void *data);
	void *data;
};

int registry_init(void);
/* Every device must have been removed (nvmem_core_exit() sees to it). */
void registry_exit(void);

void registry_set_listener(const struct registry_listener *listener);

/*
 * Insert @dev under @name and @id (both live as long as it does). The
 * caller gives the registry one reference of @dev's count @ref, on which
 * lookups take theirs. -EEXIST on a name clash (the reference stays the
 * caller's).
 */
int registry_add(struct nvmem_device *dev, const char *name, uint64_t id,
		 struct util_ref *ref);
/* Remove @dev (registered under @id) if present (returns 0) else -ENOENT;
 * after an RCU grace period, the registry's reference is handed back to
 * the caller, who must drop it. */
int registry_remove(struct nvmem_device *dev, uint64_t id);

/* Counted references, or NULL. */
struct nvmem_device *registry_get_by_name(const char *name);
struct nvmem_device *registry_get_by_id(uint64_t id);

/*
 * Snapshot of the registered devices sorted by id (for readdir, whose
 * offsets are ids), each with a reference the caller drops with
 * nvmem_device_put(), also on -ENOMEM, which leaves the snapshot short;
 * then free() the array.
 */
struct registry_item {
	uint64_t id;
	struct nvmem_device *dev;
};

int registry_list(struct registry_item **items, size_t *count);

/* Ids are never reused within one run. */
uint64_t registry_next_id(void);

#endif
