// SPDX-License-Identifier: MIT
/*
 * An ONIE TlvInfo EEPROM served as cells that can be edited, as
 * onie-syseeprom -s edits them: one cell per field, written in the form
 * it reads; a file created in cells/ adds a field, rm removes one.
 *
 * Records move whenever one changes length, and onie-syseeprom or a raw
 * write through nvmem changes them behind our back: the fields are
 * dynamic cells (nvmem.h) whose ops re-read and re-check the TlvInfo on
 * every access, and whose names follow the device: every lookup first
 * syncs, re-parsing only when the header or the CRC record changed.
 *
 * An edit is one read-modify-write under the device's content lock
 * (onie_edit.c does the bytes): only the bytes from the first one that
 * changes up to the new CRC are written. ONIE has a single copy: a power
 * cut inside that write leaves a TlvInfo whose CRC does not match, which
 * is then served as no cells at all (nvmemfs.conf(5) says so).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "core/nvmem.h"
#include "layout_priv.h"

/* What a sync compares: the header and the last 6 bytes of the TlvInfo
 * (its CRC record when it is valid). */
#define ONIE_SEEN	(ONIE_TLV_HDR + 6)

/*
 * Owned by the device (nvmem_device_set_layout()), freed after its cells,
 * so every field's cell may point here. The ops are fixed once applied;
 * the rest is guarded by @sync_lock. Lock order: @sync_lock, the content
 * lock. Writers never take @sync_lock: their change shows at the next
 * sync.
 */
struct onie_layout {
	/* text and decimal fields, the MAC address, vendor extensions and
	 * the CRC (read-only) */
	struct nvmem_cell_ops text_ops, mac_ops, raw_ops;

	pthread_mutex_t sync_lock;
	uint8_t seen[ONIE_SEEN];
	bool seen_known;
	bool bad_logged;
};

/* One field: the @nth non-empty record of @type (onie_name_parse()). */
struct onie_field {
	uint8_t type;
	unsigned int nth;
	char name[64];
};

/* The header and the last 6 bytes of what the header says. Short reads
 * leave zeros: a device too small for a TlvInfo compares the same every
 * time. */
static int onie_peek(struct nvmem_device *dev, uint8_t *seen)
{
	size_t end;
	ssize_t n;

	memset(seen, 0, ONIE_SEEN);
	n = nvmem_device_read(dev, 0, seen, ONIE_TLV_HDR);
	if (n < 0)
		return (int)n;
	end = ONIE_TLV_HDR + ((size_t)seen[9] << 8 | seen[10]);
	if (n == ONIE_TLV_HDR && end >= ONIE_SEEN) {
		n = nvmem_device_read(dev, end - 6, seen + ONIE_TLV_HDR, 6);
		if (n < 0)
			return (int)n;
	}
	return 0;
}

/*
 * Read and check the TlvInfo; the caller holds the content lock and
 * frees *@bufp, which has room for every edit (onie_tlv_set()). Its
 * length in *@total; -EBADMSG, -EINVAL for bad data (@why says why),
 * -ENODEV, -EIO, -ENOMEM.
 */
static int onie_load(struct nvmem_device *dev, uint8_t **bufp, size_t *total,
		     char *why, size_t whylen)
{
	uint8_t hdr[ONIE_TLV_HDR];
	size_t want, room;
	uint8_t *buf;
	ssize_t n;

	*bufp = NULL;
	n = nvmem_device_read(dev, 0, hdr, sizeof(hdr));
	if (n < 0) {
		snprintf(why, whylen, "cannot read the device: %s", strerror(-n));
		return (int)n;
	}
	want = ONIE_TLV_HDR + ((size_t)hdr[9] << 8 | hdr[10]);
	if ((size_t)n < sizeof(hdr) || memcmp(hdr, "TlvInfo", 8) || hdr[8] != 1)
		want = (size_t)n;	/* the check below says what is wrong */
	if (want > nvmem_device_size(dev))
		want = nvmem_device_size(dev);
	room = want > ONIE_TLV_MAX ? want : ONIE_TLV_MAX;
	buf = malloc(room);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	n = nvmem_device_read(dev, 0, buf, want);
	if (n < 0) {
		snprintf(why, whylen, "cannot read the device: %s", strerror(-n));
		free(buf);
		return (int)n;
	}
	n = onie_tlv_total(buf, (size_t)n, why, whylen);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*bufp = buf;
	*total = (size_t)n;
	return 0;
}

/* For a cell's op: data errors are the device's, EIO. */
static int onie_op_err(int err)
{
	return err == -ENODEV || err == -ENOMEM ? err : -EIO;
}

