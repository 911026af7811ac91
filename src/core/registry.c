// SPDX-License-Identifier: MIT
/*
 * The registry of registered devices: two liburcu lock-free hash tables,
 * by name (FUSE lookups in the root directory) and by id (FUSE inode
 * numbers carry the id).
 *
 * Lifetime rules:
 *  - a registry_node is created by registry_add() and freed by
 *    registry_remove() after an RCU grace period, so readers that found
 *    it inside rcu_read_lock() may still dereference it until they unlock;
 *  - the node holds a device reference from add until remove hands it
 *    back (the caller of add gives it, the caller of remove gets it:
 *    device.c); since removal waits for a grace period before that, a
 *    lookup that found the node can always take its own reference
 *    safely on @ref (the count cannot have reached zero);
 *  - the registry knows devices only by name, id and reference count:
 *    it calls nothing of device.c, which calls it.
 *  - @lock serialises writers (add/remove) so that a name is never
 *    inserted twice; readers never take it.
 *
 * liburcu is uninstrumented, so for ThreadSanitizer the publication of a
 * node (release before add, acquire in the match function) and the grace
 * period (release at every read unlock, acquire after synchronize_rcu)
 * are stated with tsan_release()/tsan_acquire().
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "base/log.h"
#include "base/util.h"
#include "core/registry.h"
#include "base/tsan.h"

struct registry_node {
	struct cds_lfht_node by_name;
	struct cds_lfht_node by_id;
	struct nvmem_device *dev;	/* holds a reference, on @ref */
	struct util_ref *ref;
	const char *name;		/* the device's own, immutable */
	uint64_t id;
};

static struct cds_lfht *registry_names;
static struct cds_lfht *registry_ids;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct registry_listener registry_listener_cb;
static atomic_ullong registry_ids_next = 1;
static char registry_gp;	/* TSan sync object for grace periods */

/*
 * liburcu needs every reader thread registered, and unregistered before
 * the thread exits. The FUSE loop (fs/loop.c) starts and ends its
 * workers without telling the core, so register lazily and unregister
 * from a thread-specific destructor.
 */
static pthread_key_t registry_thread_key;
static pthread_once_t registry_key_once = PTHREAD_ONCE_INIT;
static _Thread_local bool registry_thread_registered;

static void registry_thread_exit(void *arg)
{
	(void)arg;
	urcu_memb_unregister_thread();
}

static void registry_make_key(void)
{
	pthread_key_create(&registry_thread_key, registry_thread_exit);
}

static void registry_rcu_thread(void)
{
	if (registry_thread_registered)
		return;
	pthread_once(&registry_key_once, registry_make_key);
	urcu_memb_register_thread();
	pthread_setspecific(registry_thread_key, (void *)1);
	registry_thread_registered = true;
}

static void registry_read_lock(void)
{
	registry_rcu_thread();
	urcu_memb_read_lock();
}

static void registry_read_unlock(void)
{
	tsan_release(&registry_gp);
	urcu_memb_read_unlock();
}

static void registry_synchronize(void)
{
	registry_rcu_thread();
	urcu_memb_synchronize_rcu();
	tsan_acquire(&registry_gp);
}

static unsigned long registry_hash_name(const char *s)
{
	return util_hash_str(UTIL_HASH_INIT, s);
}

static unsigned long registry_hash_id(uint64_t id)
{
	return id * 0x9e3779b97f4a7c15ULL;
}

static int registry_match_name(struct cds_lfht_node *node, const void *key)
{
	struct registry_node *rn =
		caa_container_of(node, struct registry_node, by_name);

	tsan_acquire(rn);
	return !strcmp(rn->name, key);
}

static int registry_match_id(struct cds_lfht_node *node, const void *key)
{
	struct registry_node *rn =
		caa_container_of(node, struct registry_node, by_id);

	tsan_acquire(rn);
	return rn->id == *(const uint64_t *)key;
}

int registry_init(void)
{
	registry_rcu_thread();
	registry_names = cds_lfht_new_flavor(16, 16, 0,
					     CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
					     &urcu_memb_flavor, NULL);
	registry_ids = cds_lfht_new_flavor(16, 16, 0,
					   CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
					   &urcu_memb_flavor, NULL);
	if (!registry_names || !registry_ids) {
		if (registry_names)
			cds_lfht_destroy(registry_names, NULL);
		registry_names = NULL;
		registry_ids = NULL;
		return -ENOMEM;
	}
	return 0;
}

void registry_exit(void)
{
	if (!registry_names)
		return;
	cds_lfht_destroy(registry_names, NULL);
	cds_lfht_destroy(registry_ids, NULL);
	registry_names = NULL;
	registry_ids = NULL;
	memset(&registry_listener_cb, 0, sizeof(registry_listener_cb));
}

void registry_set_listener(const struct registry_listener *listener)
{
	pthread_mutex_lock(&registry_lock);
	if (listener)
		registry_listener_cb = *listener;
	else
		memset(&registry_listener_cb, 0, sizeof(registry_listener_cb));
	pthread_mutex_unlock(&registry_lock);
}

