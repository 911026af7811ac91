// SPDX-License-Identifier: MIT
/*
 * Configuration, pass 2: every key of [device] (and, in config_cell.c,
 * of [cell]) is declared once, in a table that says where its value goes,
 * how it is parsed, what it may hold and which providers accept it. The
 * table drives the parsing, "unknown key" and "not valid for provider";
 * what depends on several keys at once is checked after it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_keys.h"
#include "core/perm.h"
#include "providers/at24.h"

bool config_refuse_zero(uint64_t v, char *why, size_t len)
{
	snprintf(why, len, "must be greater than 0");
	return !v;
}

static bool refuse_not_pow2(uint64_t v, char *why, size_t len)
{
	snprintf(why, len, "must be a power of two");
	return !v || (v & (v - 1));
}

static bool refuse_width(uint64_t v, char *why, size_t len)
{
	snprintf(why, len, "must be 8 or 16");
	return v != 8 && v != 16;
}

static bool refuse_slow_clock(uint64_t v, char *why, size_t len)
{
	snprintf(why, len, "must be at least 1000 (Hz)");
	return v < 1000;
}

static bool refuse_address(uint64_t v, char *why, size_t len)
{
	snprintf(why, len, "0x%02llx is not a 7-bit device address (0x03..0x77)",
		 (unsigned long long)v);
	return v < 0x03 || v > 0x77;
}

static const char *const kernel_driver_choices[] = {
	[CONFIG_KDRIVER_USE] = "use",
	[CONFIG_KDRIVER_REFUSE] = "refuse",
	NULL,
};

static const struct key_desc device_keys[] = {
	{ .name = "provider", .type = KEY_LATER },
	DEV("read-only", KEY_TRI, read_only),
	DEV("cache", KEY_TRI, cache),
	DEV("type", KEY_TYPE, type),
	DEV("layout", KEY_LAYOUT, layout.kind),
	DEV("env-offset", KEY_NUM, layout.env_offset, .max = UINT64_MAX,
	    .flags = KEY_SUFFIX | KEY_NEEDS_UBOOT),
	DEV("env-size", KEY_NUM, layout.env_size, .max = UINT64_MAX,
	    .flags = KEY_SUFFIX | KEY_NEEDS_UBOOT),
	DEV("env-redundant-offset", KEY_NUM, layout.env_redundant_offset,
	    .max = INT64_MAX, .flags = KEY_SUFFIX | KEY_NEEDS_UBOOT),
	DEV("env-lock", KEY_STRING, env_lock, .flags = KEY_NEEDS_UBOOT),
	{ .name = "env-redundant-flags", .type = KEY_LATER,
	  .flags = KEY_NEEDS_UBOOT },
	DEV("size", KEY_NUM, size, .max = UINT64_MAX, .refuse = config_refuse_zero,
	    .flags = KEY_SUFFIX),
	DEV("mode", KEY_PERM, perm),
	DEV("owner", KEY_PERM, perm),
	DEV("group", KEY_PERM, perm),
	DEV("path", KEY_PATH, path, .providers = FILE_),
	DEV("adapter", KEY_STRING, adapter, .providers = AT24,
	    .flags = KEY_SELECTS_BUS),
	DEV("bus", KEY_NUM, bus, .max = 0xfffff, .providers = AT24,
	    .flags = KEY_SELECTS_BUS),
	DEV("usb-serial", KEY_STRING, usb_serial, .providers = AT24,
	    .flags = KEY_SELECTS_BUS),
	DEV("emulate", KEY_PATH, emulate, .providers = AT24,
	    .flags = KEY_SELECTS_BUS),
	DEV("address", KEY_NUM, address, .max = UINT64_MAX,
	    .refuse = refuse_address, .providers = AT24),
	DEV("chip", KEY_STRING, chip, .providers = AT24),
	/* No AT24 page is larger; FRAMs have none, and 256 is as good as
	 * any for them. */
	DEV("page-size", KEY_NUM, page_size, .max = AT24_MAX_PAGE_SIZE,
	    .refuse = refuse_not_pow2, .providers = AT24, .flags = KEY_SUFFIX),
	DEV("address-width", KEY_NUM, address_width, .max = 16,
	    .refuse = refuse_width, .providers = AT24),
	/* Linux's I2C_RDWR takes at most 8192 bytes a message. */
	DEV("io-limit", KEY_NUM, io_limit, .max = AT24_MAX_IO_LIMIT,
	    .refuse = config_refuse_zero, .providers = AT24, .flags = KEY_SUFFIX),
	DEV("write-timeout", KEY_NUM, write_timeout_ms, .max = 60000,
	    .providers = AT24),
	DEV("bus-timeout", KEY_NUM, bus_timeout_ms, .max = 60000,
	    .refuse = config_refuse_zero, .providers = AT24),
	DEV("emulate-chip", KEY_CHIP, emulate_chip, .providers = AT24,
	    .flags = KEY_NEEDS_EMULATE),
	DEV("kernel-driver", KEY_CHOICE, kernel_driver, .providers = AT24,
	    .choices = kernel_driver_choices),
	DEV("emulate-clock", KEY_NUM, emulate_clock, .max = 3400000,
	    .refuse = refuse_slow_clock, .providers = AT24,
	    .flags = KEY_NEEDS_EMULATE),
	DEV("emulate-unplug-at", KEY_NUM, emulate_unplug_at, .max = INT64_MAX,
	    .providers = AT24, .flags = KEY_SUFFIX | KEY_NEEDS_EMULATE),
	DEV("wp-gpio", KEY_STRING, wp_gpio, .providers = AT24),
	DEV("wp-gpio-active", KEY_STRING, wp_gpio_active, .providers = AT24),
	DEV("name", KEY_NAME, kernel_name, .providers = SYSFS),
};

