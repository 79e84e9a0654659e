/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.c - typed, validating field extraction with JSON-path errors (decode.h).
 */
#include "decode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

/* Append the rendering of p (root first) to f. */
static void path_render(FILE *f, const struct dec_path *p)
{
	if (p == NULL || p->kind == DEC_ROOT)
		return;
	path_render(f, p->parent);
	switch (p->kind) {
	case DEC_KEY:
		fprintf(f, ".%s", p->key);
		break;
	case DEC_INDEX:
		fprintf(f, "[%zu]", p->index);
		break;
	case DEC_MAPKEY: {
		struct json_value kv = { .type = JSON_STRING };
		char buf[128];
		kv.u.string.ptr = (char *)p->key;
		kv.u.string.len = strlen(p->key);
		fprintf(f, "[%s]", json_describe(&kv, buf, sizeof(buf)));
		break;
	}
	default:
		break;
	}
}

int dec_oom(struct dec *d)
{
	return strata_error_set(d->err, ENOMEM, "%s: out of memory", d->name);
}

int dec_fail(struct dec *d, const struct dec_path *p, const char *fmt, ...)
{
	_cleanup_free_ char *path = NULL;
	size_t path_len = 0;
	FILE *f = open_memstream(&path, &path_len);
	if (f == NULL)
		return dec_oom(d);
	path_render(f, p);
	if (fclose(f) != 0 || path == NULL)
		return dec_oom(d);

	_cleanup_free_ char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0) {
		what = NULL;
		return dec_oom(d);
	}
	if (path[0] == '\0')
		return strata_error_set(d->err, EINVAL, "%s: %s", d->name, what);
	return strata_error_set(d->err, EINVAL, "%s: %s: %s", d->name, path, what);
}

int dec_expected(struct dec *d, const struct dec_path *p, const char *what, const struct json_value *v)
{
	char buf[128];
	return dec_fail(d, p, "expected %s, got %s", what, json_describe(v, buf, sizeof(buf)));
}

int dec_field(struct dec *d, const struct dec_path *parent, const struct json_value *obj, const char *key,
	      bool required, const char *what, const struct json_value **v)
{
	*v = NULL;
	const struct json_value *m = json_object_get(obj, key);
	struct dec_path p = DEC_PATH_KEY(parent, key);
	if (m == NULL) {
		if (required)
			return dec_fail(d, &p, "required field is missing");
		return 0;
	}
	if (m->type == JSON_NULL) {
		if (required)
			return dec_expected(d, &p, what, m);
		return 0;
	}
	*v = m;
	return 1;
}

int dec_object(struct dec *d, const struct dec_path *p, const struct json_value *v)
{
	if (v->type != JSON_OBJECT)
		return dec_expected(d, p, "an object", v);
	return 0;
}

int dec_string(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out)
{
	if (v->type != JSON_STRING)
		return dec_expected(d, p, "a string", v);
	/* A C consumer would silently cut the string at the NUL (a path
	 * "/etc\u0000/../x" must not become "/etc"). */
	if (strlen(v->u.string.ptr) != v->u.string.len)
		return dec_fail(d, p, "string contains a NUL character");
	char *s = strdup(v->u.string.ptr);
	if (s == NULL)
		return dec_oom(d);
	*out = s;
	return 0;
}

int dec_abs_path(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out)
{
	if (v->type != JSON_STRING)
		return dec_expected(d, p, "an absolute path", v);
	if (v->u.string.ptr[0] != '/')
		return dec_expected(d, p, "an absolute path", v);
	return dec_string(d, p, v, out);
}

int dec_bool(struct dec *d, const struct dec_path *p, const struct json_value *v, bool *out)
{
	if (v->type != JSON_BOOL)
		return dec_expected(d, p, "a boolean", v);
	*out = v->u.boolean;
	return 0;
}

/* Is the raw number text an integer (no fraction, no exponent)? */
static bool is_integer_text(const char *s)
{
	return strpbrk(s, ".eE") == NULL;
}