uint64_t registry_next_id(void)
{
	return atomic_fetch_add(&registry_ids_next, 1);
}

int registry_add(struct nvmem_device *dev, const char *name, uint64_t id,
		 struct util_ref *ref)
{
	struct registry_listener l;
	struct registry_node *rn;
	struct cds_lfht_node *old;

	rn = calloc(1, sizeof(*rn));
	if (!rn)
		return -ENOMEM;
	rn->dev = dev;
	rn->ref = ref;
	rn->name = name;
	rn->id = id;
	cds_lfht_node_init(&rn->by_name);
	cds_lfht_node_init(&rn->by_id);

	pthread_mutex_lock(&registry_lock);
	registry_read_lock();
	tsan_release(rn);
	old = cds_lfht_add_unique(registry_names, registry_hash_name(rn->name),
				  registry_match_name, rn->name, &rn->by_name);
	if (old != &rn->by_name) {
		registry_read_unlock();
		pthread_mutex_unlock(&registry_lock);
		free(rn);
		return -EEXIST;
	}
	cds_lfht_add(registry_ids, registry_hash_id(rn->id), &rn->by_id);
	registry_read_unlock();
	l = registry_listener_cb;
	pthread_mutex_unlock(&registry_lock);

	if (l.added)
		l.added(dev, l.data);
	return 0;
}

static struct registry_node *registry_find_locked(uint64_t id)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(registry_ids, registry_hash_id(id), registry_match_id,
			&id, &iter);
	node = cds_lfht_iter_get_node(&iter);
	return node ? caa_container_of(node, struct registry_node, by_id) : NULL;
}

int registry_remove(struct nvmem_device *dev, uint64_t id)
{
	struct registry_listener l;
	struct registry_node *rn;

	pthread_mutex_lock(&registry_lock);
	registry_read_lock();
	rn = registry_find_locked(id);
	if (!rn || rn->dev != dev) {
		registry_read_unlock();
		pthread_mutex_unlock(&registry_lock);
		return -ENOENT;
	}
	cds_lfht_del(registry_names, &rn->by_name);
	cds_lfht_del(registry_ids, &rn->by_id);
	registry_read_unlock();
	l = registry_listener_cb;
	pthread_mutex_unlock(&registry_lock);

	/* Lookups that found the node have taken their reference by the
	 * end of this grace period; after it nobody can reach the node. */
	registry_synchronize();
	free(rn);

	if (l.removed)
		l.removed(dev, l.data);
	return 0;	/* the node's reference is now the caller's */
}

/* A reference for the caller, inside the read section that found @rn. */
static struct nvmem_device *registry_get(struct registry_node *rn)
{
	util_ref_get(rn->ref);
	return rn->dev;
}

struct nvmem_device *registry_get_by_name(const char *name)
{
	struct nvmem_device *dev = NULL;
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	if (!registry_names)
		return NULL;
	registry_read_lock();
	cds_lfht_lookup(registry_names, registry_hash_name(name),
			registry_match_name, name, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node)
		dev = registry_get(caa_container_of(node, struct registry_node,
						    by_name));
	registry_read_unlock();
	return dev;
}

struct nvmem_device *registry_get_by_id(uint64_t id)
{
	struct nvmem_device *dev = NULL;
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	if (!registry_ids)
		return NULL;
	registry_read_lock();
	cds_lfht_lookup(registry_ids, registry_hash_id(id), registry_match_id,
			&id, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node)
		dev = registry_get(caa_container_of(node, struct registry_node,
						    by_id));
	registry_read_unlock();
	return dev;
}

static int registry_cmp_id(const void *a, const void *b)
{
	uint64_t ia = ((const struct registry_item *)a)->id;
	uint64_t ib = ((const struct registry_item *)b)->id;

	return ia < ib ? -1 : ia > ib;
}

int registry_list(struct registry_item **items, size_t *count)
{
	struct registry_item *list = NULL, *grown;
	struct registry_node *rn;
	struct cds_lfht_node *node;
	struct cds_lfht_iter iter;
	size_t n = 0, cap = 0;
	int ret = 0;

	*items = NULL;
	*count = 0;
	if (!registry_ids)
		return 0;
	registry_read_lock();
	/* Not cds_lfht_for_each_entry(): it applies container_of to the
	 * NULL end marker, which UBSan rightly reports. */
	for (cds_lfht_first(registry_ids, &iter);
	     (node = cds_lfht_iter_get_node(&iter)) != NULL;
	     cds_lfht_next(registry_ids, &iter)) {
		rn = caa_container_of(node, struct registry_node, by_id);
		tsan_acquire(rn);
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			list = grown;
		}
		list[n].id = rn->id;
		list[n++].dev = registry_get(rn);
	}
	registry_read_unlock();
	if (n)
		qsort(list, n, sizeof(*list), registry_cmp_id);
	*items = list;
	*count = n;
	return ret;
}
