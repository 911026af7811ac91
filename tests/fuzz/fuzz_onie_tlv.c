// SPDX-License-Identifier: MIT
/* libFuzzer target: the ONIE TlvInfo parser must never crash or read past
 * the buffer, and every cell it makes must lie inside it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "layouts/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct layout_cells c;
	char why[128];
	size_t i;

	if (onie_tlv_parse(data, size, &c, why, sizeof(why)) < 0) {
		if (c.n || c.cells)
			abort();	/* no cells on failure */
		return 0;
	}
	for (i = 0; i < c.n; i++)
		if (!c.cells[i].len || c.cells[i].offset > size ||
		    c.cells[i].len > size - c.cells[i].offset)
			abort();
	layout_cells_free(&c);
	return 0;
}
