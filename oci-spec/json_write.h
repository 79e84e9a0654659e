/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_write.h - write a parsed JSON tree (json.h's struct json_value) back
 * out through the json.h writer: the second half of a parse -> edit ->
 * write round trip, used where a document must be passed on with a member
 * left out (the vm level's config.json without the host's hooks).
 *
 * Numbers are written with their original text, strings with their bytes
 * (NUL bytes included), objects with every member in document order
 * (duplicates included), so a tree written out parses to the same tree.
 * Whitespace is not kept.  Source: RFC 8259.
 */
#ifndef STRATA_OCI_SPEC_JSON_WRITE_H
#define STRATA_OCI_SPEC_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/*
 * json_write_value - append v (and everything under it) to g as one value.
 * Errors are json_gen's sticky errors: json_gen_finish() returns NULL when
 * anything failed (allocation, invalid UTF-8).  A NULL v writes null.
 * Recursion depth is bounded by json_parse's JSON_MAX_DEPTH.
 */
void json_write_value(struct json_gen *g, const struct json_value *v);

/*
 * json_skip_fn - a filter for json_write_filtered: return true to leave out
 * the member `key` of an object at nesting depth `depth` (1 = members of the
 * top-level object); `parent` is the member name that object is the value of
 * (NULL for the top-level object and for objects inside arrays).
 */
typedef bool (*json_skip_fn)(size_t depth, const char *parent, const char *key, void *ctx);

/*
 * json_write_filtered - write the whole document `root`, leaving out the
 * object members `skip` selects (skip NULL: leave out nothing).
 * Returns the compact JSON text (heap, NUL-terminated, owned by the caller;
 * *len its length, may be NULL), or NULL on allocation failure or a string
 * that is not valid UTF-8.
 */
char *json_write_filtered(const struct json_value *root, json_skip_fn skip, void *ctx, size_t *len);

#endif
