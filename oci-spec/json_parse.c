/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_parse.c - build a struct json_value tree with yajl's event parser.
 *
 * yajl_tree is not used: it converts numbers to long long/double (losing
 * uint64 values), frees recursively without a depth bound, and reports errors
 * over several lines.  Here the tree builder keeps raw number text, limits
 * nesting to JSON_MAX_DEPTH and reports one line with line and column.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "../common/cleanup.h"

struct frame {
	struct json_value *v; /* the open array or object */
	size_t cap;           /* allocated slots of items / keys+values */
	char *pending_key;    /* object: key waiting for its value */
};

struct builder {
	struct frame stack[JSON_MAX_DEPTH];
	size_t depth;
	struct json_value *root;
	char *errmsg; /* our own reason to cancel, else NULL */
};

static void builder_fail(struct builder *b, const char *msg)
{
	if (b->errmsg == NULL)
		b->errmsg = strdup(msg);
}

static bool grow(void **arr, size_t *cap, size_t len, size_t elem)
{
	if (len < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 4;
	void *n = reallocarray(*arr, ncap, elem);
	if (n == NULL)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

/* Attach v to the open container (or make it the root).  Takes ownership of v. */
static int builder_add(struct builder *b, struct json_value *v)
{
	if (v == NULL) {
		builder_fail(b, "out of memory");
		return 0;
	}
	if (b->depth == 0) {
		b->root = v;
		return 1;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->v->type == JSON_ARRAY) {
		if (!grow((void **)&f->v->u.array.items, &f->cap, f->v->u.array.len, sizeof(void *))) {
			json_free(v);
			builder_fail(b, "out of memory");
			return 0;
		}
		f->v->u.array.items[f->v->u.array.len++] = v;
		return 1;
	}
	size_t cap = f->cap;
	if (!grow((void **)&f->v->u.object.keys, &cap, f->v->u.object.len, sizeof(char *)) ||
	    !grow((void **)&f->v->u.object.values, &f->cap, f->v->u.object.len, sizeof(void *))) {
		json_free(v);
		builder_fail(b, "out of memory");
		return 0;
	}
	f->v->u.object.keys[f->v->u.object.len] = steal_pointer(&f->pending_key);
	f->v->u.object.values[f->v->u.object.len++] = v;
	return 1;
}

static struct json_value *value_new(enum json_type t)
{
	struct json_value *v = calloc(1, sizeof(*v));
	if (v != NULL)
		v->type = t;
	return v;
}

static int on_null(void *ctx)
{
	return builder_add(ctx, value_new(JSON_NULL));
}

static int on_boolean(void *ctx, int b)
{
	struct json_value *v = value_new(JSON_BOOL);
	if (v != NULL)
		v->u.boolean = b != 0;
	return builder_add(ctx, v);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct json_value *v = value_new(JSON_NUMBER);
	if (v != NULL && (v->u.number = strndup(s, len)) == NULL) {
		free(v);
		v = NULL;
	}
	return builder_add(ctx, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct json_value *v = value_new(JSON_STRING);
	if (v != NULL) {
		v->u.string.ptr = malloc(len + 1);
		if (v->u.string.ptr == NULL) {
			free(v);
			v = NULL;
		} else {
			memcpy(v->u.string.ptr, s, len);
			v->u.string.ptr[len] = '\0';
			v->u.string.len = len;
		}
	}
	return builder_add(ctx, v);
}

static int open_container(struct builder *b, enum json_type t)
{
	if (b->depth >= JSON_MAX_DEPTH) {
		builder_fail(b, "nesting deeper than 128 levels");
		return 0;
	}
	struct json_value *v = value_new(t);
	if (v == NULL) {
		builder_fail(b, "out of memory");
		return 0;
	}
	if (!builder_add(b, v))
		return 0;
	b->stack[b->depth++] = (struct frame){ .v = v };
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, JSON_ARRAY);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct builder *b = ctx;
	struct frame *f = &b->stack[b->depth - 1];
	if (memchr(key, '\0', len) != NULL) {
		/* A key with NUL would compare equal to its prefix in C. */
		builder_fail(b, "object key contains a NUL character");
		return 0;
	}
	free(f->pending_key);
	f->pending_key = strndup((const char *)key, len);
	if (f->pending_key == NULL) {
		builder_fail(b, "out of memory");
		return 0;
	}
	return 1;
}

static int on_end(void *ctx)
{
	struct builder *b = ctx;
	struct frame *f = &b->stack[--b->depth];
	free(f->pending_key);
	f->pending_key = NULL;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_boolean,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

/* 1-based line and column of byte offset off. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static char *parse_error(yajl_handle h, struct builder *b, const char *text, size_t len, bool at_end)
{
	/* yajl has consumed the offending byte: point at it.  At the end of
	 * input (premature EOF) point just past the last byte. */
	size_t off = at_end ? len : yajl_get_bytes_consumed(h);
	if (off > len)
		off = len;
	if (!at_end && off > 0)
		off--;
	size_t line, col;
	line_col(text, off, &line, &col);

	_cleanup_free_ char *reason = NULL;
	if (b->errmsg != NULL) {
		reason = steal_pointer(&b->errmsg);
	} else {
		unsigned char *y = yajl_get_error(h, 0, (const unsigned char *)text, len);
		if (y != NULL) {
			reason = strdup((const char *)y);
			yajl_free_error(h, y);
		}
		/* yajl ends the text with ".\n" or "\n"; keep one line. */
		if (reason != NULL) {
			size_t n = strcspn(reason, "\n");
			while (n > 0 && (reason[n - 1] == '.' || reason[n - 1] == ' '))
				n--;
			reason[n] = '\0';
		}
	}
	char *msg = NULL;
	if (asprintf(&msg, "malformed JSON at line %zu, column %zu: %s", line, col,
		     reason ? reason : "parse error") < 0)
		return NULL;
	return msg;
}

static void builder_release(struct builder *b)
{
	for (size_t i = 0; i < b->depth; i++)
		free(b->stack[i].pending_key);
	json_free(b->root);
	free(b->errmsg);
}

int json_parse(const char *text, size_t len, struct json_value **out, char **errmsg)
{
	*out = NULL;
	*errmsg = NULL;
	struct builder *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -1;
	yajl_handle h = yajl_alloc(&callbacks, NULL, b);
	if (h == NULL) {
		free(b);
		return -1;
	}
	bool at_end = false;
	yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok) {
		at_end = true;
		st = yajl_complete_parse(h);
	}
	if (st == yajl_status_ok && b->root == NULL) {
		st = yajl_status_error;
		builder_fail(b, "empty document");
	}
	if (st != yajl_status_ok) {
		*errmsg = parse_error(h, b, text, len, at_end);
		yajl_free(h);
		builder_release(b);
		free(b);
		return -1;
	}
	yajl_free(h);
	*out = steal_pointer(&b->root);
	builder_release(b);
	free(b);
	return 0;
}

void json_free(struct json_value *v)
{
	if (v == NULL)
		return;
	switch (v->type) {
	case JSON_NUMBER:
		free(v->u.number);
		break;
	case JSON_STRING:
		free(v->u.string.ptr);
		break;
	case JSON_ARRAY:
		/* Depth is bounded by JSON_MAX_DEPTH, so recursion is bounded. */
		for (size_t i = 0; i < v->u.array.len; i++)
			json_free(v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < v->u.object.len; i++) {
			free(v->u.object.keys[i]);
			json_free(v->u.object.values[i]);
		}
		free(v->u.object.keys);
		free(v->u.object.values);
		break;
	default:
		break;
	}
	free(v);
}

const struct json_value *json_object_get(const struct json_value *obj, const char *key)
{
	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = obj->u.object.len; i > 0; i--)
		if (strcmp(obj->u.object.keys[i - 1], key) == 0)
			return obj->u.object.values[i - 1];
	return NULL;
}