static const char *const provider_names[] = {
	[CONFIG_PROVIDER_FILE] = "file",
	[CONFIG_PROVIDER_AT24] = "at24",
	[CONFIG_PROVIDER_SYSFS] = "sysfs",
};

const char *config_provider_name(enum config_provider p)
{
	return (size_t)p < NKEYS(provider_names) ? provider_names[p] : "?";
}

const struct key_desc *config_key_find(const struct key_desc *table,
				       size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

static int keyline(const struct config_keyline *k, size_t n, const char *key,
		   int fallback)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(k[i].key, key))
			return k[i].line;
	return fallback;
}

int config_device_line(const struct config_device *dev, const char *key)
{
	return keyline(dev->keys, dev->nkeys, key, dev->line);
}

/* Keys mode, owner and group, on [device] and [cell] alike. */
static void parse_perm(struct parser *p, const struct raw_section *s,
		       const struct raw_key *k, struct perm_override *o)
{
	int ret;

	if (!strcmp(k->key, "mode")) {
		ret = perm_parse_mode(k->value, &o->mode);
		if (ret == -EPERM)
			config_perr(p, k->line, s->title, k->key,
				    "'%s' has bits a file here cannot have (at most 0666: no execute, set-id or sticky bits)",
				    k->value);
		else if (ret < 0)
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not an octal mode such as 0640",
				    k->value);
		o->set |= PERM_SET_MODE;
	} else if (!strcmp(k->key, "owner")) {
		ret = perm_parse_user(k->value, &o->uid);
		if (ret < 0)
			config_perr(p, k->line, s->title, k->key,
				    ret == -ENOENT ? "unknown user '%s'" :
				    "'%s' is not a user name or number",
				    k->value);
		o->set |= PERM_SET_UID;
	} else {
		ret = perm_parse_group(k->value, &o->gid);
		if (ret < 0)
			config_perr(p, k->line, s->title, k->key,
				    ret == -ENOENT ? "unknown group '%s'" :
				    "'%s' is not a group name or number",
				    k->value);
		o->set |= PERM_SET_GID;
	}
}

