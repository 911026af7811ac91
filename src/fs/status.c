// SPDX-License-Identifier: MIT
/*
 * <device>/status: what the device is and how it has fared, one
 * "key: value" per line, from counters and the state the layout last
 * saw: reading it never touches the device.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fs_priv.h"

/* The longest text: the fixed lines, a backing path, the layout's. */
#define FS_STATUS_MAX	(1024 + PATH_MAX + NVMEM_LAYOUT_STATUS_MAX)

/* "EIO (Input/output error) at 2026-05-04T12:00:00Z", or "none". */
static void fs_status_error(char *buf, size_t size,
			    const struct nvmem_device_stats *st)
{
	char when[UTIL_ISO_TIME_MAX];
	const char *name;

	if (!st->last_error) {
		snprintf(buf, size, "none");
		return;
	}
	name = strerrorname_np(st->last_error);
	snprintf(buf, size, "%s (%s) at %s", name ? name : "?",
		 strerror(st->last_error),
		 util_iso_time(st->last_error_ns, when));
}

ssize_t fs_status_text(struct nvmem_device *dev, char **text)
{
	struct nvmem_device_stats st;
	char layout[NVMEM_LAYOUT_STATUS_MAX], err[128];
	size_t len = 0;
	char *buf;
	int n;

	*text = NULL;
	buf = malloc(FS_STATUS_MAX);
	if (!buf)
		return -ENOMEM;
	nvmem_device_get_stats(dev, &st);
	if (!st.provider) {	/* the provider went meanwhile */
		free(buf);
		return -ENODEV;
	}
	nvmem_device_layout_status(dev, layout, sizeof(layout));
	fs_status_error(err, sizeof(err), &st);
	n = snprintf(buf, FS_STATUS_MAX,
		     "backing: %.*s\n"
		     "provider: %s\n"
		     "size: %llu\n"
		     "%s"
		     "reads: %llu\n"
		     "read-bytes: %llu\n"
		     "writes: %llu\n"
		     "write-bytes: %llu\n"
		     "errors: %llu\n"
		     "retries: %llu\n"
		     "last-error: %s\n",
		     PATH_MAX, nvmem_device_backing(dev), st.provider,
		     (unsigned long long)nvmem_device_size(dev),
		     layout[0] ? layout : "layout: fixed\n",
		     (unsigned long long)st.reads,
		     (unsigned long long)st.read_bytes,
		     (unsigned long long)st.writes,
		     (unsigned long long)st.write_bytes,
		     (unsigned long long)st.errors,
		     (unsigned long long)st.retries, err);
	if (n < 0 || n >= FS_STATUS_MAX)
		goto toolong;
	len = n;
	if (nvmem_device_cached(dev)) {
		n = snprintf(buf + len, FS_STATUS_MAX - len,
			     "cache-hits: %llu\ncache-misses: %llu\n",
			     (unsigned long long)st.cache_hits,
			     (unsigned long long)st.cache_misses);
		if (n < 0 || (size_t)n >= FS_STATUS_MAX - len)
			goto toolong;
		len += n;
	}
	*text = buf;
	return len;
toolong:
	free(buf);
	return -EOVERFLOW;	/* cannot happen: every part is bounded */
}

/* The status text is made anew by a read at offset 0, and the pieces
 * after it come from that one snapshot. The piece is copied out before
 * the reply: once the kernel has its answer, the reader may close the
 * file, and the release may free @h before this thread touches it again. */
void fs_status_read(fuse_req_t req, struct fs_handle *h, off_t off,
		    size_t size)
{
	char *text, *piece = NULL;
	ssize_t n = 0;

	pthread_mutex_lock(&h->lock);
	if (off == 0 || !h->status) {
		n = fs_status_text(h->dev, &text);
		if (n >= 0) {
			free(h->status);
			h->status = text;
			h->status_len = n;
		}
	}
	if (n >= 0) {
		n = (size_t)off < h->status_len ? h->status_len - off : 0;
		if ((size_t)n > size)
			n = size;
		piece = malloc(n ? n : 1);
		if (piece)
			memcpy(piece, h->status + (n ? off : 0), n);
		else
			n = -ENOMEM;
	}
	pthread_mutex_unlock(&h->lock);
	if (n < 0)
		fuse_reply_err(req, -n);
	else
		fuse_reply_buf(req, piece, n);
	free(piece);
}
