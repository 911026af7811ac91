// SPDX-License-Identifier: MIT
/*
 * --check-config (plan.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "core/nvmem.h"
#include "daemon/factory.h"
#include "daemon/manager.h"
#include "daemon/plan.h"
#include "daemon/probe.h"
#include "providers/i2c.h"

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

/*
 * Say where @cd's device comes from now, and with @probe what its bytes
 * and chip suggest: the device manager_check() set up (@built), or for
 * an at24 on a real bus, which the daemon is told of by udev, the one
 * built here on the adapter its section names (we look in sysfs).
 * -EINVAL when the daemon would refuse it (logged with file and line by
 * the factory), else 0.
 */
static int plan_present(const struct config *cfg,
			const struct config_device *cd, bool probe, FILE *out,
			struct manager_checked *built)
{
	struct i2c_adapter *ad = NULL;
	struct i2c_client_info ci;
	int bus = -1, ret = 0;
	dev_t rdev;

	if (cd->provider == CONFIG_PROVIDER_AT24 && !cd->emulate) {
		bus = i2c_adapter_find(I2C_SYSFS_ROOT, cd->bus, cd->adapter,
				       cd->usb_serial);
		if (bus < 0) {
			fprintf(out, "  adapter not present (served when udev reports it)\n");
			return 0;
		}
		ret = factory_build(cfg, cd, &built->emul, bus, &built->dev,
				    &rdev);
		if (ret == -EINVAL)
			return ret;
		built->ret = ret;
	}
	if (!built->dev) {
		if (bus >= 0 || probe)
			fprintf(out, "  cannot be set up now: %s\n",
				strerror(-built->ret));
		return 0;
	}
	if (bus >= 0)
		fprintf(out, "  present: %s\n", nvmem_device_backing(built->dev));
	if (probe) {
		if (built->emul.ad)
			ad = i2c_adapter_get(built->emul.ad);
		else if (bus >= 0 && factory_kernel_client(cd, bus, &ci) != 0)
			fprintf(out, "  probe at24: chip not probed: the kernel's client %s (%s) owns it\n",
				ci.name, ci.driver);
		else if (bus >= 0 && i2c_adapter_open_dev(bus, &ad) < 0)
			ad = NULL;
		probe_device(cd, built->dev, ad, out);
		i2c_adapter_put(ad);
	}
	return 0;
}

int plan_print(const struct config *cfg, FILE *out, bool probe)
{
	struct manager_checked *built;
	char backing[600];
	size_t i;
	int ret;

	built = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*built));
	if (!built)
		return -ENOMEM;
	ret = manager_check(cfg, built);
	if (ret < 0)
		goto out;
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
		if (cd->wp_gpio)
			fprintf(out, "  write protect: GPIO line %s of %s, active %s, released only around each bus write\n",
				cd->wp_gpio_line, cd->wp_gpio,
				cd->wp_gpio_active_low ? "low" : "high");
		plan_print_perm(out, "files", &cd->perm);
		plan_print_cells(out, cd);
		if ((probe || (cd->provider == CONFIG_PROVIDER_AT24 &&
			       !cd->emulate)) &&
		    plan_present(cfg, cd, probe, out, &built[i]) < 0)
			ret = -EINVAL;
	}
out:
	for (i = 0; i < cfg->ndevices; i++)
		manager_checked_free(&built[i]);
	free(built);
	return ret;
}
