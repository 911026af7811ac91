// SPDX-License-Identifier: MIT
/*
 * Configuration, pass 1: libinih splits the text into sections and
 * key = value pairs. Our line reader counts lines (Debian's inih does not
 * pass line numbers to the handler), records every section header with
 * its full name (inih truncates long ones), strips "# comment" tails
 * after a value (inih only knows ';') and leading blanks (so an indented
 * key is a key, not a multi-line continuation).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "base/log.h"
#include "config_parse.h"

void config_vreport(const char *path, int line, const char *section,
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

void config_perr(struct parser *p, int line, const char *section,
		 const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_vreport(p->path, line, section, key, fmt, ap);
	va_end(ap);
	p->errors++;
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
		config_perr(p, p->line, NULL, NULL, "line longer than %d characters",
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
		config_perr(p, p->line, NULL, key, "key outside of any section");
		return 1;
	}
	for (i = 0; i < s->nkeys; i++) {
		if (!strcmp(s->keys[i].key, key)) {
			config_perr(p, p->line, s->title, key,
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

void config_parser_free(struct parser *p)
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

const struct raw_key *config_find_key(const struct raw_section *s,
				      const char *key)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, key))
			return &s->keys[i];
	return NULL;
}

/* ---- values ---- */

bool config_parse_bool(const char *v, bool *out)
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
bool config_parse_u64(const char *v, bool suffix, uint64_t *out)
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

bool config_valid_name(const char *n)
{
	const unsigned char *c;

	if (!*n || *n == '.' || strlen(n) > CONFIG_NAME_MAX)
		return false;
	for (c = (const unsigned char *)n; *c; c++)
		if (*c == '/' || isspace(*c) || iscntrl(*c))
			return false;
	return true;
}

void config_read(struct parser *p)
{
	int ret = ini_parse_stream(config_reader, p, config_handler, p);

	if (ret > 0 && !p->errors) {
		/* inih's own complaint: a line that is neither a section
		 * nor key = value. */
		config_perr(p, ret, NULL, NULL,
			    "expected [section] or key = value");
	} else if (ret < 0) {
		p->errors++;
	}
}
