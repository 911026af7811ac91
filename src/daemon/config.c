// SPDX-License-Identifier: MIT
/*
 * The configuration file, parsed with libinih in two passes:
 *  1. inih splits the file into sections and key = value pairs; our line
 *     reader counts lines (Debian's inih does not pass line numbers to
 *     the handler), records every section header with its full name
 *     (inih truncates long ones), strips "# comment" tails after a value
 *     (inih only knows ';') and leading blanks (so an indented key is a
 *     key, not a multi-line continuation);
 *  2. every section is interpreted and checked as a whole, once the
 *     whole file is read: a [cell] may come before its [device], and a
 *     key's validity depends on the section's provider.
 * All errors are reported, each as one line FILE:LINE: [SECTION] KEY: ...,
 * and any error fails the load: nothing half-configured is returned.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "providers/at24.h"
#include "daemon/config.h"
#include "base/log.h"
#include "base/util.h"

#define CONFIG_NAME_MAX	255

struct raw_key {
	char *key;
	char *value;
	int line;
};

enum raw_kind { RAW_GLOBAL, RAW_DEVICE, RAW_CELL, RAW_BAD };

/* One section as read, before interpretation. */
struct raw_section {
	char *title;		/* text between the brackets */
	enum raw_kind kind;
	char *name;		/* after "device " / "cell " */
	int line;
	struct raw_key *keys;
	size_t nkeys;
};

struct parser {
	const char *path;
	/* input */
	const char *text;
	size_t len, pos;
	int line;
	bool line_too_long;
	/* pass 1 */
	struct raw_section *sections;
	size_t nsections;
	int errors;
	int first_syntax_error;
};

static void perr(struct parser *p, int line, const char *section,
		 const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void vreport(const char *path, int line, const char *section,
		    const char *key, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (section && key)
		log_err("%s:%d: [%s] %s: %s", path, line, section, key, msg);
	else if (section)
		log_err("%s:%d: [%s] %s", path, line, section, msg);
	else if (key)
		log_err("%s:%d: %s: %s", path, line, key, msg);
	else
		log_err("%s:%d: %s", path, line, msg);
}

static void perr(struct parser *p, int line, const char *section,
		 const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p->path, line, section, key, fmt, ap);
	va_end(ap);
	p->errors++;
}

void config_error(const struct config *cfg, int line, const char *section,
		  const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cfg->path ? cfg->path : "(built-in)", line, section, key, fmt,
		ap);
	va_end(ap);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static struct raw_section *cur_section(struct parser *p)
{
	return p->nsections ? &p->sections[p->nsections - 1] : NULL;
}

static void new_section(struct parser *p, const char *title)
{
	struct raw_section *s, *grown;

	grown = realloc(p->sections, (p->nsections + 1) * sizeof(*grown));
	if (!grown) {
		p->errors++;
		return;
	}
	p->sections = grown;
	s = &p->sections[p->nsections++];
	memset(s, 0, sizeof(*s));
	s->title = strdup(title);
	s->line = p->line;
	if (!strcmp(title, "nvmemfs")) {
		s->kind = RAW_GLOBAL;
	} else if (!strncmp(title, "device ", 7)) {
		s->kind = RAW_DEVICE;
		s->name = strdup(title + 7);
	} else if (!strncmp(title, "cell ", 5)) {
		s->kind = RAW_CELL;
		s->name = strdup(title + 5);
	} else {
		s->kind = RAW_BAD;
	}
}

/*
 * inih's line source. Normalises each line (see the top of the file) and
 * tracks sections, so that pass 1 knows the line of everything.
 */
static char *config_reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	size_t n = 0, i;
	char *line, *hdr_end;

	if (p->pos >= p->len)
		return NULL;
	p->line++;
	while (p->pos + n < p->len && p->text[p->pos + n] != '\n')
		n++;
	line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, p->text + p->pos, n);
	line[n] = '\0';
	p->pos += n + (p->pos + n < p->len);	/* and the newline */
	for (i = 0; i < n; i++)
		if (line[i] == '\0' || line[i] == '\r')
			line[i] = ' ';	/* NUL would end inih's line early */

	char *s = trim(line);

	if (*s == '[' && (hdr_end = strchr(s, ']'))) {
		*hdr_end = '\0';
		char *title = trim(s + 1);
		/* inih itself sees a short placeholder, our copy the whole. */
		new_section(p, title);
		snprintf(str, num, "[s%zu]", p->nsections);
		free(line);
		return str;
	}
	if (*s && *s != '#' && *s != ';') {
		/* "value   # comment" -> "value" */
		for (i = 1; s[i]; i++) {
			if ((s[i] == '#' || s[i] == ';') &&
			    isspace((unsigned char)s[i - 1])) {
				s[i] = '\0';
				break;
			}
		}
		s = trim(s);
	}
	if (strlen(s) >= (size_t)num) {
		p->line_too_long = true;
		perr(p, p->line, NULL, NULL, "line longer than %d characters",
		     num - 1);
		s = "";
	}
	strcpy(str, s);
	free(line);
	return str;
}

