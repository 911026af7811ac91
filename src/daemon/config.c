// SPDX-License-Identifier: MIT
/*
 * The configuration file, in two passes:
 *  1. config_read.c: libinih splits the text into sections and
 *     key = value pairs, each with its line;
 *  2. here, once the whole file is read: every section is interpreted
 *     through the key tables of config_keys.c (a [cell] may come before
 *     its [device], and a key's validity depends on the provider), cells
 *     are attached to their devices, and each device is checked as a
 *     whole (config_check.c).
 * All errors are reported, each as one line FILE:LINE: [SECTION] KEY: ...,
 * and any error fails the load: nothing half-configured is returned.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "config_parse.h"

void config_error(const struct config *cfg, int line, const char *section,
		  const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_vreport(cfg->path ? cfg->path : "(built-in)", line, section,
		       key, fmt, ap);
	va_end(ap);
}

/* The names are the pool's. */
static void free_cell(struct config_cell *c)
{
	free(c->mac_base);
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
		free(d->wp_gpio);
		free(d->wp_gpio_active);
		free(d->env_lock);
		free(d->keys);
	}
	free(cfg->devices);
	strpool_free(&cfg->names);
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

/* Cells are told apart by device and name. */
static uint64_t cell_hash(const struct config_cell *c)
{
	return util_hash_str(util_hash_str(UTIL_HASH_INIT, c->device), c->name);
}

/* An earlier cell of @cells[0..@n) with @c's device and name, or NULL:
 * finding a cell given twice must not cost a scan of every earlier cell
 * when a device has thousands of them. */
static const struct config_cell *cell_seen(const struct util_index *seen,
					   const struct config_cell *cells,
					   const struct config_cell *c)
{
	size_t pos;
	long i;

	for (i = util_index_first(seen, cell_hash(c), &pos); i >= 0;
	     i = util_index_next(seen, &pos))
		if (!strcmp(cells[i].device, c->device) &&
		    !strcmp(cells[i].name, c->name))
			return &cells[i];
	return NULL;
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

/* [nvmemfs]: settings of the daemon as a whole. */
static void interpret_global(struct parser *p, const struct raw_section *s,
			     struct config *cfg)
{
	size_t j;
	bool b;

	for (j = 0; j < s->nkeys; j++) {
		const struct raw_key *k = &s->keys[j];

		if (strcmp(k->key, "kernel-devices"))
			config_perr(p, k->line, s->title, k->key, "unknown key");
		else if (!config_parse_bool(k->value, &b))
			config_perr(p, k->line, s->title, k->key,
				    "'%s' is not yes or no", k->value);
		else
			cfg->kernel_devices = b;
	}
}

/* Every section in file order; [cell]s into @cells, to be attached once
 * all devices are known. */
static void interpret_sections(struct parser *p, struct config *cfg,
			       struct config_cell *cells, size_t *ncells)
{
	const struct raw_section *global = NULL, *s;
	size_t i, j;

	for (i = 0; i < p->nsections; i++) {
		s = &p->sections[i];
		switch (s->kind) {
		case RAW_GLOBAL:
			if (global) {
				config_perr(p, s->line, s->title, NULL,
					    "section given twice (first at line %d)",
					    global->line);
				break;
			}
			global = s;
			interpret_global(p, s, cfg);
			break;
		case RAW_DEVICE:
			for (j = 0; j < cfg->ndevices; j++)
				if (!strcmp(cfg->devices[j].name, s->name))
					break;
			if (j < cfg->ndevices) {
				config_perr(p, s->line, s->title, NULL,
					    "device '%s' given twice (first at line %d)",
					    s->name, cfg->devices[j].line);
				break;
			}
			config_parse_device(p, s, &cfg->devices[cfg->ndevices++]);
			break;
		case RAW_CELL:
			config_parse_cell(p, s, &cells[(*ncells)++]);
			break;
		default:
			config_perr(p, s->line, s->title, NULL,
				    "unknown section (expected [nvmemfs], [device NAME] or [cell DEVICE/CELL])");
			break;
		}
	}
}

/* Give each device an array for exactly its cells, sized once: growing
 * them cell by cell fragments the heap of a daemon that keeps them for
 * its whole life. */
static int size_cell_arrays(struct parser *p, struct config *cfg,
			    const struct config_cell *cells, size_t ncells)
{
	size_t *want, i;

	want = calloc(cfg->ndevices ? cfg->ndevices : 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
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
	return 0;
}

/* Attach @cells to their devices, in file order; each is taken or freed. */
static void attach_cells(struct parser *p, struct config *cfg,
			 struct config_cell *cells, size_t ncells)
{
	char title[CONFIG_NAME_MAX * 2 + 8];
	struct util_index seen;
	size_t i;

	/* Sized for every cell; without it the duplicate check would find
	 * nothing, so that counts as an error. */
	if (util_index_init(&seen, ncells) < 0)
		p->errors++;
	for (i = 0; i < ncells; i++) {
		struct config_cell *c = &cells[i];
		const struct config_cell *first;
		struct config_device *d;
		ssize_t di;

		if (!c->device) {	/* out of memory, reported */
			free_cell(c);
			continue;
		}
		di = find_device(cfg, c->device);
		snprintf(title, sizeof(title), "cell %s/%s", c->device, c->name);
		if (di < 0) {
			config_perr(p, c->line, title, NULL, "no [device %s] section",
				    c->device);
			free_cell(c);
			continue;
		}
		d = &cfg->devices[di];
		first = d->cells ? cell_seen(&seen, cells, c) : NULL;
		if (first)
			config_perr(p, c->line, title, NULL,
				    "cell given twice (first at line %d)",
				    first->line);
		if (first || !d->cells) {	/* no array: counted */
			free_cell(c);
			continue;
		}
		d->cells[d->ncells++] = *c;
		if (seen.slots)
			util_index_add(&seen, cell_hash(c), i);
	}
	util_index_free(&seen);
}

static int interpret(struct parser *p, struct config *cfg)
{
	struct config_cell *cells;
	size_t i, ndevices = 0, ncells = 0;

	for (i = 0; i < p->nsections; i++) {
		if (p->sections[i].kind == RAW_DEVICE)
			ndevices++;
		else if (p->sections[i].kind == RAW_CELL)
			ncells++;
	}
	cfg->devices = calloc(ndevices ? ndevices : 1, sizeof(*cfg->devices));
	cells = calloc(ncells ? ncells : 1, sizeof(*cells));
	if (!cfg->devices || !cells) {
		free(cells);
		return -ENOMEM;
	}
	ncells = 0;
	interpret_sections(p, cfg, cells, &ncells);
	if (size_cell_arrays(p, cfg, cells, ncells) < 0) {
		for (i = 0; i < ncells; i++)
			free_cell(&cells[i]);
		free(cells);
		return -ENOMEM;
	}
	attach_cells(p, cfg, cells, ncells);
	free(cells);
	for (i = 0; i < cfg->ndevices; i++)
		config_check_device(p, &cfg->devices[i]);
	return 0;
}

int config_load_string(const char *text, size_t len, const char *path,
		       struct config **out)
{
	struct parser p = { .path = path, .text = text, .len = len };
	struct config *cfg;

	*out = NULL;
	cfg = config_new_default();
	if (!cfg)
		return -ENOMEM;
	p.names = &cfg->names;
	cfg->path = strdup(path);

	config_read(&p);
	if (interpret(&p, cfg) < 0)
		p.errors++;
	config_parser_free(&p);
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
