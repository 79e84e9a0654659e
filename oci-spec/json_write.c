/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_write.c - a json.h tree back to JSON text (see json_write.h).
 */
#include "json_write.h"

#include <stdlib.h>

static void write_rec(struct json_gen *g, const struct json_value *v, size_t depth, const char *parent,
		      json_skip_fn skip, void *ctx)
{
	if (v == NULL) {
		json_gen_null(g);
		return;
	}
	switch (v->type) {
	case JSON_NULL:
		json_gen_null(g);
		break;
	case JSON_BOOL:
		json_gen_bool(g, v->u.boolean);
		break;
	case JSON_NUMBER:
		json_gen_number_text(g, v->u.number);
		break;
	case JSON_STRING:
		json_gen_string_n(g, v->u.string.ptr, v->u.string.len);
		break;
	case JSON_ARRAY:
		json_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			write_rec(g, v->u.array.items[i], depth + 1, NULL, skip, ctx);
		json_gen_array_close(g);
		break;
	case JSON_OBJECT:
		json_gen_object_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			const char *key = v->u.object.keys[i];
			if (skip != NULL && skip(depth + 1, parent, key, ctx))
				continue;
			json_gen_key(g, key);
			write_rec(g, v->u.object.values[i], depth + 1, key, skip, ctx);
		}
		json_gen_object_close(g);
		break;
	default:
		json_gen_fail(g);
		break;
	}
}

void json_write_value(struct json_gen *g, const struct json_value *v)
{
	write_rec(g, v, 0, NULL, NULL, NULL);
}

char *json_write_filtered(const struct json_value *root, json_skip_fn skip, void *ctx, size_t *len)
{
	struct json_gen *g = json_gen_new(false);
	if (g == NULL)
		return NULL;
	write_rec(g, root, 0, NULL, skip, ctx);
	char *s = json_gen_finish(g, len);
	json_gen_free(g);
	return s;
}