static int range_error(struct dec *d, const struct dec_path *p, const struct json_value *v, const char *min,
		       const char *max)
{
	char buf[128];
	return dec_fail(d, p, "expected an integer between %s and %s, got %s", min, max,
			json_describe(v, buf, sizeof(buf)));
}

int dec_int(struct dec *d, const struct dec_path *p, const struct json_value *v, int64_t min, int64_t max,
	    int64_t *out)
{
	if (v->type != JSON_NUMBER || !is_integer_text(v->u.number))
		return dec_expected(d, p, "an integer", v);
	errno = 0;
	char *end = NULL;
	long long n = strtoll(v->u.number, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		char mins[24], maxs[24];
		snprintf(mins, sizeof(mins), "%" PRId64, min);
		snprintf(maxs, sizeof(maxs), "%" PRId64, max);
		return range_error(d, p, v, mins, maxs);
	}
	*out = n;
	return 0;
}

int dec_uint(struct dec *d, const struct dec_path *p, const struct json_value *v, uint64_t max, uint64_t *out)
{
	if (v->type != JSON_NUMBER || !is_integer_text(v->u.number))
		return dec_expected(d, p, "an integer", v);
	char maxs[24];
	/* strtoull accepts "-1" as a huge value: check the sign first. */
	if (v->u.number[0] == '-') {
		if (strspn(v->u.number + 1, "0") == strlen(v->u.number + 1)) {
			*out = 0; /* "-0" */
			return 0;
		}
		snprintf(maxs, sizeof(maxs), "%" PRIu64, max);
		return range_error(d, p, v, "0", maxs);
	}
	errno = 0;
	char *end = NULL;
	unsigned long long n = strtoull(v->u.number, &end, 10);
	if (errno != 0 || *end != '\0' || n > max) {
		snprintf(maxs, sizeof(maxs), "%" PRIu64, max);
		return range_error(d, p, v, "0", maxs);
	}
	*out = n;
	return 0;
}

/* "one of a, b, c" for the names list. */
static char *names_join(const char *const *names)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (f == NULL)
		return NULL;
	for (size_t i = 0; names[i] != NULL; i++)
		fprintf(f, "%s%s", i ? ", " : "", names[i]);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int enum_error(struct dec *d, const struct dec_path *p, const struct json_value *v, const char *const *names)
{
	_cleanup_free_ char *list = names_join(names);
	if (list == NULL)
		return dec_oom(d);
	char what[512];
	snprintf(what, sizeof(what), "one of %s", list);
	return dec_expected(d, p, what, v);
}

int dec_enum(struct dec *d, const struct dec_path *p, const struct json_value *v, const char *const *names,
	     char **out)
{
	if (v->type != JSON_STRING)
		return enum_error(d, p, v, names);
	for (size_t i = 0; names[i] != NULL; i++) {
		if (strlen(names[i]) == v->u.string.len && strcmp(names[i], v->u.string.ptr) == 0)
			return dec_string(d, p, v, out);
	}
	return enum_error(d, p, v, names);
}

void dec_strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int dec_strv(struct dec *d, const struct dec_path *p, const struct json_value *v, dec_string_fn elem,
	     char ***out, size_t *len)
{
	if (v->type != JSON_ARRAY)
		return dec_expected(d, p, "an array of strings", v);
	size_t n = v->u.array.len;
	char **vec = calloc(n + 1, sizeof(char *));
	if (vec == NULL)
		return dec_oom(d);
	for (size_t i = 0; i < n; i++) {
		struct dec_path ip = DEC_PATH_INDEX(p, i);
		if ((elem ? elem : dec_string)(d, &ip, v->u.array.items[i], &vec[i]) < 0) {
			dec_strv_free(vec, n);
			return -1;
		}
	}
	*out = vec;
	*len = n;
	return 0;
}

