// SPDX-License-Identifier: MIT
/*
 * What a device's status file shows: the counters device_io.c keeps, the
 * last error, the provider's retries and the layout's own lines. Reading
 * them never touches the device.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "device_priv.h"

/*
 * Guards every device's last_error/last_error_ns pair and layout_status
 * text: one lock for all, taken only on a failed request, a layout state
 * change and a status read, none of them frequent enough to contend.
 */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;

void nvmem_device_count_error(struct nvmem_device *dev, int err)
{
	atomic_fetch_add_explicit(&dev->counters.errors, 1,
				  memory_order_relaxed);
	pthread_mutex_lock(&stats_lock);
	dev->last_error = err;
	dev->last_error_ns = util_realtime_ns();
	pthread_mutex_unlock(&stats_lock);
}

static uint64_t nvmem_count(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void nvmem_device_get_stats(struct nvmem_device *dev,
			    struct nvmem_device_stats *st)
{
	const struct nvmem_counters *c = &dev->counters;
	struct nvmem_impl *impl;
	int idx;

	memset(st, 0, sizeof(*st));
	st->reads = nvmem_count(&c->reads);
	st->read_bytes = nvmem_count(&c->read_bytes);
	st->writes = nvmem_count(&c->writes);
	st->write_bytes = nvmem_count(&c->write_bytes);
	st->errors = nvmem_count(&c->errors);
	st->cache_hits = nvmem_count(&c->cache_hits);
	st->cache_misses = nvmem_count(&c->cache_misses);
	pthread_mutex_lock(&stats_lock);
	st->last_error = dev->last_error;
	st->last_error_ns = dev->last_error_ns;
	pthread_mutex_unlock(&stats_lock);
	/* The provider's part lives only inside the SRCU section. */
	idx = srcu_read_lock(dev->srcu);
	impl = atomic_load(&dev->impl);
	if (impl) {
		st->provider = impl->ops->name;
		if (impl->ops->retries)
			st->retries = impl->ops->retries(impl->priv);
	}
	srcu_read_unlock(dev->srcu, idx);
}

void nvmem_device_set_layout_status(struct nvmem_device *dev,
				    const char *fmt, ...)
{
	char text[NVMEM_LAYOUT_STATUS_MAX];
	char *cut;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* Cut short: end at the last whole line, not mid-value. */
	if (n >= (int)sizeof(text)) {
		cut = strrchr(text, '\n');
		if (cut)
			cut[1] = '\0';
		else
			text[0] = '\0';
	}
	pthread_mutex_lock(&stats_lock);
	memcpy(dev->layout_status, text, sizeof(text));
	pthread_mutex_unlock(&stats_lock);
}

size_t nvmem_device_layout_status(struct nvmem_device *dev, char *buf,
				  size_t size)
{
	size_t n;

	if (!size)
		return 0;
	pthread_mutex_lock(&stats_lock);
	n = strnlen(dev->layout_status, sizeof(dev->layout_status));
	if (n >= size)
		n = size - 1;
	memcpy(buf, dev->layout_status, n);
	pthread_mutex_unlock(&stats_lock);
	buf[n] = '\0';
	return n;
}
