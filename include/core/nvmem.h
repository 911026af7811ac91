/* SPDX-License-Identifier: MIT */
/*
 * struct nvmem_device: one served device.
 *
 * Split the way the kernel series "nvmem: survive unbind with active
 * consumers" splits it:
 *  - the consumer-visible part (name, size, type, cells, SRCU domain, a
 *    refcount) lives as long as anyone holds a reference: the registry
 *    holds one while registered, every open FUSE handle holds one;
 *  - the provider-owned part (ops + private data, "impl") is reached only
 *    through dev->impl, an RCU pointer read inside the device's SRCU read
 *    section. Unregistering clears it, cancels blocked I/O, waits for the
 *    SRCU grace period and only then destroys the provider data. A reader
 *    that finds impl == NULL gets -ENODEV.
 *
 * The struct itself is opaque (device.c); its fields and their rules are
 * documented there.
 */
#ifndef NVMEMFS_NVMEM_H
#define NVMEMFS_NVMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/cell.h"
#include "core/provider.h"

struct nvmem_device;

/*
 * Create an unregistered device named @name over provider @ops/@priv.
 * On success the device owns @priv (destroyed through ops->destroy); on
 * failure (NULL, errno set) the caller still owns it. The caller holds the
 * one reference.
 */
struct nvmem_device *nvmem_device_new(const char *name,
				      const struct nvmem_provider_ops *ops,
				      void *priv,
				      const struct nvmem_provider_info *info);

/* A short description of the backing for log lines ("/dev/loop3"). */
int nvmem_device_set_backing(struct nvmem_device *dev, const char *backing);
const char *nvmem_device_backing(const struct nvmem_device *dev);

/* Force the device read-only (configuration). Before registration. */
void nvmem_device_set_read_only(struct nvmem_device *dev, bool ro);
/* Keep what is read in memory (configuration key "cache"; cache.h says
 * why it is never stale). Before registration. 0 or -ENOMEM. */
int nvmem_device_set_cache(struct nvmem_device *dev, bool on);
bool nvmem_device_cached(const struct nvmem_device *dev);
/* May a reader's kernel read ahead of it (provider.h, read_ahead)? */
bool nvmem_device_read_ahead(const struct nvmem_device *dev);
/* Override the type the provider reported. Before registration. */
void nvmem_device_set_type(struct nvmem_device *dev, enum nvmem_type type);
/* Mode, owner and group the configuration sets instead of the backing's
 * (perm.h). Before registration. */
void nvmem_device_set_perm(struct nvmem_device *dev,
			   const struct perm_override *o);
/* What "nvmem" shows and the kernel enforces: the backing's or the
 * configuration's, without write bits on a read-only device. */
struct nvmem_perm nvmem_device_perm(const struct nvmem_device *dev);

/*
 * Times for stat (CLOCK_REALTIME, ns since the epoch): when the device
 * was registered, and when a write through nvmemfs last changed the
 * whole device or one cell (the registration time until then). A write
 * changes "nvmem" and every fixed cell whose bytes it covers; a cell of
 * a layout changes when it is written (nvmem_device_cell_touch()).
 */
uint64_t nvmem_device_registered_ns(const struct nvmem_device *dev);
uint64_t nvmem_device_written_ns(const struct nvmem_device *dev);
uint64_t nvmem_device_cell_written_ns(const struct nvmem_device *dev,
				      size_t index);
/* @cell (one of @dev's) was written through its own file. */
void nvmem_device_cell_touch(struct nvmem_device *dev,
			     const struct nvmem_cell *cell);

/*
 * What <device>/status shows, read without device I/O: counts since
 * registration of requests that reached the data path (the FUSE layer's
 * and the layout's own reads alike), of the bytes they moved, of those
 * a provider failed (after its own retries), of its retries, and of
 * reads the cache answered whole or not.
 */
struct nvmem_device_stats {
	const char *provider;	/* the provider's name; NULL once gone */
	uint64_t reads, read_bytes, writes, write_bytes;
	uint64_t errors, retries, cache_hits, cache_misses;
	int last_error;		/* positive errno of the last failure, 0 */
	uint64_t last_error_ns;	/* its CLOCK_REALTIME time */
};
void nvmem_device_get_stats(struct nvmem_device *dev,
			    struct nvmem_device_stats *st);

/*
 * The layout's own lines of the status ("key: value\n" each, at most
 * NVMEM_LAYOUT_STATUS_MAX - 1 bytes, longer is cut at a line), set by the
 * layout when it is applied and whenever its state changes (a sync),
 * from any thread; "" until then. The copy is whole: never half of two
 * states.
 */
