/* SPDX-License-Identifier: MIT */
/*
 * A provider over a malloc'ed buffer, for tests of the core. It records
 * what the core asked of it (largest request, chunk-boundary crossings),
 * can block a read until told to go on, and poisons itself on destroy so
 * that a use after destroy shows up as wrong bytes even without ASan.
 */
#ifndef NVMEMFS_TEST_MEMPROV_H
#define NVMEMFS_TEST_MEMPROV_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/provider.h"

#define MEMPROV_MAGIC 0x6d656d70u

struct memprov {
	unsigned int magic;
	uint8_t *data;
	size_t size;
	uint32_t read_chunk, write_chunk;
	atomic_size_t max_read, max_write;
	atomic_int crossed_write_chunk;
	atomic_int reads, destroyed, cancelled;
	atomic_int *destroy_flag;	/* set when destroyed (outlives us) */
	/* blocking: a read waits while @block is set, until cancelled */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool block;
	bool block_late;		/* block after copying, not before */
	atomic_int blocked_now;
	int fail_with;			/* next reads fail with this errno */
	unsigned int delay_us;		/* per read: a slow bus */
};

static ssize_t memprov_read(void *priv, uint64_t off, void *buf, size_t len)
{
	struct memprov *m = priv;
	size_t prev;
	bool late;

	if (m->magic != MEMPROV_MAGIC)
		abort();
	atomic_fetch_add(&m->reads, 1);
	prev = atomic_load(&m->max_read);
	while (len > prev && !atomic_compare_exchange_weak(&m->max_read, &prev, len))
		;
	pthread_mutex_lock(&m->lock);
	late = m->block_late;
	if (late)
		memcpy(buf, m->data + off, len);
	if (m->block) {
		atomic_fetch_add(&m->blocked_now, 1);
		while (m->block && !atomic_load(&m->cancelled))
			pthread_cond_wait(&m->cond, &m->lock);
		atomic_fetch_sub(&m->blocked_now, 1);
		if (atomic_load(&m->cancelled)) {
			pthread_mutex_unlock(&m->lock);
			return -ENODEV;
		}
	}
	if (m->fail_with) {
		int e = m->fail_with;

		pthread_mutex_unlock(&m->lock);
		return -e;
	}
	if (late) {
		pthread_mutex_unlock(&m->lock);
		return len;
	}
	pthread_mutex_unlock(&m->lock);
	if (m->delay_us)
		usleep(m->delay_us);
	memcpy(buf, m->data + off, len);
	return len;
}

static ssize_t memprov_write(void *priv, uint64_t off, const void *buf,
			     size_t len)
{
	struct memprov *m = priv;
	size_t prev;

	if (m->magic != MEMPROV_MAGIC)
		abort();
	prev = atomic_load(&m->max_write);
	while (len > prev && !atomic_compare_exchange_weak(&m->max_write, &prev, len))
		;
	if (off / m->write_chunk != (off + len - 1) / m->write_chunk)
		atomic_fetch_add(&m->crossed_write_chunk, 1);
	memcpy(m->data + off, buf, len);
	return len;
}

static void memprov_cancel(void *priv)
{
	struct memprov *m = priv;

	pthread_mutex_lock(&m->lock);
	atomic_store(&m->cancelled, 1);
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

static void memprov_destroy(void *priv)
{
	struct memprov *m = priv;

	if (m->magic != MEMPROV_MAGIC || atomic_load(&m->blocked_now))
		abort();	/* destroy while a read is inside: the bug */
	if (m->destroy_flag)
		atomic_fetch_add(m->destroy_flag, 1);
	m->magic = 0;
	memset(m->data, 0xdb, m->size);
	free(m->data);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m);
}

static const struct nvmem_provider_ops memprov_ops = {
	.name = "mem",
	.read = memprov_read,
	.write = memprov_write,
	.cancel = memprov_cancel,
	.destroy = memprov_destroy,
};

/* Device content: byte i = pattern(seed, i). */
static inline uint8_t memprov_pattern(unsigned int seed, uint64_t i)
{
	return (uint8_t)((i * 131 + seed * 17 + (i >> 8)) & 0xff);
}

static inline struct memprov *memprov_new(size_t size, unsigned int seed,
					  uint32_t read_chunk,
					  uint32_t write_chunk,
					  struct nvmem_provider_info *info)
{
	struct memprov *m = calloc(1, sizeof(*m));
	size_t i;

	m->magic = MEMPROV_MAGIC;
	m->data = malloc(size);
	m->size = size;
	for (i = 0; i < size; i++)
		m->data[i] = memprov_pattern(seed, i);
	m->read_chunk = read_chunk;
	m->write_chunk = write_chunk;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	memset(info, 0, sizeof(*info));
	info->size = size;
	info->type = NVMEM_TYPE_EEPROM;
	info->read_chunk = read_chunk;
	info->write_chunk = write_chunk;
	return m;
}

static inline void memprov_set_block(struct memprov *m, bool block)
{
	pthread_mutex_lock(&m->lock);
	m->block = block;
	pthread_cond_broadcast(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

#endif