static ssize_t onie_field_read(struct nvmem_device *dev,
			       const struct nvmem_cell *cell, uint8_t *buf,
			       size_t size)
{
	const struct onie_field *f = cell->priv;
	uint8_t *img;
	size_t total, off, vlen;
	char why[160];
	ssize_t ret;

	/* One snapshot: never a TlvInfo halfway through an edit. */
	nvmem_device_content_lock(dev);
	ret = onie_load(dev, &img, &total, why, sizeof(why));
	nvmem_device_content_unlock(dev);
	if (ret < 0)
		return onie_op_err((int)ret);
	if (onie_tlv_find(img, total, f->type, f->nth, &off, &vlen) < 0)
		ret = -ENOENT;	/* removed behind our back */
	else
		ret = onie_value_format(f->type, img + off, vlen, buf, size);
	if (ret == -EINVAL)
		ret = -EIO;	/* a fixed-size type of another size */
	free(img);
	return ret;
}

/*
 * Write what differs between the TlvInfo as loaded (@old, @old_total)
 * and as edited (@img, @total): from the first byte that changed to the
 * end of the new CRC record. The caller holds the content lock.
 */
static int onie_store(struct nvmem_device *dev, const uint8_t *old,
		      size_t old_total, const uint8_t *img, size_t total)
{
	size_t first = 0, common = old_total < total ? old_total : total;
	ssize_t n;

	while (first < common && old[first] == img[first])
		first++;
	if (first == total)
		return 0;
	n = nvmem_device_write_locked(dev, first, img + first, total - first);
	if (n < 0)
		return (int)n;
	return (size_t)n == total - first ? 0 : -EIO;
}

/* Load, edit (@val NULL: remove), store: one read-modify-write. */
static int onie_edit(struct nvmem_device *dev, const struct onie_field *f,
		     const uint8_t *val, size_t vlen)
{
	uint8_t *img = NULL, *old = NULL;
	size_t total, old_total;
	char why[160];
	int ret;

	nvmem_device_content_lock(dev);
	ret = onie_load(dev, &img, &total, why, sizeof(why));
	if (ret < 0) {
		/* A TlvInfo with a bad CRC is not rewritten: which of its
		 * bytes are right is not known. */
		ret = onie_op_err(ret);
		goto out;
	}
	old_total = total;
	old = malloc(total);
	if (!old) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(old, img, total);
	if (val)
		ret = onie_tlv_set(img, &total, f->type, f->nth, val, vlen);
	else
		ret = onie_tlv_del(img, &total, f->type, f->nth);
	if (ret == 0)
		ret = onie_store(dev, old, old_total, img, total);
out:
	nvmem_device_content_unlock(dev);
	free(old);
	free(img);
	return ret;
}

static int onie_field_write(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, const uint8_t *raw,
			    size_t len)
{
	const struct onie_field *f = cell->priv;
	uint8_t val[255];
	ssize_t vlen;

	vlen = onie_value_parse(f->type, raw, len, val);
	if (vlen < 0)
		return (int)vlen;
	return onie_edit(dev, f, val, (size_t)vlen);
}

/* The cell of field @name, added hidden: its index, or -errno. */
static ssize_t onie_add_field(struct nvmem_device *dev, struct onie_layout *w,
			      const char *name, uint8_t type, unsigned int nth)
{
	struct nvmem_cell cell = { 0 };
	struct onie_field *f;

	if (strlen(name) >= sizeof(f->name))
		return -ENAMETOOLONG;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	strcpy(f->name, name);
	f->type = type;
	f->nth = nth;
	cell.name = f->name;
	cell.priv = f;
	cell.read_only = !onie_type_editable(type);
	switch (type) {
	case 0x24:
		cell.format = CELL_FORMAT_MAC;
		cell.ops = &w->mac_ops;
		break;
	case 0x26:
	case 0x2a:
		cell.format = CELL_FORMAT_TEXT;	/* decimal */
		cell.ops = &w->text_ops;
		break;
	case ONIE_TYPE_VENDOR:
		cell.format = CELL_FORMAT_RAW;
		cell.ops = &w->raw_ops;
		break;
	case ONIE_TYPE_CRC:
		cell.format = CELL_FORMAT_HEX;
		cell.ops = &w->raw_ops;
		break;
	default:
		cell.format = CELL_FORMAT_STRING;
		cell.ops = &w->text_ops;
		break;
	}
	return layout_add_dyn(dev, &cell);
}

/*
 * Show the fields the device holds now. @initial: the first look, which
 * says why a field cannot be served (later syncs would say it again at
 * every lookup).
 */