#define NVMEM_LAYOUT_STATUS_MAX	320
void nvmem_device_set_layout_status(struct nvmem_device *dev,
				    const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
size_t nvmem_device_layout_status(struct nvmem_device *dev, char *buf,
				  size_t size);

/*
 * Add a fixed cell (the device copies @cell, taking ownership of
 * cell->priv). Only before registration: fixed cells are immutable
 * afterwards, which is what lets readers use them without locks.
 * -EEXIST for a duplicate name, -ERANGE if it does not fit in the
 * device, -EINVAL for a bad bit field or format size.
 */
int nvmem_device_add_cell(struct nvmem_device *dev,
			  const struct nvmem_cell *cell);

struct nvmem_device *nvmem_device_get(struct nvmem_device *dev);
void nvmem_device_put(struct nvmem_device *dev);

const char *nvmem_device_name(const struct nvmem_device *dev);
uint64_t nvmem_device_size(const struct nvmem_device *dev);
enum nvmem_type nvmem_device_type(const struct nvmem_device *dev);
bool nvmem_device_read_only(const struct nvmem_device *dev);
/* Unique per registration ("generation"): a re-plugged device gets a new
 * id, so FUSE inode numbers derived from it never name the old one. 0
 * before registration. */
uint64_t nvmem_device_id(const struct nvmem_device *dev);
/* False once unregistration has begun. */
bool nvmem_device_alive(const struct nvmem_device *dev);

/*
 * Cells by index: fixed cells (nvmem_device_add_cell()) are 0 .. count-1;
 * dynamic cells (below) start at NVMEM_CELL_DYN_BASE. NULL: no such
 * index. A cell pointer stays valid while a device reference is held.
 */
#define NVMEM_CELL_DYN_BASE	(1u << 19)
size_t nvmem_device_cell_count(const struct nvmem_device *dev);
const struct nvmem_cell *nvmem_device_cell(const struct nvmem_device *dev,
					   size_t index);
/* Hash lookup of fixed and dynamic cells, present or not; returns the
 * index or -ENOENT. */
ssize_t nvmem_device_find_cell(const struct nvmem_device *dev,
			       const char *name);
/* The first cell at or after @index that exists now (every fixed cell,
 * the dynamic ones the last sync found), or -ENOENT: for listings. */
ssize_t nvmem_device_cell_next(const struct nvmem_device *dev, size_t index);
bool nvmem_device_cell_present(const struct nvmem_device *dev, size_t index);

/*
 * Layouts whose cells come and go while the device is served (a U-Boot
 * environment that fw_setenv changes). The layout keeps its cells as
 * dynamic cells: added at any time, never removed before the device
 * goes (a name keeps its index, and so its inode, for good), and shown
 * or hidden by the layout's syncs. All ops may sleep (device I/O) and
 * are called outside any SRCU section, without device locks.
 */
struct nvmem_layout_ops {
	/* Look at the device now: add cells for new names, and mark the
	 * ones that exist (sync_begin/mark/end). 0 or -errno. */
	int (*sync)(struct nvmem_device *dev, void *priv);
	/* A cell for @name, which does not exist yet: its index. It is
	 * hidden until a write of its value creates it. */
	ssize_t (*create)(struct nvmem_device *dev, void *priv,
			  const char *name);
	/* Remove @cell's value from the device. 0 or -errno. */
	int (*remove)(struct nvmem_device *dev, void *priv,
		      const struct nvmem_cell *cell);
	/* One more file beside nvmem (the whole layout as text, e.g. a
	 * U-Boot environment), a cell with ops; NULL: none. */
	const struct nvmem_cell *(*file)(struct nvmem_device *dev, void *priv);
};

/* Before registration; the device owns @priv from then on (freed with
 * @priv_free, after every cell). 0, -EBUSY (registered, or set), -ENOMEM. */
int nvmem_device_set_layout(struct nvmem_device *dev,
			    const struct nvmem_layout_ops *ops, void *priv,
			    void (*priv_free)(void *priv));
/* Add a dynamic cell (ops required; the device copies @cell and owns its
 * priv on success). Its index, or -EEXIST, -EINVAL, -ENOSPC, -ENOMEM. */
ssize_t nvmem_device_add_dyn_cell(struct nvmem_device *dev,
				  const struct nvmem_cell *cell);
/* A sync, for layouts: a cell marked with the number begin() gave exists
 * from the mark on; at end() every dynamic cell not marked is hidden.
 * So no listing during a sync misses a cell that exists before and
 * after it. Callers serialise their syncs. */
uint64_t nvmem_device_sync_begin(struct nvmem_device *dev);
void nvmem_device_sync_mark(struct nvmem_device *dev, size_t index,
			    uint64_t sync);
void nvmem_device_sync_end(struct nvmem_device *dev, uint64_t sync);
/* The layout's ops, for the FUSE layer: 0 where there is no layout;
 * -EPERM where it cannot create or remove (fixed cells never can). */
int nvmem_device_sync(struct nvmem_device *dev);
ssize_t nvmem_device_create_cell(struct nvmem_device *dev, const char *name);
int nvmem_device_remove_cell(struct nvmem_device *dev, size_t index);
/* The layout's file (ops->file), NULL: none. */
const struct nvmem_cell *nvmem_device_layout_file(const struct nvmem_device *dev);
/* Whether cells can be created and removed (a writable device whose
 * layout allows it): what the cells/ directory's mode shows. */
bool nvmem_device_cells_editable(const struct nvmem_device *dev);

/*
 * Data path. Reads at or past the end return 0; a read crossing the end
 * is cut short. Writes at or past the end fail with -ENOSPC; one crossing
 * the end is cut short. Both are split into chunks (read_chunk /
 * write_chunk), each in its own SRCU read section, so an unplug fails an
 * in-flight request within one chunk. Return the byte count, or -ENODEV
 * once the provider is gone (whatever error the dying provider gave),
 * -EIO for bus errors, -EROFS for writes to a read-only device. A request
 * that fails after some chunks succeeded still fails: a caller never gets
 * a partial count that hides an unplug.
 */
ssize_t nvmem_device_read(struct nvmem_device *dev, uint64_t off, void *buf,
			  size_t len);
/*
 * nvmem_device_read() into the pipe @pipe_fd, which must have room for
 * @len bytes, without copying them (splice(2)): same bounds, chunks and
 * errors. -EOPNOTSUPP when the device cannot do this (cached, or a
 * backing without splice): use nvmem_device_read(). On any error the pipe
 * may hold part of the data; the caller empties it. The pipe holds page
 * references, not a copy: a write landing before the caller consumes
 * them can show through, as with any read racing a write.
 */
ssize_t nvmem_device_splice(struct nvmem_device *dev, uint64_t off,
			    size_t len, int pipe_fd);
ssize_t nvmem_device_write(struct nvmem_device *dev, uint64_t off,
			   const void *buf, size_t len);

/* The device's content as one sequence of bytes: writes, read-modify-
 * write sequences (bit-field cells, U-Boot env) and cell reads (each one
 * snapshot) take this lock. May sleep. */
void nvmem_device_content_lock(struct nvmem_device *dev);
void nvmem_device_content_unlock(struct nvmem_device *dev);
/* Write path for holders of the content lock. */
ssize_t nvmem_device_write_locked(struct nvmem_device *dev, uint64_t off,
				  const void *buf, size_t len);

/*
 * Add to the registry (assigns the id) and announce it. The registry takes
 * its own reference; the caller keeps its own. -EEXIST if the name is
 * taken, -ENODEV if the provider has already reported the hardware gone.
 */
int nvmem_device_register(struct nvmem_device *dev);

/*
 * Tear down, in the order docs/design.md gives: remove from the
 * registry; tell the listeners (the FUSE layer invalidates its entries);
 * clear impl and cancel the provider's blocked I/O; wait for this
 * device's SRCU readers; destroy the provider data; drop the registry's
 * reference. Idempotent; may sleep for up to one chunk of bus time; must
 * not be called inside this device's SRCU read section.
 */
void nvmem_device_unregister(struct nvmem_device *dev);

/* The core's life: the registry, and at exit every device unregistered
 * in order before it goes (device.c says which order). nvmem_core_stop()
 * unregisters every device as an unplug would, and may be called from
 * any thread, also while requests are in flight. */
int nvmem_core_init(void);
void nvmem_core_stop(void);
void nvmem_core_exit(void);

/* Called by a provider that found its hardware gone mid-request: starts
 * the same unregistration on a helper thread, without waiting for udev. */
void nvmem_device_report_gone(struct nvmem_device *dev);
/* Wait until every unregistration started by report_gone has finished
 * (at exit, before the registry goes). */
void nvmem_device_drain_gone(void);

#endif
