/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_config.c - edit a parsed config.json tree (oci-spec/json.h) and
 * write it back as text (compare.h).  The writer keeps every member and
 * number exactly as parsed, so the copy differs from the user's config only
 * where compare changes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "compare.h"

struct json_value *compare_json_new_string(const char *s)
{
	struct json_value *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->type = JSON_STRING;
	v->u.string.ptr = strdup(s);
	v->u.string.len = strlen(s);
	if (v->u.string.ptr == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

struct json_value *compare_json_new_bool(bool b)
{
	struct json_value *v = calloc(1, sizeof(*v));
	if (v != NULL) {
		v->type = JSON_BOOL;
		v->u.boolean = b;
	}
	return v;
}

struct json_value *compare_json_new_strv(char *const *sv)
{
	size_t n = 0;
	while (sv[n] != NULL)
		n++;
	struct json_value *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return NULL;
	v->type = JSON_ARRAY;
	v->u.array.items = calloc(n + 1, sizeof(struct json_value *));
	if (v->u.array.items == NULL) {
		free(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if ((v->u.array.items[i] = compare_json_new_string(sv[i])) == NULL) {
			json_free(v);
			return NULL;
		}
		v->u.array.len++;
	}
	return v;
}

int compare_config_set(struct json_value *obj, const char *key, struct json_value *v, strata_error_t *err)
{
	if (v == NULL)
		return strata_error_errno(err, ENOMEM, "set `%s`", key);
	if (obj->type != JSON_OBJECT) {
		json_free(v);
		return strata_error_set(err, EINVAL, "set `%s`: not an object", key);
	}
	for (size_t i = obj->u.object.len; i-- > 0;) {
		if (strcmp(obj->u.object.keys[i], key) == 0) {
			json_free(obj->u.object.values[i]);
			obj->u.object.values[i] = v;
			return 0;
		}
	}
	size_t n = obj->u.object.len;
	char **nk = reallocarray(obj->u.object.keys, n + 1, sizeof(char *));
	if (nk != NULL)
		obj->u.object.keys = nk;
	struct json_value **nv = reallocarray(obj->u.object.values, n + 1, sizeof(void *));
	if (nv != NULL)
		obj->u.object.values = nv;
	char *k = strdup(key);
	if (nk == NULL || nv == NULL || k == NULL) {
		free(k);
		json_free(v);
		return strata_error_errno(err, ENOMEM, "set `%s`", key);
	}
	obj->u.object.keys[n] = k;
	obj->u.object.values[n] = v;
	obj->u.object.len = n + 1;
	return 0;
}

/* Write len bytes of s as a JSON string literal. */
static void json_string_len(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\t' ? "\\t"
				: c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
		if (esc != NULL)
			fputs(esc, f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void compare_json_string(FILE *f, const char *s)
{
	json_string_len(f, s, strlen(s));
}

static void write_value(FILE *f, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_BOOL:
		fputs(v->u.boolean ? "true" : "false", f);
		break;
	case JSON_NUMBER:
		fputs(v->u.number, f);
		break;
	case JSON_STRING:
		json_string_len(f, v->u.string.ptr, v->u.string.len);
		break;
	case JSON_ARRAY:
		fputc('[', f);
		for (size_t i = 0; i < v->u.array.len; i++) {
			if (i)
				fputc(',', f);
			write_value(f, v->u.array.items[i]);
		}
		fputc(']', f);
		break;
	case JSON_OBJECT:
		fputc('{', f);
		for (size_t i = 0; i < v->u.object.len; i++) {
			if (i)
				fputc(',', f);
			compare_json_string(f, v->u.object.keys[i]);
			fputc(':', f);
			write_value(f, v->u.object.values[i]);
		}
		fputc('}', f);
		break;
	}
}

char *compare_json_serialize(const struct json_value *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	write_value(f, v);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