static int config_handler(void *user, const char *section, const char *key,
			  const char *value)
{
	struct parser *p = user;
	struct raw_section *s = cur_section(p);
	struct raw_key *k;
	size_t i;

	if (!s) {
		perr(p, p->line, NULL, key, "key outside of any section");
		return 1;
	}
	for (i = 0; i < s->nkeys; i++) {
		if (!strcmp(s->keys[i].key, key)) {
			perr(p, p->line, s->title, key,
			     "given twice (first at line %d)", s->keys[i].line);
			return 1;
		}
	}
	k = realloc(s->keys, (s->nkeys + 1) * sizeof(*k));
	if (!k) {
		p->errors++;
		return 0;
	}
	s->keys = k;
	k = &s->keys[s->nkeys++];
	k->key = strdup(key);
	k->value = strdup(value);
	k->line = p->line;
	return 1;
}

/* ---- pass 2: values ---- */

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Decimal or 0x hex; with @suffix, K and M multiply by 1024 and 1024^2.
 * No sign, no octal surprise ("010" is ten), no trailing junk. */
static bool parse_u64(const char *v, bool suffix, uint64_t *out)
{
	unsigned long long n;
	uint64_t mul = 1;
	char *end;
	int base = 10;

	if (!isdigit((unsigned char)*v))
		return false;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)v[2]))
			return false;
	}
	errno = 0;
	n = strtoull(v, &end, base);
	if (errno)
		return false;
	if (suffix && (*end == 'K' || *end == 'k')) {
		mul = 1024;
		end++;
	} else if (suffix && *end == 'M') {
		mul = 1024 * 1024;
		end++;
	}
	if (*end)
		return false;
	if (n > UINT64_MAX / mul)
		return false;
	*out = n * mul;
	return true;
}

static bool valid_name(const char *n)
{
	const unsigned char *c;

	if (!*n || *n == '.' || strlen(n) > CONFIG_NAME_MAX)
		return false;
	for (c = (const unsigned char *)n; *c; c++)
		if (*c == '/' || isspace(*c) || iscntrl(*c))
			return false;
	return true;
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

/* Keys each provider accepts, besides the common ones. */
static const char *const common_keys[] = {
	"provider", "read-only", "cache", "type", "layout", "env-offset",
	"env-size", "env-redundant-offset", "size", "mode", "owner", "group",
	NULL,
};
static const char *const file_keys[] = { "path", NULL };
static const char *const at24_keys[] = {
	"adapter", "bus", "usb-serial", "address", "chip", "page-size",
	"address-width", "io-limit", "write-timeout", "bus-timeout", "emulate",
	"emulate-clock", "emulate-unplug-at", NULL,
};
static const char *const sysfs_keys[] = { "name", NULL };

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (!strcmp(*list, key))
			return true;
	return false;
}

static const char *const *provider_keys(enum config_provider p)
{
	switch (p) {
	case CONFIG_PROVIDER_AT24:
		return at24_keys;
	case CONFIG_PROVIDER_SYSFS:
		return sysfs_keys;
	default:
		return file_keys;
	}
}

static const char *provider_names[] = {
	[CONFIG_PROVIDER_FILE] = "file",
	[CONFIG_PROVIDER_AT24] = "at24",
	[CONFIG_PROVIDER_SYSFS] = "sysfs",
};

const char *config_provider_name(enum config_provider p)
{
	return (size_t)p < 3 ? provider_names[p] : "?";
}


static const struct raw_key *find_key(const struct raw_section *s,
				      const char *key)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, key))
			return &s->keys[i];
	return NULL;
}

static bool get_num(struct parser *p, const struct raw_section *s,
		    const struct raw_key *k, bool suffix, uint64_t max,
		    uint64_t *out)
{
	if (!parse_u64(k->value, suffix, out)) {
		perr(p, k->line, s->title, k->key, "'%s' is not a valid number",
		     k->value);
		return false;
	}
	if (*out > max) {
		perr(p, k->line, s->title, k->key, "'%s' is more than %llu",
		     k->value, (unsigned long long)max);
		return false;
	}
	return true;
}

