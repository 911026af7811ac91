// SPDX-License-Identifier: MIT
/*
 * --check-config (plan.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon/manager.h"
#include "daemon/plan.h"

/* The configured mode, owner and group. */
static void plan_print_perm(FILE *out, const char *what,
			    const struct perm_override *o)
{
	if (!o->set)
		return;
	fprintf(out, "  %s:", what);
	if (o->set & PERM_SET_MODE)
		fprintf(out, " mode %04o", (unsigned int)o->mode);
	if (o->set & PERM_SET_UID)
		fprintf(out, " owner %u", (unsigned int)o->uid);
	if (o->set & PERM_SET_GID)
		fprintf(out, " group %u", (unsigned int)o->gid);
	fprintf(out, " (configured; otherwise the backing's)\n");
}

/* Where the device's bytes come from, in words. */
static void plan_backing(const struct config_device *cd, char *buf,
			 size_t size)
{
	if (cd->provider != CONFIG_PROVIDER_AT24)
		snprintf(buf, size, "%s", cd->path ? cd->path :
			 cd->kernel_name ? cd->kernel_name : "-");
	else if (cd->emulate)
		snprintf(buf, size, "%s at 0x%02x on an emulated bus (image %s)",
			 cd->chip, cd->address, cd->emulate);
	else if (cd->adapter)
		snprintf(buf, size, "%s at 0x%02x on adapter %s", cd->chip,
			 cd->address, cd->adapter);
	else if (cd->usb_serial)
		snprintf(buf, size,
			 "%s at 0x%02x on the adapter with USB serial %s",
			 cd->chip, cd->address, cd->usb_serial);
	else
		snprintf(buf, size, "%s at 0x%02x on bus %d", cd->chip,
			 cd->address, cd->bus);
}

static void plan_print_cells(FILE *out, const struct config_device *cd)
{
	size_t j;

	if (!cd->ncells) {
		fprintf(out, "  no configured cells\n");
		return;
	}
	fprintf(out, "  %-24s %10s %8s %8s  %-7s %s\n", "CELL", "OFFSET",
		"SIZE", "BITS", "FORMAT", "ACCESS");
	for (j = 0; j < cd->ncells; j++) {
		const struct config_cell *cc = &cd->cells[j];
		char bits[32] = "-";

		if (cc->mac_base) {
			fprintf(out, "  %-24s %10s %8s %8s  %-7s ro  (%s + %llu)\n",
				cc->name, "-", "-", "-", "mac", cc->mac_base,
				(unsigned long long)cc->mac_index);
			continue;
		}
		if (cc->nbits)
			snprintf(bits, sizeof(bits), "%u:%u", cc->bit_offset,
				 cc->nbits);
		fprintf(out, "  %-24s %#10" PRIx64 " %8u %8s  %-7s %s\n",
			cc->name, cc->offset, cc->size, bits,
			format_name(cc->format),
			cc->read_only || cd->read_only == 1 ? "ro" : "rw");
		plan_print_perm(out, cc->name, &cc->perm);
	}
}

int plan_print(const struct config *cfg, FILE *out)
{
	char backing[600];
	size_t i;
	int ret;

	ret = manager_check(cfg);
	if (ret < 0)
		return ret;
	fprintf(out, "configuration: %s\n", cfg->path ? cfg->path : "(none)");
	fprintf(out, "kernel nvmem devices: %s\n",
		cfg->kernel_devices ?
		"served (those no [device] section claims, under their kernel names)" :
		"not served");
	for (i = 0; i < cfg->ndevices; i++) {
		const struct config_device *cd = &cfg->devices[i];

		plan_backing(cd, backing, sizeof(backing));
		fprintf(out, "\ndevice %s: provider %s, backing %s, layout %s%s\n",
			cd->name, config_provider_name(cd->provider), backing,
			layout_name(cd->layout.kind),
			cd->read_only == 1 ? ", read-only" : "");
		if (cd->provider == CONFIG_PROVIDER_FILE && cd->path)
			fprintf(out, "  backing is %s\n",
				access(cd->path, F_OK) == 0 ? "present" :
				"absent (registered when udev reports it)");
		plan_print_perm(out, "files", &cd->perm);
		plan_print_cells(out, cd);
	}
	return 0;
}