int dec_array_of(struct dec *d, const struct dec_path *p, const struct json_value *v, size_t elem_size,
		 dec_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len)
{
	if (v->type != JSON_ARRAY)
		return dec_expected(d, p, "an array", v);
	size_t n = v->u.array.len;
	char *arr = calloc(n ? n : 1, elem_size);
	if (arr == NULL)
		return dec_oom(d);
	for (size_t i = 0; i < n; i++) {
		struct dec_path ip = DEC_PATH_INDEX(p, i);
		if (fn(d, &ip, v->u.array.items[i], arr + i * elem_size) < 0) {
			for (size_t j = 0; j <= i; j++)
				clear(arr + j * elem_size);
			free(arr);
			return -1;
		}
	}
	*out = arr;
	*len = n;
	return 0;
}

static int cmp_member(const void *a, const void *b, void *arg)
{
	char **keys = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(keys[i], keys[j]);
	if (c != 0)
		return c;
	return i < j ? -1 : i > j;
}

/*
 * overridden_members - a new array of obj->u.object.len flags: true where a
 * later member has the same key (so JSON's last-wins rule drops it).
 * O(n log n), so a config with many annotations stays cheap.  NULL on
 * allocation failure.
 */
static bool *overridden_members(const struct json_value *obj)
{
	size_t n = obj->u.object.len;
	bool *mask = calloc(n ? n : 1, sizeof(bool));
	size_t *order = calloc(n ? n : 1, sizeof(size_t));
	if (mask == NULL || order == NULL) {
		free(mask);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(size_t), cmp_member, obj->u.object.keys);
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(obj->u.object.keys[order[i]], obj->u.object.keys[order[i + 1]]) == 0)
			mask[order[i]] = true;
	free(order);
	return mask;
}

int dec_map_of(struct dec *d, const struct dec_path *p, const struct json_value *v, size_t elem_size,
	       dec_map_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len)
{
	if (v->type != JSON_OBJECT)
		return dec_expected(d, p, "an object", v);
	size_t n = v->u.object.len;
	_cleanup_free_ bool *skip = overridden_members(v);
	char *arr = calloc(n ? n : 1, elem_size);
	if (arr == NULL || skip == NULL) {
		free(arr);
		return dec_oom(d);
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (skip[i])
			continue;
		struct dec_path kp = DEC_PATH_MAPKEY(p, v->u.object.keys[i]);
		if (fn(d, &kp, v->u.object.keys[i], v->u.object.values[i], arr + k * elem_size) < 0) {
			for (size_t j = 0; j <= k; j++)
				clear(arr + j * elem_size);
			free(arr);
			return -1;
		}
		k++;
	}
	*out = arr;
	*len = k;
	return 0;
}

void oci_string_map_clear(struct oci_string_map *m)
{
	if (m == NULL)
		return;
	dec_strv_free(m->keys, m->len);
	dec_strv_free(m->values, m->len);
	m->keys = m->values = NULL;
	m->len = 0;
}

int dec_string_map(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_string_map *out)
{
	if (v->type != JSON_OBJECT)
		return dec_expected(d, p, "an object", v);
	size_t n = v->u.object.len;
	_cleanup_free_ bool *skip = overridden_members(v);
	struct oci_string_map m = { 0 };
	m.keys = calloc(n + 1, sizeof(char *));
	m.values = calloc(n + 1, sizeof(char *));
	if (m.keys == NULL || m.values == NULL || skip == NULL) {
		free(m.keys);
		free(m.values);
		return dec_oom(d);
	}
	for (size_t i = 0; i < n; i++) {
		if (skip[i])
			continue;
		struct dec_path kp = DEC_PATH_MAPKEY(p, v->u.object.keys[i]);
		if (dec_string(d, &kp, v->u.object.values[i], &m.values[m.len]) < 0)
			goto fail;
		m.keys[m.len] = strdup(v->u.object.keys[i]);
		if (m.keys[m.len] == NULL) {
			m.len++;
			dec_oom(d);
			goto fail;
		}
		m.len++;
	}
	*out = m;
	return 0;
fail:
	oci_string_map_clear(&m);
	return -1;
}

int dec_field_string(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     bool required, char **out)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "a string", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	char *s = NULL;
	if (dec_string(d, &kp, v, &s) < 0)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int dec_field_abs_path(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		       bool required, char **out)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "an absolute path", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	char *s = NULL;
	if (dec_abs_path(d, &kp, v, &s) < 0)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int dec_field_enum(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, const char *const *names, char **out)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "a string", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	char *s = NULL;
	if (dec_enum(d, &kp, v, names, &s) < 0)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