/*
 * Keys mode, owner and group, on [device] and [cell] alike. Returns false
 * if @k is none of them.
 */
static bool parse_perm_key(struct parser *p, const struct raw_section *s,
			   const struct raw_key *k, struct perm_override *o)
{
	int ret;

	if (!strcmp(k->key, "mode")) {
		ret = perm_parse_mode(k->value, &o->mode);
		if (ret == -EPERM)
			perr(p, k->line, s->title, k->key,
			     "'%s' has bits a file here cannot have (at most 0666: no execute, set-id or sticky bits)",
			     k->value);
		else if (ret < 0)
			perr(p, k->line, s->title, k->key,
			     "'%s' is not an octal mode such as 0640", k->value);
		o->set |= PERM_SET_MODE;
	} else if (!strcmp(k->key, "owner")) {
		ret = perm_parse_user(k->value, &o->uid);
		if (ret < 0)
			perr(p, k->line, s->title, k->key,
			     ret == -ENOENT ? "unknown user '%s'" :
			     "'%s' is not a user name or number", k->value);
		o->set |= PERM_SET_UID;
	} else if (!strcmp(k->key, "group")) {
		ret = perm_parse_group(k->value, &o->gid);
		if (ret < 0)
			perr(p, k->line, s->title, k->key,
			     ret == -ENOENT ? "unknown group '%s'" :
			     "'%s' is not a group name or number", k->value);
		o->set |= PERM_SET_GID;
	} else {
		return false;
	}
	return true;
}

/* Write bits on what can never be written would promise what a write
 * then refuses: say so at the key. @why is NULL when it can be written. */
static void check_mode_writable(struct parser *p, int line, const char *title,
				const struct perm_override *o, const char *why)
{
	if (why && (o->set & PERM_SET_MODE) && (o->mode & PERM_WRITE_BITS))
		perr(p, line, title, "mode", "%04o has write bits, but %s",
		     (unsigned int)o->mode, why);
}

static void parse_device(struct parser *p, const struct raw_section *s,
			 struct config_device *d)
{
	const struct raw_key *k;
	uint64_t v = 0;
	size_t i, nsel = 0;
	bool b;

	d->name = strdup(s->name);
	d->line = s->line;
	d->bus = -1;
	d->read_only = -1;
	d->cache = -1;
	d->layout = (struct layout_params)LAYOUT_PARAMS_INIT;
	d->emulate_unplug_at = -1;
	copy_keylines(s, &d->keys, &d->nkeys);
	if (!valid_name(s->name))
		perr(p, s->line, s->title, NULL,
		     "invalid device name '%s' (empty, contains '/' or blanks, or starts with '.')",
		     s->name);

