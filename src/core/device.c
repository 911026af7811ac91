// SPDX-License-Identifier: MIT
/*
 * struct nvmem_device: its life (creation, references, registration and
 * the order of unregistration) and the core's teardown at exit. nvmem.h
 * has the model, device_priv.h the rules of each field, device_cells.c
 * its cells, device_io.c the data path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "core/registry.h"
#include "device_priv.h"

struct nvmem_device *nvmem_device_new(const char *name,
				      const struct nvmem_provider_ops *ops,
				      void *priv,
				      const struct nvmem_provider_info *info)
{
	struct nvmem_device *dev;
	struct nvmem_impl *impl;

	if (!name || !*name || !ops || !ops->read || !ops->destroy || !info) {
		errno = EINVAL;
		return NULL;
	}

	dev = calloc(1, sizeof(*dev));
	impl = calloc(1, sizeof(*impl));
	if (!dev || !impl)
		goto err_free;
	dev->name = strdup(name);
	if (!dev->name)
		goto err_free;
	dev->srcu = srcu_domain_new();
	if (!dev->srcu)
		goto err_free;

	impl->ops = ops;
	impl->priv = priv;
	dev->size = info->size;
	dev->type = info->type;
	dev->read_only = info->read_only || !ops->write;
	dev->read_chunk = info->read_chunk ? info->read_chunk : 4096;
	dev->read_ahead = info->read_ahead;
	dev->write_chunk = info->write_chunk ? info->write_chunk : 4096;
	dev->perm = info->perm;
	util_ref_init(&dev->refs);
	atomic_init(&dev->alive, true);
	atomic_init(&dev->impl, impl);
	atomic_init(&dev->gone_reported, false);
	pthread_mutex_init(&dev->content_lock, NULL);
	pthread_mutex_init(&dev->state_lock, NULL);
	dev->state = NVMEM_NEW;
	return dev;

err_free:
	if (dev) {
		srcu_domain_free(dev->srcu);
		free(dev->name);
	}
	free(dev);
	free(impl);
	errno = ENOMEM;
	return NULL;
}

int nvmem_device_set_backing(struct nvmem_device *dev, const char *backing)
{
	char *copy = strdup(backing);

	if (!copy)
		return -ENOMEM;
	free(dev->backing);
	dev->backing = copy;
	return 0;
}

const char *nvmem_device_backing(const struct nvmem_device *dev)
{
	return dev->backing ? dev->backing : "-";
}

void nvmem_device_set_read_only(struct nvmem_device *dev, bool ro)
{
	/* A provider without write support stays read-only whatever the
	 * configuration says. */
	if (ro)
		dev->read_only = true;
	else
		dev->read_only = !atomic_load(&dev->impl)->ops->write;
}

int nvmem_device_set_cache(struct nvmem_device *dev, bool on)
{
	if (!on) {
		nvmem_cache_free(dev->cache);
		dev->cache = NULL;
		return 0;
	}
	if (!dev->cache && dev->size)
		dev->cache = nvmem_cache_new(dev->size);
	return dev->cache || !dev->size ? 0 : -ENOMEM;
}

bool nvmem_device_cached(const struct nvmem_device *dev)
{
	return dev->cache;
}

bool nvmem_device_read_ahead(const struct nvmem_device *dev)
{
	return dev->read_ahead;
}

void nvmem_device_set_type(struct nvmem_device *dev, enum nvmem_type type)
{
	dev->type = type;
}

void nvmem_device_set_perm(struct nvmem_device *dev,
			   const struct perm_override *o)
{
	dev->perm_override = *o;
}

struct nvmem_perm nvmem_device_perm(const struct nvmem_device *dev)
{
	return perm_device(&dev->perm, &dev->perm_override, dev->read_only);
}

struct nvmem_device *nvmem_device_get(struct nvmem_device *dev)
{
	util_ref_get(&dev->refs);
	return dev;
}

/*
 * The refcount is a C11 atomic rather than liburcu's urcu_ref: the final
 * put must order every earlier user's accesses before the free, and
 * ThreadSanitizer only sees that ordering through C11 atomics.
 */
void nvmem_device_put(struct nvmem_device *dev)
{
	struct nvmem_impl *impl;

	if (!dev)
		return;
	if (!util_ref_put(&dev->refs))
		return;

	/* Never registered (or registration failed): nobody can be inside
	 * the SRCU domain without a reference, so destroy right away. */
	impl = atomic_exchange(&dev->impl, NULL);
	if (impl) {
		impl->ops->destroy(impl->priv);
		free(impl);
	}
	nvmem_device_cells_free(dev);
	free(dev->cell_written_ns);
	nvmem_cache_free(dev->cache);
	srcu_domain_free(dev->srcu);
	pthread_mutex_destroy(&dev->content_lock);
	pthread_mutex_destroy(&dev->state_lock);
	free(dev->backing);
	free(dev->name);
	free(dev);
}

const char *nvmem_device_name(const struct nvmem_device *dev)
{
	return dev->name;
}

uint64_t nvmem_device_size(const struct nvmem_device *dev)
{
	return dev->size;
}

enum nvmem_type nvmem_device_type(const struct nvmem_device *dev)
{
	return dev->type;
}

bool nvmem_device_read_only(const struct nvmem_device *dev)
{
	return dev->read_only;
}

uint64_t nvmem_device_id(const struct nvmem_device *dev)
{
	return dev->id;
}