int dec_field_bool(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool *out, bool *has)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, false, "a boolean", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	if (dec_bool(d, &kp, v, out) < 0)
		return -1;
	if (has != NULL)
		*has = true;
	return 0;
}

int dec_field_int(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int64_t min, int64_t max, int64_t *out, bool *has)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "an integer", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	if (dec_int(d, &kp, v, min, max, out) < 0)
		return -1;
	if (has != NULL)
		*has = true;
	return 0;
}

int dec_field_uint(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, uint64_t max, uint64_t *out, bool *has)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "an integer", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	if (dec_uint(d, &kp, v, max, out) < 0)
		return -1;
	if (has != NULL)
		*has = true;
	return 0;
}

int dec_field_u32(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, uint32_t *out, bool *has)
{
	uint64_t x;
	bool h = false;
	if (dec_field_uint(d, p, obj, key, required, UINT32_MAX, &x, &h) < 0)
		return -1;
	if (h) {
		*out = (uint32_t)x;
		if (has != NULL)
			*has = true;
	}
	return 0;
}

int dec_field_i32(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int32_t *out, bool *has)
{
	int64_t x;
	bool h = false;
	if (dec_field_int(d, p, obj, key, required, INT32_MIN, INT32_MAX, &x, &h) < 0)
		return -1;
	if (h) {
		*out = (int32_t)x;
		if (has != NULL)
			*has = true;
	}
	return 0;
}

int dec_field_i64(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int64_t *out, bool *has)
{
	return dec_field_int(d, p, obj, key, required, INT64_MIN, INT64_MAX, out, has);
}

int dec_field_u64(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, uint64_t *out, bool *has)
{
	return dec_field_uint(d, p, obj, key, required, UINT64_MAX, out, has);
}

int dec_field_strv(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, dec_string_fn elem, char ***out, size_t *len)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, required, "an array of strings", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	char **vec = NULL;
	size_t n = 0;
	if (dec_strv(d, &kp, v, elem, &vec, &n) < 0)
		return -1;
	dec_strv_free(*out, *len);
	*out = vec;
	*len = n;
	return 0;
}

int dec_field_object(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     bool required, const struct json_value **v)
{
	int r = dec_field(d, p, obj, key, required, "an object", v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	if (dec_object(d, &kp, *v) < 0) {
		*v = NULL;
		return -1;
	}
	return 1;
}

int dec_field_new_object(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
			 size_t size, void **slot, const struct json_value **v)
{
	int r = dec_field_object(d, p, obj, key, false, v);
	if (r <= 0)
		return r;
	*slot = calloc(1, size);
	if (*slot == NULL)
		return dec_oom(d);
	return 1;
}

int dec_field_array_of(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		       size_t elem_size, dec_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, false, "an array", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	return dec_array_of(d, &kp, v, elem_size, fn, clear, out, len);
}

int dec_field_map_of(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     size_t elem_size, dec_map_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len)
{
	const struct json_value *v;
	int r = dec_field(d, p, obj, key, false, "an object", &v);
	if (r <= 0)
		return r;
	struct dec_path kp = DEC_PATH_KEY(p, key);
	return dec_map_of(d, &kp, v, elem_size, fn, clear, out, len);
}

int dec_document(struct dec *d, const char *text, size_t len, struct json_value **out)
{
	struct json_value *root = NULL;
	char *msg = NULL;
	if (json_parse(text, len, &root, &msg) < 0) {
		if (msg == NULL)
			return dec_oom(d);
		strata_error_set(d->err, EINVAL, "%s: %s", d->name, msg);
		free(msg);
		return -1;
	}
	if (root->type != JSON_OBJECT) {
		struct dec_path p = DEC_PATH_ROOT;
		dec_expected(d, &p, "an object", root);
		json_free(root);
		return -1;
	}
	*out = root;
	return 0;
}