	k = find_key(s, "provider");
	if (!k) {
		perr(p, s->line, s->title, "provider",
		     "missing (file, at24 or sysfs)");
		return;
	}
	for (i = 0; i < 3; i++)
		if (!strcmp(k->value, provider_names[i]))
			break;
	if (i == 3) {
		perr(p, k->line, s->title, "provider",
		     "unknown provider '%s' (file, at24 or sysfs)", k->value);
		return;
	}
	d->provider = i;

	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (in_list(common_keys, k->key) ||
		    in_list(provider_keys(d->provider), k->key))
			continue;
		if (in_list(file_keys, k->key) || in_list(at24_keys, k->key) ||
		    in_list(sysfs_keys, k->key))
			perr(p, k->line, s->title, k->key,
			     "not valid for provider %s",
			     provider_names[d->provider]);
		else
			perr(p, k->line, s->title, k->key, "unknown key");
	}

	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (parse_perm_key(p, s, k, &d->perm))
			continue;
		if (!strcmp(k->key, "path")) {
			if (k->value[0] != '/')
				perr(p, k->line, s->title, k->key,
				     "'%s' is not an absolute path", k->value);
			d->path = strdup(k->value);
		} else if (!strcmp(k->key, "adapter")) {
			d->adapter = strdup(k->value);
			nsel++;
		} else if (!strcmp(k->key, "usb-serial")) {
			d->usb_serial = strdup(k->value);
			nsel++;
		} else if (!strcmp(k->key, "bus")) {
			if (get_num(p, s, k, false, 0xfffff, &v))
				d->bus = v;
			nsel++;
		} else if (!strcmp(k->key, "address")) {
			if (get_num(p, s, k, false, 0x7f, &v)) {
				if (v < 0x03 || v > 0x77)
					perr(p, k->line, s->title, k->key,
					     "0x%02llx is not a 7-bit device address (0x03..0x77)",
					     (unsigned long long)v);
				d->address = v;
			}
		} else if (!strcmp(k->key, "chip")) {
			d->chip = strdup(k->value);
		} else if (!strcmp(k->key, "emulate")) {
			if (k->value[0] != '/')
				perr(p, k->line, s->title, k->key,
				     "'%s' is not an absolute path", k->value);
			d->emulate = strdup(k->value);
			nsel++;
		} else if (!strcmp(k->key, "emulate-clock")) {
			if (get_num(p, s, k, false, 3400000, &v)) {
				if (v < 1000)
					perr(p, k->line, s->title, k->key,
					     "must be at least 1000 (Hz)");
				d->emulate_clock = v;
			}
		} else if (!strcmp(k->key, "emulate-unplug-at")) {
			if (get_num(p, s, k, true, INT64_MAX, &v))
				d->emulate_unplug_at = v;
		} else if (!strcmp(k->key, "size")) {
			if (get_num(p, s, k, true, UINT64_MAX, &v)) {
				if (!v)
					perr(p, k->line, s->title, k->key,
					     "must be greater than 0");
				d->size = v;
			}
		} else if (!strcmp(k->key, "page-size")) {
			/* No AT24 page is larger; FRAMs have none, and 256
			 * is as good as any for them. */
			if (get_num(p, s, k, true, AT24_MAX_PAGE_SIZE, &v)) {
				if (!v || (v & (v - 1)))
					perr(p, k->line, s->title, k->key,
					     "must be a power of two");
				d->page_size = v;
			}
		} else if (!strcmp(k->key, "address-width")) {
			if (get_num(p, s, k, false, 16, &v)) {
				if (v != 8 && v != 16)
					perr(p, k->line, s->title, k->key,
					     "must be 8 or 16");
				d->address_width = v;
			}
		} else if (!strcmp(k->key, "io-limit")) {
			/* Linux's I2C_RDWR takes at most 8192 bytes a message. */
			if (get_num(p, s, k, true, AT24_MAX_IO_LIMIT, &v)) {
				if (!v)
					perr(p, k->line, s->title, k->key,
					     "must be greater than 0");
				d->io_limit = v;
			}
		} else if (!strcmp(k->key, "write-timeout")) {
			if (get_num(p, s, k, false, 60000, &v))
				d->write_timeout_ms = v;
		} else if (!strcmp(k->key, "bus-timeout")) {
			if (get_num(p, s, k, false, 60000, &v)) {
				if (!v)
					perr(p, k->line, s->title, k->key,
					     "must be greater than 0");
				d->bus_timeout_ms = v;
			}
		} else if (!strcmp(k->key, "name")) {
			d->kernel_name = strdup(k->value);
			if (!valid_name(k->value))
				perr(p, k->line, s->title, k->key,
				     "'%s' is not a device name", k->value);
		} else if (!strcmp(k->key, "read-only") ||
			   !strcmp(k->key, "cache")) {
			if (!parse_bool(k->value, &b))
				perr(p, k->line, s->title, k->key,
				     "'%s' is not yes or no", k->value);
			else if (k->key[0] == 'r')
				d->read_only = b;
			else
				d->cache = b;
		} else if (!strcmp(k->key, "type")) {
			if (nvmem_type_parse(k->value, &d->type) < 0)
				perr(p, k->line, s->title, k->key,
				     "unknown type '%s' (EEPROM, OTP, FRAM, Battery backed, Unknown)",
				     k->value);
			d->type_set = true;
		} else if (!strcmp(k->key, "layout")) {
			if (layout_kind_parse(k->value, &d->layout.kind) < 0)
				perr(p, k->line, s->title, k->key,
				     "unknown layout '%s' (fixed, onie-tlv, u-boot-env, sl28-vpd)",
				     k->value);
		} else if (!strcmp(k->key, "env-offset")) {
			if (get_num(p, s, k, true, UINT64_MAX, &v))
				d->layout.env_offset = v;
		} else if (!strcmp(k->key, "env-size")) {
			if (get_num(p, s, k, true, UINT64_MAX, &v))
				d->layout.env_size = v;
		} else if (!strcmp(k->key, "env-redundant-offset")) {
			if (get_num(p, s, k, true, INT64_MAX, &v))
				d->layout.env_redundant_offset = v;
		}
	}

	if (find_key(s, "mode"))
		check_mode_writable(p, find_key(s, "mode")->line, s->title,
				    &d->perm, d->read_only == 1 ?
				    "the device is read-only" : NULL);

	/* Per-provider requirements. */
	if (d->provider == CONFIG_PROVIDER_FILE && !d->path)
		perr(p, s->line, s->title, "path", "missing (required for provider file)");
	if (d->provider == CONFIG_PROVIDER_SYSFS && !d->kernel_name)
		perr(p, s->line, s->title, "name", "missing (the kernel device name, required for provider sysfs)");
	if (d->provider == CONFIG_PROVIDER_AT24) {
		if (nsel != 1)
			perr(p, s->line, s->title, "adapter",
			     "exactly one of adapter, bus, usb-serial or emulate is required for provider at24");
		if (!find_key(s, "address"))
			perr(p, s->line, s->title, "address", "missing (required for provider at24)");
		if (!d->chip)
			perr(p, s->line, s->title, "chip", "missing (required for provider at24)");
	}
	if (!d->emulate) {
		static const char *const emu_keys[] = {
			"emulate-clock", "emulate-unplug-at", NULL,
		};

		for (i = 0; emu_keys[i]; i++) {
			k = find_key(s, emu_keys[i]);
			if (k)
				perr(p, k->line, s->title, k->key,
				     "only valid with emulate = IMAGE");
		}
	}
	if (d->layout.kind != LAYOUT_U_BOOT_ENV) {
		static const char *const env_keys[] = {
			"env-offset", "env-size", "env-redundant-offset", NULL,
		};

		for (i = 0; env_keys[i]; i++) {
			k = find_key(s, env_keys[i]);
			if (k)
				perr(p, k->line, s->title, k->key,
				     "only valid with layout = u-boot-env");
		}
	} else {
		char why[160];
		const char *key;
		uint64_t size;

		/* The device's size is not known yet: the layout checks the
		 * rest by the same rule once it is. */
		if (layout_uboot_geometry(&d->layout, 0, &size, &key, why,
					  sizeof(why)) < 0)
			perr(p, find_key(s, key) ? find_key(s, key)->line : s->line,
			     s->title, key, "%s", why);
	}
}

