/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_gen.c - the JSON writer of json.h over yajl_gen.
 *
 * yajl's beautifier writes empty containers as "[\n]" and ends the document
 * with a newline; Go's json.MarshalIndent writes "[]" / "{}" and no newline.
 * To give runc's exact layout the pretty form is rendered here from the
 * compact yajl output (which is pure JSON, so re-indenting it only needs to
 * track strings).
 */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

struct json_gen {
	yajl_gen y;
	bool pretty;
	bool failed;
	size_t depth; /* open containers */
};

struct json_gen *json_gen_new(bool pretty)
{
	struct json_gen *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->y = yajl_gen_alloc(NULL);
	if (g->y == NULL) {
		free(g);
		return NULL;
	}
	/* Refuse to write invalid UTF-8: the reader on the other side would choke. */
	yajl_gen_config(g->y, yajl_gen_validate_utf8, 1);
	g->pretty = pretty;
	return g;
}

void json_gen_free(struct json_gen *g)
{
	if (g == NULL)
		return;
	yajl_gen_free(g->y);
	free(g);
}

static void check(struct json_gen *g, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok)
		g->failed = true;
}

#define GEN(g, call)                          \
	do {                                  \
		if ((g) == NULL)              \
			return;               \
		if (!(g)->failed)             \
			check((g), (call));   \
	} while (0)

void json_gen_object_open(struct json_gen *g)
{
	GEN(g, yajl_gen_map_open(g->y));
	g->depth++;
}

void json_gen_object_close(struct json_gen *g)
{
	GEN(g, yajl_gen_map_close(g->y));
	g->depth--;
}

void json_gen_array_open(struct json_gen *g)
{
	GEN(g, yajl_gen_array_open(g->y));
	g->depth++;
}

void json_gen_array_close(struct json_gen *g)
{
	GEN(g, yajl_gen_array_close(g->y));
	g->depth--;
}

void json_gen_key(struct json_gen *g, const char *key)
{
	GEN(g, yajl_gen_string(g->y, (const unsigned char *)key, strlen(key)));
}

void json_gen_string(struct json_gen *g, const char *s)
{
	if (s == NULL)
		GEN(g, yajl_gen_null(g->y));
	else
		GEN(g, yajl_gen_string(g->y, (const unsigned char *)s, strlen(s)));
}

void json_gen_string_n(struct json_gen *g, const char *s, size_t len)
{
	GEN(g, yajl_gen_string(g->y, (const unsigned char *)s, len));
}

void json_gen_number_text(struct json_gen *g, const char *text)
{
	GEN(g, yajl_gen_number(g->y, text, strlen(text)));
}

void json_gen_int(struct json_gen *g, int64_t v)
{
	GEN(g, yajl_gen_integer(g->y, (long long)v));
}

void json_gen_uint(struct json_gen *g, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	GEN(g, yajl_gen_number(g->y, buf, (size_t)n));
}

void json_gen_bool(struct json_gen *g, bool v)
{
	GEN(g, yajl_gen_bool(g->y, v));
}

void json_gen_null(struct json_gen *g)
{
	GEN(g, yajl_gen_null(g->y));
}

void json_gen_fail(struct json_gen *g)
{
	if (g != NULL)
		g->failed = true;
}

void json_gen_strv(struct json_gen *g, char *const *v, size_t n)
{
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_string(g, v[i]);
	json_gen_array_close(g);
}

/* Buffer that grows; NULL data after an allocation failure. */
struct buf {
	char *data;
	size_t len, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = (b->len + n + 1) * 2;
		char *d = realloc(b->data, ncap);
		if (d == NULL) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_indent(struct buf *b, size_t depth)
{
	buf_put(b, "\n", 1);
	for (size_t i = 0; i < depth; i++)
		buf_put(b, "  ", 2);
}

/* Re-indent compact JSON the way json.MarshalIndent(v, "", "  ") does. */
static char *indent(const char *s, size_t len, size_t *out_len)
{
	struct buf b = { 0 };
	size_t depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			buf_put(&b, &c, 1);
			if (c == '\\' && i + 1 < len) {
				buf_put(&b, &s[++i], 1);
			} else if (c == '"') {
				in_str = false;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			buf_put(&b, &c, 1);
			break;
		case '{':
		case '[':
			buf_put(&b, &c, 1);
			if (i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
				buf_put(&b, &s[++i], 1);
				break;
			}
			buf_indent(&b, ++depth);
			break;
		case '}':
		case ']':
			buf_indent(&b, --depth);
			buf_put(&b, &c, 1);
			break;
		case ',':
			buf_put(&b, &c, 1);
			buf_indent(&b, depth);
			break;
		case ':':
			buf_put(&b, ": ", 2);
			break;
		default:
			buf_put(&b, &c, 1);
			break;
		}
	}
	if (b.oom || b.data == NULL) {
		free(b.data);
		return NULL;
	}
	*out_len = b.len;
	return b.data;
}

char *json_gen_finish(struct json_gen *g, size_t *len)
{
	if (g == NULL || g->failed || g->depth != 0)
		return NULL;
	const unsigned char *buf = NULL;
	size_t n = 0;
	if (yajl_gen_get_buf(g->y, &buf, &n) != yajl_gen_status_ok || n == 0)
		return NULL;
	char *out = NULL;
	size_t out_len = n;
	if (g->pretty) {
		out = indent((const char *)buf, n, &out_len);
	} else {
		out = strndup((const char *)buf, n);
	}
	if (out != NULL && len != NULL)
		*len = out_len;
	return out;
}
