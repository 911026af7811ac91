// SPDX-License-Identifier: MIT
/* libFuzzer target: the sl28 VPD parser must never crash, and its cells
 * must lie inside the buffer. */
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

	if (sl28_vpd_parse(data, size, &c, why, sizeof(why)) < 0) {
		if (c.n || c.cells)
			abort();
		return 0;
	}
	for (i = 0; i < c.n; i++)
		if (c.cells[i].offset > size ||
		    c.cells[i].len > size - c.cells[i].offset)
			abort();
	layout_cells_free(&c);
	return 0;
}