static const char *const cell_keys[CONFIG_CELL_NKEYS] = {
	"offset", "size", "bits", "format", "read-only", "mode", "owner",
	"group",
};

static int cell_key_index(const char *key)
{
	int i;

	for (i = 0; i < CONFIG_CELL_NKEYS; i++)
		if (!strcmp(cell_keys[i], key))
			return i;
	return -1;
}

static void parse_cell(struct parser *p, const struct raw_section *s,
		       struct config_cell *c)
{
	const struct raw_key *k, *size = NULL, *bits = NULL;
	char *slash = strchr(s->name, '/');
	uint64_t v = 0;
	size_t i;
	bool b;

	c->line = s->line;
	c->format = CELL_FORMAT_RAW;
	for (i = 0; i < s->nkeys; i++) {
		int ki = cell_key_index(s->keys[i].key);

		if (ki >= 0)
			c->key_lines[ki] = s->keys[i].line;
	}
	/* "board/mac" becomes "board\0mac": one allocation for both. */
	c->device = strdup(s->name);
	if (!c->device) {
		perr(p, s->line, s->title, NULL, "out of memory");
		c->name = NULL;
		return;
	}
	if (!slash) {
		perr(p, s->line, s->title, NULL,
		     "cell sections are named [cell DEVICE/CELL]");
		c->name = c->device + strlen(c->device);
		return;
	}
	c->name = c->device + (slash - s->name);
	*c->name++ = '\0';
	if (!valid_name(c->name))
		perr(p, s->line, s->title, NULL,
		     "invalid cell name '%s' (empty, contains '/' or blanks, or starts with '.')",
		     c->name);

	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (parse_perm_key(p, s, k, &c->perm))
			continue;
		if (!strcmp(k->key, "offset")) {
			if (get_num(p, s, k, true, UINT64_MAX / 16, &v))
				c->offset = v;
		} else if (!strcmp(k->key, "size")) {
			size = k;
		} else if (!strcmp(k->key, "bits")) {
			bits = k;
		} else if (!strcmp(k->key, "format")) {
			if (format_parse(k->value, &c->format) < 0)
				perr(p, k->line, s->title, k->key,
				     "unknown format '%s' (raw, mac, hex, string, u8, u16le, u16be, u32le, u32be, u64le, u64be)",
				     k->value);
		} else if (!strcmp(k->key, "read-only")) {
			if (!parse_bool(k->value, &b))
				perr(p, k->line, s->title, k->key,
				     "'%s' is not yes or no", k->value);
			else
				c->read_only = b;
		} else {
			perr(p, k->line, s->title, k->key, "unknown key");
		}
	}
	if (!find_key(s, "offset"))
		perr(p, s->line, s->title, "offset", "missing");
	if (size && bits) {
		perr(p, bits->line, s->title, "bits",
		     "give either size or bits, not both");
		return;
	}
	if (!size && !bits) {
		perr(p, s->line, s->title, "size", "missing (or bits = OFFSET:COUNT)");
		return;
	}
	if (size) {
		if (get_num(p, s, size, true, 1024 * 1024, &v)) {
			if (!v)
				perr(p, size->line, s->title, "size",
				     "must be greater than 0");
			c->size = v;
		}
	} else {
		unsigned long long bo, bc;
		char *end;

		errno = 0;
		bo = strtoull(bits->value, &end, 10);
		if (!isdigit((unsigned char)bits->value[0]) || *end != ':' ||
		    !isdigit((unsigned char)end[1]) || errno) {
			perr(p, bits->line, s->title, "bits",
			     "'%s' is not BIT_OFFSET:COUNT", bits->value);
			return;
		}
		bc = strtoull(end + 1, &end, 10);
		if (*end || errno || bc < 1 || bc > 64 || bo > 1024 * 1024 * 8) {
			perr(p, bits->line, s->title, "bits",
			     "'%s' is not BIT_OFFSET:COUNT with COUNT 1..64",
			     bits->value);
			return;
		}
		/* Bit offsets past the first byte move the byte offset. */
		c->offset += bo / 8;
		c->bit_offset = bo % 8;
		c->nbits = bc;
		c->size = (c->bit_offset + c->nbits + 7) / 8;
	}
	if (c->size && format_check_size(c->format,
					 c->nbits ? (c->nbits + 7) / 8 : c->size) < 0) {
		k = find_key(s, "format");
		perr(p, k ? k->line : s->line, s->title, "format",
		     "%s does not fit a cell of %u %s", format_name(c->format),
		     c->nbits ? c->nbits : c->size, c->nbits ? "bits" : "bytes");
	}
}