static void parse_num(struct parser *p, const struct raw_section *s,
		      const struct raw_key *k, const struct key_desc *d,
		      void *field)
{
	char why[128];
	uint64_t v;

	if (!config_parse_u64(k->value, d->flags & KEY_SUFFIX, &v)) {
		config_perr(p, k->line, s->title, k->key,
			    "'%s' is not a valid number", k->value);
		return;
	}
	if (v > d->max) {
		config_perr(p, k->line, s->title, k->key, "'%s' is more than %llu",
			    k->value, (unsigned long long)d->max);
		return;
	}
	if (d->refuse && d->refuse(v, why, sizeof(why)))
		config_perr(p, k->line, s->title, k->key, "%s", why);
	if (d->size == sizeof(uint64_t))
		*(uint64_t *)field = v;
	else
		*(uint32_t *)field = v;	/* max fits: the table says so */
}

/* Parse @k as @d says into the section's struct at @base. */
void config_parse_key(struct parser *p, const struct raw_section *s,
		      const struct raw_key *k, const struct key_desc *d,
		      void *base)
{
	void *field = (char *)base + d->offset;
	size_t i;
	bool b;

	switch (d->type) {
	case KEY_PATH:
		if (k->value[0] != '/')
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not an absolute path", k->value);
		/* fall through */
	case KEY_STRING:
	case KEY_NAME:
		if (d->type == KEY_NAME && !config_valid_name(k->value))
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not a name (empty, with '/' or blanks, or starting with '.')", k->value);
		*(char **)field = strdup(k->value);
		if (!*(char **)field)
			p->errors++;
		break;
	case KEY_NUM:
		parse_num(p, s, k, d, field);
		break;
	case KEY_BOOL:
	case KEY_TRI:
		if (!config_parse_bool(k->value, &b))
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not yes or no", k->value);
		else if (d->type == KEY_BOOL)
			*(bool *)field = b;
		else
			*(int *)field = b;
		break;
	case KEY_TYPE:
		if (nvmem_type_parse(k->value, field) < 0)
			config_perr(p, k->line, s->title, k->key,
				    "unknown type '%s' (EEPROM, OTP, FRAM, Battery backed, Unknown)",
				    k->value);
		break;
	case KEY_LAYOUT:
		if (layout_kind_parse(k->value, field) < 0)
			config_perr(p, k->line, s->title, k->key,
				    "unknown layout '%s' (fixed, onie-tlv, u-boot-env, sl28-vpd)",
				    k->value);
		break;
	case KEY_FORMAT:
		if (format_parse(k->value, field) < 0)
			config_perr(p, k->line, s->title, k->key,
				    "unknown format '%s' (raw, mac, hex, string, text, u8, u16le, u16be, u32le, u32be, u64le, u64be)",
				    k->value);
		break;
	case KEY_PERM:
		parse_perm(p, s, k, field);
		break;
	case KEY_CHIP:
		*(const struct at24_chip **)field = at24_chip_find(k->value);
		if (!*(const struct at24_chip **)field)
			config_perr(p, k->line, s->title, k->key,
				    "unknown chip '%s' (known: %s)", k->value,
				    at24_chip_names());
		break;
	case KEY_CHOICE:
		for (i = 0; d->choices[i]; i++) {
			if (!strcmp(k->value, d->choices[i])) {
				*(int *)field = i;
				return;
			}
		}
		config_perr(p, k->line, s->title, k->key,
			    "'%s' is not %s or %s", k->value, d->choices[0],
			    d->choices[1]);
		break;
	case KEY_LATER:
		break;
	}
}

/*
 * The key lines of a section, kept for messages after parsing. One
 * allocation holds the array and the key names behind it: a board with
 * thousands of cells keeps them all for as long as the daemon runs.
 */
static int copy_keylines(const struct raw_section *s,
			 struct config_keyline **out, size_t *n)
{
	size_t i, len, names = 0;
	char *pos;

