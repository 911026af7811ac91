// SPDX-License-Identifier: MIT
/* libFuzzer target: the configuration parser must never crash, whatever
 * the file holds. */
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;

	log_set_level(-1);	/* the errors are the point; keep quiet */
	if (config_load_string((const char *)data, size, "fuzz.conf", &cfg) == 0)
		config_free(cfg);
	return 0;
}