static void free_cell(struct config_cell *c)
{
	free(c->device);	/* c->name lives in the same allocation */
}

void config_free(struct config *cfg)
{
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->ndevices; i++) {
		struct config_device *d = &cfg->devices[i];

		for (j = 0; j < d->ncells; j++)
			free_cell(&d->cells[j]);
		free(d->cells);
		free(d->name);
		free(d->path);
		free(d->adapter);
		free(d->usb_serial);
		free(d->chip);
		free(d->kernel_name);
		free(d->emulate);
		free(d->keys);
	}
	free(cfg->devices);
	free(cfg->path);
	free(cfg);
}

struct config *config_new_default(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg)
		cfg->kernel_devices = true;
	return cfg;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct config_cell *x = *(const struct config_cell *const *)a;
	const struct config_cell *y = *(const struct config_cell *const *)b;
	uint64_t xs = x->offset * 8 + x->bit_offset;
	uint64_t ys = y->offset * 8 + y->bit_offset;

	return xs < ys ? -1 : xs > ys;
}

static uint64_t cell_end_bit(const struct config_cell *c)
{
	return c->offset * 8 + c->bit_offset +
	       (c->nbits ? c->nbits : (uint64_t)c->size * 8);
}

/* Overlaps (by bits, so disjoint fields in one byte are fine) and cells
 * beyond an explicit device size. */
static void check_cells(struct parser *p, struct config_device *d)
{
	struct config_cell **sorted;
	char title[CONFIG_NAME_MAX * 2 + 8];
	size_t i;

	if (!d->ncells)
		return;
	sorted = malloc(d->ncells * sizeof(*sorted));
	if (!sorted) {
		p->errors++;
		return;
	}
	for (i = 0; i < d->ncells; i++)
		sorted[i] = &d->cells[i];
	qsort(sorted, d->ncells, sizeof(*sorted), cell_cmp);
	for (i = 0; i < d->ncells; i++) {
		struct config_cell *c = sorted[i];

		snprintf(title, sizeof(title), "cell %s/%s", c->device, c->name);
		if (i && cell_end_bit(sorted[i - 1]) > c->offset * 8 + c->bit_offset) {
			const struct config_cell *o = sorted[i - 1];
			const struct config_cell *later = o->line > c->line ? o : c;
			const struct config_cell *earlier = later == c ? o : c;

			snprintf(title, sizeof(title), "cell %s/%s",
				 later->device, later->name);
			perr(p, config_cell_line(later, "offset"), title, "offset",
			     "overlaps cell '%s' (line %d)", earlier->name,
			     earlier->line);
		}
		if (d->size && (c->offset > d->size ||
				c->size > d->size - c->offset))
			perr(p, config_cell_line(c, "offset"), title, "offset",
			     "cell (0x%llx + %u bytes) does not fit in the device (size = %llu)",
			     (unsigned long long)c->offset, c->size,
			     (unsigned long long)d->size);
	}
	free(sorted);
}

