// SPDX-License-Identifier: MIT
/*
 * Cell I/O on top of the device data path. A cell is read as one
 * consistent snapshot of its bytes: under the device's content lock, since
 * one device read may take several provider calls (read chunks, I2C
 * address blocks) and a write must not land between them. It is written
 * whole; bit fields are read-modify-written under the same lock so a
 * concurrent write of a neighbouring field cannot be lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/nvmem.h"

ssize_t cell_read_raw(struct nvmem_device *dev, const struct nvmem_cell *cell,
		      uint8_t *buf, size_t size)
{
	uint8_t stack[64], *bytes = stack;
	size_t raw = cell_raw_size(cell);
	ssize_t n;

	if (cell->ops)
		return cell->ops->read(dev, cell, buf, size);
	if (size < raw)
		return -ENOSPC;
	if (!cell->nbits) {
		nvmem_device_content_lock(dev);
		n = nvmem_device_read(dev, cell->offset, buf, cell->bytes);
		nvmem_device_content_unlock(dev);
		if (n >= 0 && (size_t)n != cell->bytes)
			n = -EIO;	/* cells lie inside the device */
		return n;
	}
	if (cell->bytes > sizeof(stack))
		return -EINVAL;	/* nbits <= 64 keeps bit fields small */
	nvmem_device_content_lock(dev);
	n = nvmem_device_read(dev, cell->offset, bytes, cell->bytes);
	nvmem_device_content_unlock(dev);
	if (n < 0)
		return n;
	if ((size_t)n != cell->bytes)
		return -EIO;
	cell_bits_extract(bytes, cell->bit_offset, cell->nbits, buf);
	return raw;
}

int cell_write_raw(struct nvmem_device *dev, const struct nvmem_cell *cell,
		   const uint8_t *raw, size_t len)
{
	uint8_t bytes[16];
	ssize_t n;
	int ret = 0;

	if (cell->read_only || nvmem_device_read_only(dev))
		return -EROFS;
	if (cell->ops)
		return cell->ops->write(dev, cell, raw, len);
	if (len != cell_raw_size(cell))
		return -EINVAL;
	if (!cell->nbits) {
		n = nvmem_device_write(dev, cell->offset, raw, len);
		return n < 0 ? n : ((size_t)n == len ? 0 : -EIO);
	}
	/* No bits may be set above the field. */
	if (cell->nbits % 8 && raw[len - 1] >> (cell->nbits % 8))
		return -EINVAL;
	if (cell->bytes > sizeof(bytes))
		return -EINVAL;

	nvmem_device_content_lock(dev);
	n = nvmem_device_read(dev, cell->offset, bytes, cell->bytes);
	if (n < 0 || (size_t)n != cell->bytes) {
		ret = n < 0 ? n : -EIO;
		goto out;
	}
	cell_bits_insert(bytes, cell->bit_offset, cell->nbits, raw);
	n = nvmem_device_write_locked(dev, cell->offset, bytes, cell->bytes);
	if (n < 0 || (size_t)n != cell->bytes)
		ret = n < 0 ? n : -EIO;
out:
	nvmem_device_content_unlock(dev);
	return ret;
}

static size_t cell_max_raw(const struct nvmem_cell *cell)
{
	return cell->ops ? cell->ops->max_raw : cell_raw_size(cell);
}

size_t cell_max_text(const struct nvmem_cell *cell)
{
	return format_max_text(cell->format, cell_max_raw(cell));
}

ssize_t cell_read_text(struct nvmem_device *dev, const struct nvmem_cell *cell,
		       char *buf, size_t size)
{
	size_t max = cell_max_raw(cell);
	uint8_t *raw;
	ssize_t n;

	raw = malloc(max ? max : 1);
	if (!raw)
		return -ENOMEM;
	n = cell_read_raw(dev, cell, raw, max);
	if (n >= 0)
		n = format_encode(cell->format, raw, n, buf, size);
	free(raw);
	return n;
}

int cell_write_text(struct nvmem_device *dev, const struct nvmem_cell *cell,
		    const char *text, size_t len)
{
	size_t raw_len = cell_raw_size(cell);
	uint8_t *raw;
	int ret;

	if (cell->read_only || nvmem_device_read_only(dev))
		return -EROFS;
	if (cell->ops) {
		/* Variable-size cells (U-Boot variables): the text is the
		 * value, as long as it is. */
		raw_len = cell->format == CELL_FORMAT_MAC ? 6 : len;
		if ((cell->format == CELL_FORMAT_STRING ||
		     cell->format == CELL_FORMAT_TEXT) && len &&
		    text[len - 1] == '\n')
			raw_len = --len;
		/* More than the whole layout holds: no room, however the
		 * rest of it is used. */
		if (raw_len > cell->ops->max_raw)
			return -ENOSPC;
	}
	raw = malloc(raw_len ? raw_len : 1);
	if (!raw)
		return -ENOMEM;
	ret = format_decode(cell->format, text, len, raw, raw_len);
	if (ret == 0)
		ret = cell_write_raw(dev, cell, raw, raw_len);
	if (ret == 0)
		nvmem_device_cell_touch(dev, cell);
	free(raw);
	return ret;
}