static int onie_sync_now(struct nvmem_device *dev, struct onie_layout *w,
			 bool initial)
{
	struct layout_cells cells = { 0 };
	uint8_t *img = NULL;
	char why[160] = "", when[UTIL_ISO_TIME_MAX];
	size_t total, i;
	uint64_t sync;
	ssize_t idx;
	int ret;

	nvmem_device_content_lock(dev);
	ret = onie_load(dev, &img, &total, why, sizeof(why));
	nvmem_device_content_unlock(dev);
	if (ret == -ENODEV || ret == -ENOMEM)
		return ret;
	if (ret == 0)
		ret = onie_tlv_parse(img, total, &cells, why, sizeof(why));
	sync = nvmem_device_sync_begin(dev);
	if (ret < 0) {
		/* Nothing to show until the TlvInfo is valid again; the raw
		 * device stays readable. */
		if (!w->bad_logged && initial) {
			log_warn("%s: onie-tlv layout not applied: %s; its fields are not served until it is valid",
				 nvmem_device_name(dev), why);
			nvmem_device_set_layout_status(dev, "layout: onie-tlv\nlayout-state: not applied: %s\n",
						       why);
		} else if (!w->bad_logged) {
			log_warn("%s: onie-tlv layout no longer valid: %s; its fields are not served until it is valid",
				 nvmem_device_name(dev), why);
			nvmem_device_set_layout_status(dev, "layout: onie-tlv\nlayout-state: invalid since %s: %s\n",
						       util_iso_time(util_realtime_ns(), when),
						       why);
		}
		w->bad_logged = true;
		goto out;
	}
	if (w->bad_logged && !initial)
		log_info("%s: ONIE TlvInfo valid again", nvmem_device_name(dev));
	if (w->bad_logged || initial)
		nvmem_device_set_layout_status(dev, "layout: onie-tlv\nlayout-state: applied\n");
	w->bad_logged = false;
	if (initial && total > ONIE_TLV_MAX)
		log_warn("%s: ONIE TlvInfo of %zu bytes, more than the spec's %d: served, but no edit may leave it that long",
			 nvmem_device_name(dev), total, ONIE_TLV_MAX);
	for (i = 0; i < cells.n; i++) {
		const char *name = cells.cells[i].name;
		unsigned int nth;
		uint8_t type;

		if (onie_name_parse(name, &type, &nth) < 0)
			continue;	/* cannot happen: the parser named it */
		idx = nvmem_device_find_cell(dev, name);
		if (idx < 0)
			idx = onie_add_field(dev, w, name, type, nth);
		ret = layout_sync_found(dev, name, idx, sync, initial);
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	nvmem_device_sync_end(dev, sync);
	layout_cells_free(&cells);
	free(img);
	return ret == -ENOMEM ? ret : 0;
}

/* Cheap when nothing changed: two small reads. */
static int onie_sync(struct nvmem_device *dev, void *priv)
{
	struct onie_layout *w = priv;
	uint8_t seen[ONIE_SEEN];
	int ret;

	pthread_mutex_lock(&w->sync_lock);
	ret = onie_peek(dev, seen);
	if (ret < 0)
		goto out;
	if (w->seen_known && !memcmp(seen, w->seen, sizeof(seen)))
		goto out;
	ret = onie_sync_now(dev, w, false);
	if (ret == 0) {
		/* What was peeked before the parse: a change in between
		 * makes the next sync parse again. */
		memcpy(w->seen, seen, sizeof(seen));
		w->seen_known = true;
	}
out:
	pthread_mutex_unlock(&w->sync_lock);
	return ret;
}

static ssize_t onie_create(struct nvmem_device *dev, void *priv,
			   const char *name)
{
	unsigned int nth;
	uint8_t type;
	ssize_t idx;

	if (nvmem_device_read_only(dev))
		return -EROFS;
	if (onie_name_parse(name, &type, &nth) < 0)
		return -EINVAL;		/* no ONIE field */
	if (!onie_type_editable(type))
		return -EPERM;		/* the CRC, vendor extensions */
	idx = layout_find_hidden(dev, name);
	if (idx != -ENOENT)
		return idx;
	if (nth)
		return -EINVAL;		/* a second record of a type: no */
	return onie_add_field(dev, priv, name, type, nth);
}

static int onie_remove(struct nvmem_device *dev, void *priv,
		       const struct nvmem_cell *cell)
{
	const struct onie_field *f = cell->priv;

	if (nvmem_device_read_only(dev))
		return -EROFS;
	if (!onie_type_editable(f->type))
		return -EPERM;
	return onie_edit(dev, f, NULL, 0);
}

static const struct nvmem_layout_ops onie_layout_ops = {
	.sync = onie_sync,
	.create = onie_create,
	.remove = onie_remove,
};

static void onie_layout_free(void *priv)
{
	struct onie_layout *w = priv;

	pthread_mutex_destroy(&w->sync_lock);
	free(w);
}

int layout_onie(struct nvmem_device *dev)
{
	struct onie_layout *w;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->text_ops.read = onie_field_read;
	w->text_ops.write = onie_field_write;
	w->text_ops.max_raw = 255;	/* a record's length is one byte */
	w->text_ops.priv_free = free;
	w->mac_ops = w->text_ops;
	w->mac_ops.max_raw = 6;
	w->raw_ops = w->text_ops;
	w->raw_ops.write = NULL;	/* read-only cells */
	pthread_mutex_init(&w->sync_lock, NULL);
	ret = nvmem_device_set_layout(dev, &onie_layout_ops, w,
				      onie_layout_free);
	if (ret < 0) {
		onie_layout_free(w);
		return ret;
	}
	pthread_mutex_lock(&w->sync_lock);
	ret = onie_peek(dev, w->seen);
	if (ret == 0)
		ret = onie_sync_now(dev, w, true);
	w->seen_known = ret == 0;
	pthread_mutex_unlock(&w->sync_lock);
	return ret == -ENOMEM ? ret : 0;
}