	for (i = 0; i < s->nkeys; i++)
		names += strlen(s->keys[i].key) + 1;
	*out = calloc(1, s->nkeys * sizeof(**out) + names + 1);
	if (!*out)
		return -ENOMEM;
	pos = (char *)(*out + s->nkeys);
	for (i = 0; i < s->nkeys; i++) {
		len = strlen(s->keys[i].key) + 1;
		memcpy(pos, s->keys[i].key, len);
		(*out)[i].key = pos;
		(*out)[i].line = s->keys[i].line;
		pos += len;
	}
	*n = s->nkeys;
	return 0;
}

/* "provider": decides which keys the section may hold. */
static bool parse_provider(struct parser *p, const struct raw_section *s,
			   struct config_device *d)
{
	const struct raw_key *k = config_find_key(s, "provider");
	size_t i;

	if (!k) {
		config_perr(p, s->line, s->title, "provider",
			    "missing (file, at24 or sysfs)");
		return false;
	}
	for (i = 0; i < NKEYS(provider_names); i++) {
		if (!strcmp(k->value, provider_names[i])) {
			d->provider = i;
			return true;
		}
	}
	config_perr(p, k->line, s->title, "provider",
		    "unknown provider '%s' (file, at24 or sysfs)", k->value);
	return false;
}

/*
 * wp-gpio = CHIP LINE: two words, cut apart in place; whether they name
 * a line is known only once the chip is there (factory.c).
 * wp-gpio-active = high | low, only with wp-gpio.
 */
static void check_wp_gpio(struct parser *p, const struct raw_section *s,
			  struct config_device *d)
{
	const struct raw_key *k = config_find_key(s, "wp-gpio");
	char *v = d->wp_gpio, *end;

	if (v) {
		end = v + strcspn(v, " \t");
		if (*end) {
			*end++ = '\0';
			end += strspn(end, " \t");
		}
		if (!*v || !*end || end[strcspn(end, " \t")])
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not CHIP LINE (e.g. gpiochip3 5, or cp2112_gpio 0)",
				    k->value);
		d->wp_gpio_line = end;
	}
	k = config_find_key(s, "wp-gpio-active");
	if (!k)
		return;
	if (!strcmp(k->value, "low"))
		d->wp_gpio_active_low = true;
	else if (strcmp(k->value, "high"))
		config_perr(p, k->line, s->title, k->key,
			    "'%s' is neither high nor low", k->value);
	if (!d->wp_gpio)
		config_perr(p, k->line, s->title, k->key,
			    "only valid with wp-gpio");
}

/* What depends on several keys: required ones, exclusions, geometry. */
static void check_device_keys(struct parser *p, const struct raw_section *s,
			      struct config_device *d, unsigned int nsel)
{
	const struct raw_key *k;
	const char *key;
	char why[160];
	uint64_t size;
	size_t i;

