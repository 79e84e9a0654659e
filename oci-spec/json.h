/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the JSON layer of oci-spec: a document tree (read) and a writer.
 *
 * This is the only header that knows yajl is underneath (json_parse.c and
 * json_gen.c include <yajl/...>); replacing yajl later touches those two files.
 *
 * Reading builds a tree of struct json_value.  Numbers are kept as the raw
 * text of the document, so a consumer can convert them at full precision
 * (uint64 values above INT64_MAX, negative int64) and tell integers from
 * fractions.  Strings keep their byte length; yajl has validated them as
 * UTF-8.  Objects keep every member in document order, duplicates included;
 * json_object_get() returns the last one, as Go's encoding/json (runc) does.
 *
 * Source: RFC 8259; yajl 2.1 (yajl_parse.h, yajl_gen.h).
 */
#ifndef STRATA_OCI_SPEC_JSON_H
#define STRATA_OCI_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of arrays/objects json_parse() accepts.  Bounds the
 * recursion of json_free() and of the consumers. */
#define JSON_MAX_DEPTH 128

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value {
	enum json_type type;
	union {
		bool boolean;
		char *number; /* raw text, NUL-terminated, e.g. "-12", "1.5e3" */
		struct {
			char *ptr; /* NUL-terminated; may contain NUL bytes (\u0000) */
			size_t len;
		} string;
		struct {
			struct json_value **items;
			size_t len;
		} array;
		struct {
			char **keys; /* NUL-terminated; keys holding \u0000 are rejected */
			struct json_value **values;
			size_t len;
		} object;
	} u;
};

/*
 * json_parse - parse len bytes of JSON text (one value, no trailing garbage,
 * no comments).  On success *out is a new tree owned by the caller (free with
 * json_free).  On failure returns -1 and *errmsg is a new heap one-line
 * message such as "malformed JSON at line 1, column 9: lexical error:
 * invalid char in json text" (owned by the caller; NULL if out of memory).
 */
int json_parse(const char *text, size_t len, struct json_value **out, char **errmsg);

/* json_free - free a tree from json_parse (NULL is fine). */
void json_free(struct json_value *v);

/* json_object_get - the value of the last member named key of object obj,
 * or NULL if absent (or obj is not an object).  Memory stays owned by obj. */
const struct json_value *json_object_get(const struct json_value *obj, const char *key);

/* json_type_article - "a string", "an object", ... for messages. */
const char *json_type_article(enum json_type t);

/*
 * json_describe - write a short human description of v into buf (size n):
 * strings quoted and escaped ("\"root\""), cut after 40 bytes with "..."; numbers
 * as written; true/false/null; "an array", "an object".  Returns buf.
 */
char *json_describe(const struct json_value *v, char *buf, size_t n);

/* ---- writing ---- */

struct json_gen;

/*
 * json_gen_new - a writer.  pretty: indent by two spaces, one member per line
 * (the layout of Go's json.MarshalIndent(v, "", "  ")).  NULL on allocation
 * failure.  Errors are sticky: after a failed call every later call does
 * nothing and json_gen_finish() returns NULL, so callers check once at the end.
 */
struct json_gen *json_gen_new(bool pretty);
/* json_gen_free - free the writer (NULL is fine); strings from json_gen_finish stay valid. */
void json_gen_free(struct json_gen *g);

/* json_gen_object_open / _close, json_gen_array_open / _close - begin or end
 * an object or array (as a value, or as the whole document). */
void json_gen_object_open(struct json_gen *g);
void json_gen_object_close(struct json_gen *g);
void json_gen_array_open(struct json_gen *g);
void json_gen_array_close(struct json_gen *g);
/* json_gen_key - the next member name inside an object. */
void json_gen_key(struct json_gen *g, const char *key);
/* json_gen_string - a string value; s == NULL writes null. */
void json_gen_string(struct json_gen *g, const char *s);
/* json_gen_string_n - a string value of len bytes (may hold NUL bytes). */
void json_gen_string_n(struct json_gen *g, const char *s, size_t len);
/* json_gen_number_text - a number given as its JSON text (e.g. "1.5e3",
 * "-12"), written as is; the caller vouches that it is a valid number
 * (json_parse's JSON_NUMBER text is). */
void json_gen_number_text(struct json_gen *g, const char *text);
/* json_gen_int / _uint / _bool / _null - a number (full 64-bit range, in
 * decimal), true/false, or null value. */
void json_gen_int(struct json_gen *g, int64_t v);
void json_gen_uint(struct json_gen *g, uint64_t v);
void json_gen_bool(struct json_gen *g, bool v);
void json_gen_null(struct json_gen *g);
/* json_gen_fail - mark the document failed (e.g. the caller ran out of memory). */
void json_gen_fail(struct json_gen *g);
/* json_gen_strv - an array of the n strings of v. */
void json_gen_strv(struct json_gen *g, char *const *v, size_t n);

/*
 * json_gen_finish - the document written so far as a new NUL-terminated heap
 * string (owned by the caller; no trailing newline), or NULL if any call
 * failed (invalid UTF-8, misplaced key, allocation) or the document is
 * incomplete.  *len (may be NULL) receives its length in bytes.
 */
char *json_gen_finish(struct json_gen *g, size_t *len);

#endif
