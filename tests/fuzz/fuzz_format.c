// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the text a user writes to a cell file. Decoding must
 * never read past the text or write past the cell, and what it accepts
 * must read back as it was written: decode, encode, decode again gives
 * the same bytes, in no more text than format_max_text() promises.
 * Input: one byte choosing the format, one the cell size (1-64), then
 * the text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/format.h"

#define FORMATS	CELL_FORMATS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cell_format fmt;
	uint8_t *raw, *again;
	size_t raw_len, max;
	char *text, *out;
	ssize_t n;

	if (size < 2)
		return 0;
	fmt = (enum cell_format)(data[0] % FORMATS);
	raw_len = data[1] % 64 + 1;
	if (format_check_size(fmt, raw_len) < 0)
		return 0;
	/* Exact-size copies, so that AddressSanitizer sees any overrun. */
	text = malloc(size - 2 ? size - 2 : 1);
	raw = malloc(raw_len);
	again = malloc(raw_len);
	max = format_max_text(fmt, raw_len);
	out = malloc(max);
	if (!text || !raw || !again || !out)
		abort();
	memcpy(text, data + 2, size - 2);
	if (format_decode(fmt, text, size - 2, raw, raw_len) == 0) {
		n = format_encode(fmt, raw, raw_len, out, max);
		if (n < 0 || (size_t)n > max)
			abort();
		if (format_decode(fmt, out, n, again, raw_len) != 0 ||
		    memcmp(raw, again, raw_len))
			abort();	/* written, but reads back otherwise */
	}
	free(text);
	free(raw);
	free(again);
	free(out);
	return 0;
}