	if (d->provider == CONFIG_PROVIDER_FILE && !d->path)
		config_perr(p, s->line, s->title, "path",
			    "missing (required for provider file)");
	if (d->provider == CONFIG_PROVIDER_SYSFS && !d->kernel_name)
		config_perr(p, s->line, s->title, "name",
			    "missing (the kernel device name, required for provider sysfs)");
	if (d->provider == CONFIG_PROVIDER_AT24) {
		if (nsel != 1)
			config_perr(p, s->line, s->title, "adapter",
				    "exactly one of adapter, bus, usb-serial or emulate is required for provider at24");
		if (!config_find_key(s, "address"))
			config_perr(p, s->line, s->title, "address",
				    "missing (required for provider at24)");
		if (!d->chip)
			config_perr(p, s->line, s->title, "chip",
				    "missing (required for provider at24)");
	}
	for (i = 0; i < NKEYS(device_keys); i++) {
		k = config_find_key(s, device_keys[i].name);
		if (!k)
			continue;
		if ((device_keys[i].flags & KEY_NEEDS_EMULATE) && !d->emulate)
			config_perr(p, k->line, s->title, k->key,
				    "only valid with emulate = IMAGE");
		if ((device_keys[i].flags & KEY_NEEDS_UBOOT) &&
		    d->layout.kind != LAYOUT_U_BOOT_ENV)
			config_perr(p, k->line, s->title, k->key,
				    "only valid with layout = u-boot-env");
	}
	k = config_find_key(s, "kernel-driver");
	if (k && d->emulate)
		config_perr(p, k->line, s->title, k->key,
			    "not valid with emulate = IMAGE (an emulated bus has no kernel driver)");
	/* "none", or the file to flock() with fw_setenv (an absolute path). */
	k = config_find_key(s, "env-lock");
	if (k && strcmp(k->value, "none") && k->value[0] != '/')
		config_perr(p, k->line, s->title, k->key,
			    "'%s' is neither none nor an absolute path", k->value);
	if (d->env_lock)
		d->layout.env_lock = strcmp(d->env_lock, "none") ? d->env_lock :
				     NULL;
	/* The meaning of the copies' flags byte: U-Boot's counter or its
	 * boolean for parallel NOR flash. */
	k = config_find_key(s, "env-redundant-flags");
	if (k && !strcmp(k->value, "bool"))
		d->layout.env_redund = UBOOT_REDUND_BOOL;
	else if (k && strcmp(k->value, "count"))
		config_perr(p, k->line, s->title, k->key,
			    "'%s' is neither count nor bool", k->value);
	if (k && d->layout.kind == LAYOUT_U_BOOT_ENV &&
	    d->layout.env_redundant_offset < 0)
		config_perr(p, k->line, s->title, k->key,
			    "only valid with env-redundant-offset");
	/* The device's size is not known yet: the layout checks the rest
	 * by the same rule once it is. */
	if (d->layout.kind == LAYOUT_U_BOOT_ENV &&
	    layout_uboot_geometry(&d->layout, 0, &size, &key, why,
				  sizeof(why)) < 0) {
		k = config_find_key(s, key);
		config_perr(p, k ? k->line : s->line, s->title, key, "%s", why);
	}
	check_wp_gpio(p, s, d);
	k = config_find_key(s, "mode");
	if (k && d->read_only == 1 && (d->perm.mode & PERM_WRITE_BITS))
		config_perr(p, k->line, s->title, "mode",
			    "%04o has write bits, but the device is read-only",
			    (unsigned int)d->perm.mode);
}

void config_parse_device(struct parser *p, const struct raw_section *s,
			 struct config_device *d)
{
	const struct key_desc *kd;
	unsigned int nsel = 0;
	size_t i;

	d->name = strdup(s->name);
	d->line = s->line;
	d->bus = -1;
	d->read_only = -1;
	d->cache = -1;
	d->layout = (struct layout_params)LAYOUT_PARAMS_INIT;
	d->emulate_unplug_at = -1;
	copy_keylines(s, &d->keys, &d->nkeys);
	if (!config_valid_name(s->name))
		config_perr(p, s->line, s->title, NULL,
			    "invalid device name '%s' (empty, contains '/' or blanks, or starts with '.')",
			    s->name);
	if (!parse_provider(p, s, d))
		return;

	for (i = 0; i < s->nkeys; i++) {
		const struct raw_key *k = &s->keys[i];

		kd = config_key_find(device_keys, NKEYS(device_keys), k->key);
		if (!kd) {
			config_perr(p, k->line, s->title, k->key, "unknown key");
			continue;
		}
		if (kd->providers && !(kd->providers & (1u << d->provider))) {
			config_perr(p, k->line, s->title, k->key,
				    "not valid for provider %s",
				    provider_names[d->provider]);
			continue;
		}
		if (kd->flags & KEY_SELECTS_BUS)
			nsel++;
		config_parse_key(p, s, k, kd, d);
	}
	d->type_set = config_find_key(s, "type");
	check_device_keys(p, s, d, nsel);
}