const char *json_type_article(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "a boolean";
	case JSON_NUMBER:
		return "a number";
	case JSON_STRING:
		return "a string";
	case JSON_ARRAY:
		return "an array";
	case JSON_OBJECT:
		return "an object";
	}
	return "a value";
}

char *json_describe(const struct json_value *v, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	buf[0] = '\0';
	switch (v->type) {
	case JSON_NULL:
		snprintf(buf, n, "null");
		break;
	case JSON_BOOL:
		snprintf(buf, n, "%s", v->u.boolean ? "true" : "false");
		break;
	case JSON_NUMBER:
		snprintf(buf, n, "%.40s%s", v->u.number, strlen(v->u.number) > 40 ? "..." : "");
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		snprintf(buf, n, "%s", json_type_article(v->type));
		break;
	case JSON_STRING: {
		/* Quote and escape; stop after 40 input bytes (at a UTF-8
		 * character boundary, so the message stays valid UTF-8) or when
		 * buf is nearly full, and mark the cut with "...". */
		const char *str = v->u.string.ptr;
		size_t len = v->u.string.len, limit = len < 40 ? len : 40;
		while (limit > 0 && limit < len && ((unsigned char)str[limit] & 0xC0) == 0x80)
			limit--;
		if (n < 8) /* room for at least "\"\"..." */
			break;
		size_t o = 0, i;
		buf[o++] = '"';
		for (i = 0; i < limit; i++) {
			unsigned char c = (unsigned char)str[i];
			char tmp[8];
			if (c == '"' || c == '\\')
				snprintf(tmp, sizeof(tmp), "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			else
				snprintf(tmp, sizeof(tmp), "%c", c);
			size_t tl = strlen(tmp);
			if (o + tl + 5 > n) /* keep room for the closing "\"..." and NUL */
				break;
			memcpy(buf + o, tmp, tl);
			o += tl;
		}
		/* Cut by the buffer inside a UTF-8 character (str[i] a
		 * continuation byte): drop its bytes already copied, which are
		 * non-ASCII and so were copied one for one. */
		if (i < limit)
			while (i > 0 && o > 1 && ((unsigned char)str[i] & 0xC0) == 0x80) {
				i--;
				o--;
			}
		buf[o++] = '"';
		if (i < len) {
			memcpy(buf + o, "...", 3);
			o += 3;
		}
		buf[o] = '\0';
		break;
	}
	}
	return buf;
}
