/* SPDX-License-Identifier: MIT */
/*
 * Private to the configuration module (config.c has the overview): what
 * the passes share. Pass 1 (config_read.c) turns the text into raw
 * sections of key = value pairs with their lines; pass 2 interprets them
 * through the key tables (config_keys.c, config_cell.c) and checks the result as a whole
 * (config_check.c).
 */
#ifndef NVMEMFS_CONFIG_PARSE_H
#define NVMEMFS_CONFIG_PARSE_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"

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
	struct strpool *names;	/* the configuration's, for cell names */
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

/* Report FILE:LINE: [SECTION] KEY: message and count it as an error. */
void config_perr(struct parser *p, int line, const char *section,
		 const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void config_vreport(const char *path, int line, const char *section,
		    const char *key, const char *fmt, va_list ap);

/* Pass 1 over p->text; errors are counted in p->errors. */
void config_read(struct parser *p);
void config_parser_free(struct parser *p);
const struct raw_key *config_find_key(const struct raw_section *s,
				      const char *key);

/* Values: yes/no and the like; decimal or 0x hex, with @suffix K and M
 * (KiB, MiB), no sign, no octal surprise ("010" is ten), no trailing
 * junk; device and cell names, which become file names. */
bool config_parse_bool(const char *v, bool *out);
bool config_parse_u64(const char *v, bool suffix, uint64_t *out);
bool config_valid_name(const char *n);

/* Pass 2, one section at a time (config_keys.c, config_cell.c). */
void config_parse_device(struct parser *p, const struct raw_section *s,
			 struct config_device *d);
void config_parse_cell(struct parser *p, const struct raw_section *s,
		       struct config_cell *c);
int config_cell_key_index(const char *key);

/* Checks of a device with its cells attached (config_check.c). */
void config_check_device(struct parser *p, struct config_device *d);

#endif
