/* SPDX-License-Identifier: MIT */
/*
 * Private to the device (device.c: its life, cells and registration;
 * device_io.c: its data path): the struct and the rules of each field.
 * nvmem.h has the model.
 */
#ifndef NVMEMFS_DEVICE_PRIV_H
#define NVMEMFS_DEVICE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/strpool.h"
#include "base/util.h"
#include "core/cache.h"
#include "core/nvmem.h"
#include "core/srcu.h"

/*
 * The provider-owned part. Allocated when the device is created, reached
 * only through dev->impl inside an SRCU read section of dev->srcu, freed
 * (after ops->destroy) only once a grace period has passed since dev->impl
 * was cleared.
 */
struct nvmem_impl {
	const struct nvmem_provider_ops *ops;
	void *priv;
};

enum nvmem_state {
	NVMEM_NEW,		/* created, not yet in the registry */
	NVMEM_REGISTERED,
	NVMEM_DEAD,		/* unregistration began; never registered again */
};

/*
 * Lifetime: freed when @refs drops to zero. The registry holds one
 * reference while the device is registered, each open FUSE handle one,
 * each in-progress lookup one. Everything in the "fixed" block is written
 * before registration only and read without locks afterwards (the
 * registry's publication orders those writes before any lookup).
 */
struct nvmem_device {
	/* fixed */
	char *name;
	char *backing;
	uint64_t size;
	enum nvmem_type type;
	bool read_only;
	bool read_ahead;
	uint32_t read_chunk;
	uint32_t write_chunk;
	struct nvmem_cell *cells;
	size_t ncells, cells_cap;
	struct strpool cell_names;	/* of @cells, freed with them */
	/* NULL: not cached. Has its own lock; dropped at unregistration,
	 * freed with the device. */
	struct nvmem_cache *cache;
	/* @cells by name (util.h), so that a lookup costs the same with 10
	 * cells or 10,000. */
	struct util_index cell_index;
	/* The backing's mode, owner and group, and what the configuration
	 * sets instead (perm.h); nvmem_device_perm() combines them. */
	struct nvmem_perm perm;
	struct perm_override perm_override;
	/* Cells that come and go while the device is served, and the
	 * layout that manages them (device_cells.c); NULL without. The
	 * pointers are set before registration; the set has its own lock. */
	struct nvmem_dyn *dyn;
	const struct nvmem_layout_ops *layout_ops;
	void *layout_priv;
	void (*layout_free)(void *priv);
	/* written once by nvmem_device_register(), before publication */
	uint64_t id;
	uint64_t registered_ns;	/* CLOCK_REALTIME, every file's first time */

	/* Last write through nvmemfs (CLOCK_REALTIME ns, 0: none) of the
	 * whole device and of each cell (an array of ncells, allocated by
	 * nvmem_device_register()). Relaxed atomics: a time shown a moment
	 * late is harmless, a torn one is not. */
	_Atomic uint64_t written_ns;
	_Atomic uint64_t *cell_written_ns;

	/* What <device>/status shows (device_stats.c): counters as
	 * relaxed atomics, bumped by device_io.c on every request; a
	 * reader may see one counter a request ahead of another. The last
	 * error and the layout's lines are written and copied whole under
	 * device_stats.c's one lock (errors and syncs are rare). */
	struct nvmem_counters {
		_Atomic uint64_t reads, read_bytes, writes, write_bytes;
		_Atomic uint64_t errors, cache_hits, cache_misses;
	} counters;
	int last_error;			/* positive errno, 0: none */
	uint64_t last_error_ns;
	char layout_status[NVMEM_LAYOUT_STATUS_MAX];

	struct util_ref refs;
	/* False from the first step of unregistration on; lets a read that
	 * raced with the unplug report ENODEV even if its bytes arrived. */
	atomic_bool alive;

	/* SRCU-protected: loaded with seq_cst inside srcu_read_lock(srcu),
	 * cleared once by unregister before synchronize (see srcu.c for the
	 * ordering argument). */
	_Atomic(struct nvmem_impl *) impl;
	struct srcu_domain *srcu;

	/* Guards the device's content as one sequence of bytes: writes,
	 * read-modify-write sequences (bit fields, U-Boot variables) and
	 * cell reads (a cell is one snapshot) take it. Held across provider
	 * calls, so it may be held for a page write cycle. Never taken
	 * inside an SRCU read section, never held by unregistration. */
	pthread_mutex_t content_lock;

	/* Serialises register/unregister; guards @state. */
	pthread_mutex_t state_lock;
	enum nvmem_state state;
	atomic_bool gone_reported;
};

/* device_cells.c: every cell and the layout's data, at the last put */
void nvmem_device_cells_free(struct nvmem_device *dev);
/* Registration fixes the cells: give back the slack of their growth
 * (array and index), which thousands of cells would keep for good. */
void nvmem_device_cells_settle(struct nvmem_device *dev);
/* Where cell @index keeps its written time (NULL: nowhere), and the
 * index of a cell pointer of @dev (-ENOENT). */
_Atomic uint64_t *nvmem_device_cell_time(const struct nvmem_device *dev,
					 size_t index);
ssize_t nvmem_device_cell_index(const struct nvmem_device *dev,
				const struct nvmem_cell *cell);

/* device_stats.c: a provider failed a request of @dev with -@err. */
void nvmem_device_count_error(struct nvmem_device *dev, int err);

/* device_io.c: a write of [@off, @off + @len) landed (times, cache). */
void nvmem_device_touch(struct nvmem_device *dev, uint64_t off, size_t len);

#endif