/*
 * The cells attached so far, by device and name: finding a cell given
 * twice must not cost a scan of every earlier cell when a device has
 * thousands of them. Open addressing; the table never fills (it has
 * twice as many slots as there are cells).
 */
struct cell_set {
	struct cell_set_slot {
		const struct config_cell *cell;
		size_t device;
	} *slots;
	size_t mask;
};

static size_t cell_set_hash(size_t device, const char *name)
{
	return util_hash_str(UTIL_HASH_INIT ^ device, name);
}

static const struct config_cell *cell_seen(const struct cell_set *set,
					   size_t device, const char *name)
{
	size_t h;

	if (!set->slots)
		return NULL;
	for (h = cell_set_hash(device, name) & set->mask; set->slots[h].cell;
	     h = (h + 1) & set->mask)
		if (set->slots[h].device == device &&
		    !strcmp(set->slots[h].cell->name, name))
			return set->slots[h].cell;
	return NULL;
}

static void cell_remember(struct cell_set *set, size_t device,
			  const struct config_cell *cell)
{
	size_t h;

	if (!set->slots)
		return;
	for (h = cell_set_hash(device, cell->name) & set->mask;
	     set->slots[h].cell; h = (h + 1) & set->mask)
		;
	set->slots[h].cell = cell;
	set->slots[h].device = device;
}

/* Index of the device named @name, the last one if given twice. */
static ssize_t find_device(const struct config *cfg, const char *name)
{
	ssize_t i;

	for (i = (ssize_t)cfg->ndevices - 1; i >= 0; i--)
		if (!strcmp(cfg->devices[i].name, name))
			return i;
	return -1;
}

static int interpret(struct parser *p, struct config *cfg)
{
	struct raw_section *s;
	size_t i, j, ncells = 0, nglobal = 0;
	struct config_cell *cells;
	int global_line = 0;
	struct cell_set seen = { 0 };
	size_t *want;

	for (i = 0; i < p->nsections; i++) {
		s = &p->sections[i];
		if (s->kind == RAW_DEVICE)
			cfg->ndevices++;
		else if (s->kind == RAW_CELL)
			ncells++;
	}
	cfg->devices = calloc(cfg->ndevices ? cfg->ndevices : 1,
			      sizeof(*cfg->devices));
	cells = calloc(ncells ? ncells : 1, sizeof(*cells));
	if (!cfg->devices || !cells) {
		free(cells);
		return -ENOMEM;
	}

	cfg->ndevices = 0;
	ncells = 0;
	for (i = 0; i < p->nsections; i++) {
		s = &p->sections[i];
		switch (s->kind) {
		case RAW_GLOBAL:
			if (nglobal++) {
				perr(p, s->line, s->title, NULL,
				     "section given twice (first at line %d)",
				     global_line);
				break;
			}
			global_line = s->line;
			for (j = 0; j < s->nkeys; j++) {
				const struct raw_key *k = &s->keys[j];
				bool b;

				if (strcmp(k->key, "kernel-devices"))
					perr(p, k->line, s->title, k->key, "unknown key");
				else if (!parse_bool(k->value, &b))
					perr(p, k->line, s->title, k->key,
					     "'%s' is not yes or no", k->value);
				else
					cfg->kernel_devices = b;
			}
			break;
		case RAW_DEVICE:
			for (j = 0; j < cfg->ndevices; j++) {
				if (!strcmp(cfg->devices[j].name, s->name)) {
					perr(p, s->line, s->title, NULL,
					     "device '%s' given twice (first at line %d)",
					     s->name, cfg->devices[j].line);
					break;
				}
			}
			if (j < cfg->ndevices)
				break;
			parse_device(p, s, &cfg->devices[cfg->ndevices++]);
			break;
		case RAW_CELL:
			parse_cell(p, s, &cells[ncells++]);
			break;
		default:
			perr(p, s->line, s->title, NULL,
			     "unknown section (expected [nvmemfs], [device NAME] or [cell DEVICE/CELL])");
			break;
		}
	}

	/* Attach cells to their devices (in file order), into arrays sized
	 * once: growing them cell by cell fragments the heap of a daemon
	 * that keeps them for its whole life. */
	want = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*want));
	if (!want) {
		for (i = 0; i < ncells; i++)
			free_cell(&cells[i]);
		free(cells);
		return -ENOMEM;
	}
	for (i = 0; i < ncells; i++) {
		ssize_t d = cells[i].device ?
			find_device(cfg, cells[i].device) : -1;

		if (d >= 0)
			want[d]++;
	}
	for (i = 0; i < cfg->ndevices; i++) {
		if (!want[i])
			continue;
		cfg->devices[i].cells = calloc(want[i],
					       sizeof(*cfg->devices[i].cells));
		if (!cfg->devices[i].cells)
			p->errors++;
	}
	free(want);
	/* Sized for every cell; a failure only costs the duplicate check's
	 * speed (cell_seen then finds nothing), so count it as an error. */
	for (seen.mask = 15; seen.mask < ncells * 2; seen.mask = seen.mask * 2 + 1)
		;
	seen.slots = calloc(seen.mask + 1, sizeof(*seen.slots));
	if (!seen.slots)
		p->errors++;
	for (i = 0; i < ncells; i++) {
		struct config_cell *c = &cells[i];
		const struct config_cell *first;
		struct config_device *d;
		char title[CONFIG_NAME_MAX * 2 + 8];
		ssize_t di;

		if (!c->device) {	/* out of memory, reported */
			free_cell(c);
			continue;
		}
		di = find_device(cfg, c->device);
		snprintf(title, sizeof(title), "cell %s/%s", c->device, c->name);
		if (di < 0) {
			perr(p, c->line, title, NULL, "no [device %s] section",
			     c->device);
			free_cell(c);
			continue;
		}
		d = &cfg->devices[di];
		if (!d->cells) {	/* out of memory, counted above */
			free_cell(c);
			continue;
		}
		first = cell_seen(&seen, di, c->name);
		if (first) {
			perr(p, c->line, title, NULL,
			     "cell given twice (first at line %d)",
			     first->line);
			free_cell(c);
			continue;
		}
		check_mode_writable(p, config_cell_line(c, "mode"), title,
				    &c->perm, c->read_only ?
				    "the cell is read-only" :
				    d->read_only == 1 ?
				    "its device is read-only" : NULL);
		d->cells[d->ncells] = *c;
		cell_remember(&seen, di, &d->cells[d->ncells++]);
	}
	free(seen.slots);
	free(cells);

	for (i = 0; i < cfg->ndevices; i++)
		check_cells(p, &cfg->devices[i]);
	return 0;
}

