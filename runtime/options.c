/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - runc-style flag parsing (see options.h).
 */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_spec *find_spec(const struct opt_spec *specs, const char *name, size_t len)
{
	for (const struct opt_spec *s = specs; s->name != NULL; s++) {
		if (len == 1 && s->short_name != 0 && name[0] == s->short_name)
			return s;
		if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
			return s;
	}
	return NULL;
}

static int set_value(const struct opt_spec *s, const char *value, strata_error_t *err)
{
	switch (s->kind) {
	case OPT_BOOL:
		if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			*(bool *)s->dest = true;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			*(bool *)s->dest = false;
		else
			return strata_error_set(err, EINVAL, "invalid boolean value `%s` for flag -%s", value, s->name);
		return 0;
	case OPT_STRING:
		*(const char **)s->dest = value;
		return 0;
	case OPT_INT: {
		char *end = NULL;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno != 0 || *value == '\0' || *end != '\0' || v < 0 || v > INT_MAX)
			return strata_error_set(err, EINVAL, "invalid value `%s` for flag -%s", value, s->name);
		*(int *)s->dest = (int)v;
		return 0;
	}
	case OPT_STRV: {
		struct opt_strv *sv = s->dest;
		const char **nv = realloc(sv->v, (size_t)(sv->n + 2) * sizeof(char *));
		if (nv == NULL)
			return strata_error_errno(err, ENOMEM, "flag -%s", s->name);
		sv->v = nv;
		sv->v[sv->n++] = value;
		sv->v[sv->n] = NULL;
		return 0;
	}
	}
	return 0;
}

int opts_parse(const struct opt_spec *specs, int argc, char **argv, int *first_arg, strata_error_t *err)
{
	int i = 1;
	while (i < argc) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		const char *name = a + 1;
		if (*name == '-')
			name++;
		const char *eq = strchr(name, '=');
		size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		const struct opt_spec *s = find_spec(specs, name, len);
		if (s == NULL)
			return strata_error_set(err, EINVAL, "flag provided but not defined: -%.*s", (int)len, name);
		const char *value = eq != NULL ? eq + 1 : NULL;
		if (value == NULL && s->kind != OPT_BOOL) {
			if (i + 1 >= argc)
				return strata_error_set(err, EINVAL, "flag needs an argument: -%s", s->name);
			value = argv[++i];
		}
		if (set_value(s, value, err) < 0)
			return -1;
		i++;
	}
	*first_arg = i;
	return 0;
}

const char *opts_one_id(const char *cmd, int argc, char **argv, int first, strata_error_t *err)
{
	if (argc - first != 1) {
		strata_error_set(err, EINVAL, "\"%s\" requires exactly 1 argument(s)", cmd);
		return NULL;
	}
	return argv[first];
}

void opts_strv_free(struct opt_strv *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
