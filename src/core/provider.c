// SPDX-License-Identifier: MIT
/* Helpers shared by every provider. */
#include <errno.h>
#include <strings.h>

#include "core/provider.h"

static const char *const nvmem_type_names[] = {
	[NVMEM_TYPE_UNKNOWN] = "Unknown",
	[NVMEM_TYPE_EEPROM] = "EEPROM",
	[NVMEM_TYPE_OTP] = "OTP",
	[NVMEM_TYPE_BATTERY_BACKED] = "Battery backed",
	[NVMEM_TYPE_FRAM] = "FRAM",
};

const char *nvmem_type_name(enum nvmem_type type)
{
	if ((unsigned int)type >= sizeof(nvmem_type_names) / sizeof(nvmem_type_names[0]))
		return "Unknown";
	return nvmem_type_names[type];
}

int nvmem_type_parse(const char *s, enum nvmem_type *type)
{
	unsigned int i;

	for (i = 0; i < sizeof(nvmem_type_names) / sizeof(nvmem_type_names[0]); i++) {
		if (!strcasecmp(s, nvmem_type_names[i])) {
			*type = i;
			return 0;
		}
	}
	return -EINVAL;
}

bool provider_errno_gone(int err)
{
	return err == ENODEV || err == ESHUTDOWN;
}
