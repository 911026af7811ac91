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
 */
#ifndef NVMEMFS_REGISTRY_H
#define NVMEMFS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

struct nvmem_device;

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
/* Unregisters every device that is still registered. */
void registry_exit(void);

void registry_set_listener(const struct registry_listener *listener);

/* Take a reference for the registry and insert. -EEXIST on a name clash. */
int registry_add(struct nvmem_device *dev);
/* Remove if present (returns 0) else -ENOENT; the registry's reference is
 * handed to the caller, who must drop it. */
int registry_remove(struct nvmem_device *dev);

/* Counted references, or NULL. */
struct nvmem_device *registry_get_by_name(const char *name);
struct nvmem_device *registry_get_by_id(uint64_t id);

/*
 * Snapshot of the registered devices sorted by id, each with a reference
 * (for readdir, whose offsets are ids). Free with registry_put_list().
 */
int registry_list(struct nvmem_device ***devs, size_t *count);
void registry_put_list(struct nvmem_device **devs, size_t count);

/* Ids are never reused within one run. */
uint64_t registry_next_id(void);

#endif