static void parser_free(struct parser *p)
{
	size_t i, j;

	for (i = 0; i < p->nsections; i++) {
		struct raw_section *s = &p->sections[i];

		for (j = 0; j < s->nkeys; j++) {
			free(s->keys[j].key);
			free(s->keys[j].value);
		}
		free(s->keys);
		free(s->title);
		free(s->name);
	}
	free(p->sections);
}

int config_load_string(const char *text, size_t len, const char *path,
		       struct config **out)
{
	struct parser p = { .path = path, .text = text, .len = len };
	struct config *cfg;
	int ret;

	*out = NULL;
	cfg = config_new_default();
	if (!cfg)
		return -ENOMEM;
	cfg->path = strdup(path);

	ret = ini_parse_stream(config_reader, &p, config_handler, &p);
	if (ret > 0 && !p.errors) {
		/* inih's own complaint: a line that is neither a section
		 * nor key = value. */
		perr(&p, ret, NULL, NULL,
		     "expected [section] or key = value");
	} else if (ret < 0) {
		p.errors++;
	}
	if (interpret(&p, cfg) < 0)
		p.errors++;
	parser_free(&p);
	if (p.errors) {
		config_free(cfg);
		return -EINVAL;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, struct config **out)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		log_err("%s: cannot read the configuration: %s", path,
			strerror(errno));
		return ret;
	}
	for (;;) {
		size_t n;

		if (len + 4096 > cap) {
			char *grown = realloc(text, cap = cap * 2 + 8192);

			if (!grown) {
				fclose(f);
				free(text);
				return -ENOMEM;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (ret == 0)
		ret = config_load_string(text, len, path, out);
	else
		log_err("%s: read error", path);
	free(text);
	return ret;
}

const struct config_device *config_find_device(const struct config *cfg,
					       const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ndevices; i++)
		if (!strcmp(cfg->devices[i].name, name))
			return &cfg->devices[i];
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

int config_cell_line(const struct config_cell *cell, const char *key)
{
	int ki = cell_key_index(key);

	return ki >= 0 && cell->key_lines[ki] ? cell->key_lines[ki] :
						  cell->line;
}
