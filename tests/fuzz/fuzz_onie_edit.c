// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: ONIE TlvInfo editing. The input is an edit and an
 * image: op (even: set, odd: remove), type, nth, value length, the value,
 * then the image. Whatever the image, an edit of a valid one must give a
 * valid one (parse -> edit -> serialise -> parse back) of at most 2048
 * bytes that holds the value written, and a refused edit must change
 * nothing; values and names are parsed without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layouts/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t op, type, ntype, val[255], *buf, *copy;
	size_t vlen, total, room, off, got;
	unsigned int nth, nnth;
	struct layout_cells c;
	char why[128], name[32];
	ssize_t n;
	int ret;

	if (size < 4)
		return 0;
	op = data[0];
	type = data[1];
	nth = data[2] & 3;
	vlen = data[3];
	data += 4;
	size -= 4;
	if (vlen > size)
		vlen = size;

	/* Names and values alone. */
	n = onie_value_parse(type, data, vlen, val);
	if (n > 255 || (n >= 0 && !onie_type_editable(type)))
		abort();
	memcpy(name, data, vlen < sizeof(name) - 1 ? vlen : sizeof(name) - 1);
	name[vlen < sizeof(name) - 1 ? vlen : sizeof(name) - 1] = '\0';
	if (onie_name_parse(name, &ntype, &nnth) == 0 && !onie_type_name(ntype))
		abort();

	memcpy(val, data, vlen);
	data += vlen;
	size -= vlen;
	n = onie_tlv_total(data, size, why, sizeof(why));
	if (n < 0)
		return 0;
	total = (size_t)n;
	room = total > ONIE_TLV_MAX ? total : ONIE_TLV_MAX;
	buf = malloc(room);
	copy = malloc(total);
	if (!buf || !copy)
		abort();
	memcpy(buf, data, total);
	memcpy(copy, data, total);
	if (op & 1)
		ret = onie_tlv_del(buf, &total, type, nth);
	else
		ret = onie_tlv_set(buf, &total, type, nth, val, vlen);
	if (ret < 0) {
		/* Refused: nothing changed. */
		if (total != (size_t)n || memcmp(buf, copy, total))
			abort();
	} else {
		if (onie_tlv_total(buf, total, why, sizeof(why)) != (ssize_t)total)
			abort();
		if (onie_tlv_parse(buf, total, &c, why, sizeof(why)) < 0)
			abort();
		layout_cells_free(&c);
		if (!(op & 1)) {
			if (total > ONIE_TLV_MAX ||
			    onie_tlv_find(buf, total, type, nth, &off, &got) ||
			    got != vlen || memcmp(buf + off, val, vlen))
				abort();
		} else if (total >= (size_t)n) {
			abort();
		}
	}
	free(copy);
	free(buf);
	return 0;
}
