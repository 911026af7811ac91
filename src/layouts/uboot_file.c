// SPDX-License-Identifier: MIT
/*
 * <device>/environment: the whole U-Boot environment as one file. It
 * reads as fw_printenv prints it; what is written to it (stored whole at
 * close, fs/value.c) replaces every variable in one store, as
 * fw_setenv -s does, so that with a redundant environment a change of
 * several variables survives a power cut whole or not at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/nvmem.h"
#include "layout_priv.h"

static int uboot_by_name(const void *a, const void *b, void *env)
{
	return strcmp(uboot_env_name(env, *(const size_t *)a),
		      uboot_env_name(env, *(const size_t *)b));
}

/* The environment file's raw value: "name=value" lines sorted by name,
 * as fw_printenv prints them (the text format adds the last newline). */
ssize_t uboot_file_read(struct nvmem_device *dev,
			       const struct nvmem_cell *cell, uint8_t *buf,
			       size_t size)
{
	struct uboot_env *env;
	size_t i, k, pos = 0, n, v, *order;
	ssize_t ret;

	ret = uboot_load_locked(dev, cell->priv, &env);
	if (ret < 0)
		return ret;
	order = malloc((uboot_env_count(env) + 1) * sizeof(*order));
	if (!order) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < uboot_env_count(env); i++)
		order[i] = i;
	qsort_r(order, uboot_env_count(env), sizeof(*order), uboot_by_name,
		env);
	for (k = 0; k < uboot_env_count(env); k++) {
		i = order[k];
		n = strlen(uboot_env_name(env, i));
		v = strlen(uboot_env_value(env, i));
		if (pos + (k > 0) + n + 1 + v > size) {
			ret = -ENOSPC;	/* cannot be: it fits in the copy */
			goto out;
		}
		if (k > 0)
			buf[pos++] = '\n';
		memcpy(buf + pos, uboot_env_name(env, i), n);
		buf[pos + n] = '=';
		memcpy(buf + pos + n + 1, uboot_env_value(env, i), v);
		pos += n + 1 + v;
	}
	ret = pos;
out:
	free(order);
	uboot_env_free(env);
	return ret;
}

static bool uboot_script_has(const struct uboot_script *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return true;
	return false;
}

/* Every variable the script does not name goes; the rest is set, in the
 * script's order (a name given twice: the last value). */
static int uboot_edit_replace(struct uboot_env *env, const void *arg)
{
	const struct uboot_script *s = arg;
	char *name;
	size_t i;
	int ret;

	for (i = uboot_env_count(env); i-- > 0;) {
		if (uboot_script_has(s, uboot_env_name(env, i)))
			continue;
		name = strdup(uboot_env_name(env, i));
		if (!name)
			return -ENOMEM;
		ret = uboot_env_unset(env, name);
		free(name);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < s->n; i++) {
		ret = uboot_env_set(env, s->name[i], s->value[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int uboot_script_parse(struct uboot_script *s, const uint8_t *raw,
		       size_t len)
{
	char *line, *next, *eq;
	size_t lines = 1, i;

	if (memchr(raw, '\0', len))
		return -EINVAL;
	s->text = strndup((const char *)raw, len);
	if (!s->text)
		return -ENOMEM;
	for (i = 0; i < len; i++)
		lines += raw[i] == '\n';
	s->name = calloc(lines, sizeof(*s->name));
	s->value = calloc(lines, sizeof(*s->value));
	if (!s->name || !s->value)
		return -ENOMEM;
	for (line = s->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq || eq == line)
			return -EINVAL;
		*eq = '\0';
		s->name[s->n] = line;
		s->value[s->n++] = eq + 1;
	}
	return 0;
}

void uboot_script_free(struct uboot_script *s)
{
	free(s->text);
	free(s->name);
	free(s->value);
	memset(s, 0, sizeof(*s));
}

int uboot_file_write(struct nvmem_device *dev,
			    const struct nvmem_cell *cell, const uint8_t *raw,
			    size_t len)
{
	struct uboot_script s = { 0 };
	int ret;

	ret = uboot_script_parse(&s, raw, len);
	if (ret == 0)
		ret = uboot_edit(dev, cell->priv, uboot_edit_replace, &s);
	uboot_script_free(&s);
	return ret;
}