bool nvmem_device_alive(const struct nvmem_device *dev)
{
	return atomic_load(&dev->alive);
}

int nvmem_device_register(struct nvmem_device *dev)
{
	int ret;

	pthread_mutex_lock(&dev->state_lock);
	if (dev->state != NVMEM_NEW) {
		ret = -EINVAL;
		goto out;
	}
	/* Gone before it was served (unplugged while the layout was read):
	 * its gone worker found it unregistered and did nothing, so
	 * registering now would leave a directory that is never removed.
	 * report_gone() clears @alive before it starts the worker. */
	if (!atomic_load(&dev->alive)) {
		ret = -ENODEV;
		goto out;
	}
	nvmem_device_cells_settle(dev);
	if (dev->ncells && !dev->cell_written_ns) {
		dev->cell_written_ns = calloc(dev->ncells,
					      sizeof(*dev->cell_written_ns));
		if (!dev->cell_written_ns) {
			ret = -ENOMEM;
			goto out;
		}
	}
	dev->registered_ns = util_realtime_ns();
	dev->id = registry_next_id();
	nvmem_device_get(dev);		/* the registry's */
	ret = registry_add(dev, dev->name, dev->id, &dev->refs);
	if (ret < 0) {
		nvmem_device_put(dev);
		goto out;
	}
	dev->state = NVMEM_REGISTERED;
	log_info("%s: registered (backing %s, %llu bytes, %zu cells%s)",
		 dev->name, nvmem_device_backing(dev),
		 (unsigned long long)dev->size, dev->ncells,
		 dev->cache ? ", cached" : "");
out:
	pthread_mutex_unlock(&dev->state_lock);
	return ret;
}

void nvmem_device_unregister(struct nvmem_device *dev)
{
	struct nvmem_impl *impl;
	long handles;

	pthread_mutex_lock(&dev->state_lock);
	if (dev->state != NVMEM_REGISTERED) {
		pthread_mutex_unlock(&dev->state_lock);
		return;
	}
	dev->state = NVMEM_DEAD;
	atomic_store(&dev->alive, false);
	/* Nothing the device said may outlive it. */
	if (dev->cache)
		nvmem_cache_drop(dev->cache);

	/* 1. no new lookups; 2. the listeners (FUSE) drop their entries. */
	if (registry_remove(dev, dev->id) < 0) {
		pthread_mutex_unlock(&dev->state_lock);
		return;
	}
	/* 3. no new provider calls, and the blocked ones give up. */
	impl = atomic_exchange(&dev->impl, NULL);
	if (impl->ops->cancel)
		impl->ops->cancel(impl->priv);
	/* 4. wait for the calls already inside this device only. */
	srcu_synchronize(dev->srcu);
	/* 5. nobody can reach the provider data any more. */
	impl->ops->destroy(impl->priv);
	free(impl);
	pthread_mutex_unlock(&dev->state_lock);

	/* Ours plus the registry's that registry_remove() handed over. */
	handles = util_ref_read(&dev->refs) - 2;
	log_info("%s: unregistered (backing %s, %ld reference%s still held)",
		 dev->name, nvmem_device_backing(dev), handles,
		 handles == 1 ? "" : "s");
	/* 6. the registry's reference. */
	nvmem_device_put(dev);
}

/* Unregistration started by a provider error runs on its own thread: the
 * reporting thread may be a FUSE worker that must not wait for the FUSE
 * layer's invalidations. nvmem_device_drain_gone() waits for them. */
static atomic_int nvmem_gone_workers;

static void *nvmem_gone_worker(void *arg)
{
	struct nvmem_device *dev = arg;

	log_warn("%s: provider reports the hardware gone", dev->name);
	nvmem_device_unregister(dev);
	nvmem_device_put(dev);
	atomic_fetch_sub(&nvmem_gone_workers, 1);
	return NULL;
}

void nvmem_device_report_gone(struct nvmem_device *dev)
{
	pthread_attr_t attr;
	pthread_t thread;

	if (atomic_exchange(&dev->gone_reported, true))
		return;
	atomic_store(&dev->alive, false);	/* fail fast from now on */
	nvmem_device_get(dev);
	atomic_fetch_add(&nvmem_gone_workers, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, nvmem_gone_worker, dev)) {
		/* No thread: the next udev remove (or exit) cleans up. */
		atomic_fetch_sub(&nvmem_gone_workers, 1);
		nvmem_device_put(dev);
	}
	pthread_attr_destroy(&attr);
}

void nvmem_device_drain_gone(void)
{
	struct timespec ts = { 0, 1000 * 1000 };

	while (atomic_load(&nvmem_gone_workers))
		nanosleep(&ts, NULL);
}

int nvmem_core_init(void)
{
	return registry_init();
}

/*
 * The teardown order, in one place: first the unregistrations that
 * providers started (their threads hold devices), then every device still
 * registered, each in the order of nvmem_device_unregister(); at exit,
 * only then the registry itself.
 */
void nvmem_core_stop(void)
{
	struct registry_item *items;
	size_t i, count;

	nvmem_device_drain_gone();
	registry_list(&items, &count);
	for (i = 0; i < count; i++) {
		nvmem_device_unregister(items[i].dev);
		nvmem_device_put(items[i].dev);
	}
	free(items);
}

void nvmem_core_exit(void)
{
	nvmem_core_stop();
	registry_exit();
}
