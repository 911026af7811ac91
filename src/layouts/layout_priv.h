/* SPDX-License-Identifier: MIT */
/*
 * Private to the layouts: what layout.c (the layouts applied to a
 * device, and the dynamic cells' common steps), onie_cells.c and
 * uboot_cells.c (an ONIE TlvInfo, a U-Boot environment as cells) share.
 */
#ifndef NVMEMFS_LAYOUT_PRIV_H
#define NVMEMFS_LAYOUT_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/cell.h"
#include "layouts/layout.h"

struct nvmem_device;

/* Log why layout cell @name is not served (-EEXIST: a configured cell
 * has the name; the configured one wins). */
void layout_skipped(struct nvmem_device *dev, const char *name, int err);

/* layout_apply() for onie-tlv (onie_cells.c). */
int layout_onie(struct nvmem_device *dev);

/*
 * In a sync of a layout with dynamic cells: @idx is the cell of @name
 * found or just added (or why it could not be): mark it with @sync, or
 * on the first look (@initial) say why @name is not served. 0, or
 * -ENOMEM, which ends the sync.
 */
int layout_sync_found(struct nvmem_device *dev, const char *name,
		      ssize_t idx, uint64_t sync, bool initial);

/*
 * Add @cell, a layout's dynamic cell whose priv (freed by its ops'
 * priv_free) holds its name: its index, also when a sync on another thread added
 * it first, or -errno with the priv freed.
 */
ssize_t layout_add_dyn(struct nvmem_device *dev, const struct nvmem_cell *cell);

/*
 * A create of @name in a layout's cells/: the index of the hidden cell
 * of that name, to be given a value again; -EEXIST when a cell of that
 * name is served (configured, or the layout's); -ENOENT when there is
 * none, and the layout adds one.
 */
ssize_t layout_find_hidden(struct nvmem_device *dev, const char *name);

/* layout_apply() for u-boot-env (uboot_cells.c). */
int layout_uboot(struct nvmem_device *dev, const struct layout_params *p);

/* CRC-32 and, in a redundant environment, the flags byte. */
#define UBOOT_HEAD	5

/*
 * Where a device's U-Boot environment lives, and what the last sync saw.
 * Owned by the device (nvmem_device_set_layout()), freed after its cells,
 * so every variable's cell may point here. Everything above @sync_lock is
 * fixed once the layout is applied; what follows it is guarded by it.
 * Lock order: @sync_lock, the libubootenv flock, the content lock.
 * Writers never take @sync_lock: their change shows at the next sync.
 */
struct uboot_layout {
	uint64_t off[2];
	bool redundant;
	enum uboot_redund redund;	/* what the flags byte means */
	size_t size;
	char *lock;		/* libubootenv's lock file, NULL: none */
	atomic_bool lock_warned;
	/* max_raw is this environment's size for text variables and the
	 * environment file, 6 bytes for MAC addresses */
	struct nvmem_cell_ops ops, mac_ops, file_ops;
	struct nvmem_cell file;

	pthread_mutex_t sync_lock;
	uint8_t head[2][UBOOT_HEAD];
	bool head_known;
	bool bad_logged;
};

struct uboot_var {
	struct uboot_layout *where;
	char name[NAME_MAX + 1];	/* whole: a cut name is another variable */
};

/* uboot_io.c. The flock of libubootenv: a descriptor to give back to
 * uboot_unlock(), or -1 without one. */
int uboot_lock(struct nvmem_device *dev, struct uboot_layout *w);
void uboot_unlock(int fd);
/* Both copies read and parsed, the caller holding both locks; @head
 * (NULL: not wanted) gets each copy's first UBOOT_HEAD bytes. */
int uboot_load_head(struct nvmem_device *dev, const struct uboot_layout *w,
		    struct uboot_env **env, uint8_t (*head)[UBOOT_HEAD],
		    char *why, size_t whylen);
int uboot_load(struct nvmem_device *dev, const struct uboot_layout *w,
	       struct uboot_env **env, char *why, size_t whylen);
/* The same, taking both locks: for one read. */
int uboot_load_locked(struct nvmem_device *dev, struct uboot_layout *w,
		      struct uboot_env **env);
/* Store @env whole (the caller holds both locks). */
int uboot_store(struct nvmem_device *dev, const struct uboot_layout *w,
		const struct uboot_env *env);
/* Load, @edit, store: one read-modify-write under both locks. */
int uboot_edit(struct nvmem_device *dev, struct uboot_layout *w,
	       int (*edit)(struct uboot_env *env, const void *arg),
	       const void *arg);

/* uboot_file.c: the environment file's cell ops. */
ssize_t uboot_file_read(struct nvmem_device *dev,
			const struct nvmem_cell *cell, uint8_t *buf,
			size_t size);
int uboot_file_write(struct nvmem_device *dev, const struct nvmem_cell *cell,
		     const uint8_t *raw, size_t len);

#endif
