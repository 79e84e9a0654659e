/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h - internal: typed, validating extraction of fields from a
 * json.h tree, with errors that name the JSON path.
 *
 * The path lives on the C stack as a chain of struct dec_path nodes (one per
 * object key, array index or map key), rendered only when an error happens:
 *   .process.user.uid          object members
 *   .mounts[2].destination     array elements
 *   .linux.sysctl["net.ipv4.ip_forward"]   keys of free-form maps
 * Every message is "<name>: <path>: <what>", e.g.
 *   config.json: .process.user.uid: expected an integer, got "root"
 *
 * Conventions of every dec_* function: returns 0 on success, -1 after
 * filling d->err (code EINVAL, ENOMEM for allocation).  An output is
 * written only on success.  For an optional field, absent and JSON null both
 * mean "not given" (as in Go's encoding/json); for a required one, absent is
 * "required field is missing" and null is a type error.
 */
#ifndef STRATA_OCI_SPEC_DECODE_H
#define STRATA_OCI_SPEC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "config.h"
#include "json.h"

struct dec {
	const char *name;     /* message prefix, e.g. "config.json" */
	strata_error_t *err;
};

enum dec_seg { DEC_ROOT, DEC_KEY, DEC_INDEX, DEC_MAPKEY };

struct dec_path {
	const struct dec_path *parent;
	enum dec_seg kind;
	const char *key; /* DEC_KEY, DEC_MAPKEY */
	size_t index;    /* DEC_INDEX */
};

#define DEC_PATH_ROOT ((struct dec_path){ .kind = DEC_ROOT })
#define DEC_PATH_KEY(p, k) ((struct dec_path){ .parent = (p), .kind = DEC_KEY, .key = (k) })
#define DEC_PATH_INDEX(p, i) ((struct dec_path){ .parent = (p), .kind = DEC_INDEX, .index = (i) })
#define DEC_PATH_MAPKEY(p, k) ((struct dec_path){ .parent = (p), .kind = DEC_MAPKEY, .key = (k) })

/* dec_fail - error "<name>: <path>: <formatted text>" (EINVAL).  Returns -1. */
int dec_fail(struct dec *d, const struct dec_path *p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* dec_expected - error "<path>: expected <what>, got <description of v>".  Returns -1. */
int dec_expected(struct dec *d, const struct dec_path *p, const char *what, const struct json_value *v);
/* dec_oom - error "out of memory" (ENOMEM).  Returns -1. */
int dec_oom(struct dec *d);

/*
 * dec_field - look up obj[key].  Returns 1 with *v set when present and not
 * null, 0 when absent or null and optional, -1 (error) when required and
 * absent ("required field is missing") or null ("expected <what>, got null").
 */
int dec_field(struct dec *d, const struct dec_path *parent, const struct json_value *obj, const char *key,
	      bool required, const char *what, const struct json_value **v);

/* Value converters: v is the value, p its path. */
int dec_object(struct dec *d, const struct dec_path *p, const struct json_value *v);
int dec_string(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out);
int dec_abs_path(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out);
int dec_bool(struct dec *d, const struct dec_path *p, const struct json_value *v, bool *out);
int dec_int(struct dec *d, const struct dec_path *p, const struct json_value *v, int64_t min, int64_t max,
	    int64_t *out);
int dec_uint(struct dec *d, const struct dec_path *p, const struct json_value *v, uint64_t max, uint64_t *out);
/* dec_enum - v must be a string equal to one of names[] (NULL-terminated); *out = a copy. */
int dec_enum(struct dec *d, const struct dec_path *p, const struct json_value *v, const char *const *names,
	     char **out);
/* dec_strv - array of strings into a NULL-terminated vector; each checked by
 * elem (NULL: any string, else e.g. dec_abs_path). */
typedef int (*dec_string_fn)(struct dec *d, const struct dec_path *p, const struct json_value *v, char **out);
int dec_strv(struct dec *d, const struct dec_path *p, const struct json_value *v, dec_string_fn elem,
	     char ***out, size_t *len);

/*
 * dec_array_of - decode an array of structs: *out = calloc'd array of n
 * elements of elem_size, each filled in place by fn.  On failure every
 * element is passed to clear (which frees what it holds; it must accept a
 * partly filled or zeroed element) and nothing is stored.
 */
typedef int (*dec_elem_fn)(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem);
int dec_array_of(struct dec *d, const struct dec_path *p, const struct json_value *v, size_t elem_size,
		 dec_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len);

/*
 * dec_map_of - decode an object used as a map (free-form keys) into an array
 * of structs; fn gets the key and fills the element (and should store a copy
 * of the key).  Later duplicates of a key are dropped after the first, keeping
 * JSON's last-wins rule: the value used is the last one.
 */
typedef int (*dec_map_elem_fn)(struct dec *d, const struct dec_path *p, const char *key, const struct json_value *v,
			       void *elem);
int dec_map_of(struct dec *d, const struct dec_path *p, const struct json_value *v, size_t elem_size,
	       dec_map_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len);

/* dec_string_map - an object of string values into an oci_string_map (last duplicate wins). */
int dec_string_map(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_string_map *out);
void oci_string_map_clear(struct oci_string_map *m);

/* Field shorthands: dec_field + converter.  Optional fields leave outputs
 * untouched when absent; *has (may be NULL) is set to true when present. */
int dec_field_string(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     bool required, char **out);
int dec_field_abs_path(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		       bool required, char **out);
int dec_field_enum(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, const char *const *names, char **out);
int dec_field_bool(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool *out, bool *has);
int dec_field_int(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int64_t min, int64_t max, int64_t *out, bool *has);
int dec_field_uint(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, uint64_t max, uint64_t *out, bool *has);
/* uint32 / int32 / uint16 wrappers with the type's full range */
int dec_field_u32(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, uint32_t *out, bool *has);
int dec_field_i32(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int32_t *out, bool *has);
int dec_field_i64(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, int64_t *out, bool *has);
int dec_field_u64(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		  bool required, uint64_t *out, bool *has);
int dec_field_strv(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		   bool required, dec_string_fn elem, char ***out, size_t *len);
/* dec_field_object - *v = the member if present (checked to be an object). Same returns as dec_field. */
int dec_field_object(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     bool required, const struct json_value **v);

/*
 * dec_field_new_object - if obj[key] is present and an object, allocate a
 * zeroed struct of size bytes into *slot (the caller's owner frees it) and
 * set *v to the member: returns 1.  0 when absent/null, -1 on error.
 */
int dec_field_new_object(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
			 size_t size, void **slot, const struct json_value **v);
/* dec_field_array_of / dec_field_map_of - optional-field forms of dec_array_of / dec_map_of. */
int dec_field_array_of(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		       size_t elem_size, dec_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len);
int dec_field_map_of(struct dec *d, const struct dec_path *p, const struct json_value *obj, const char *key,
		     size_t elem_size, dec_map_elem_fn fn, void (*clear)(void *elem), void **out, size_t *len);

/* Free a vector of n strings (NULL-terminated or not) and the vector. */
void dec_strv_free(char **v, size_t n);

/*
 * dec_document - parse text as JSON and check that the top level is an
 * object.  Errors: "<name>: malformed JSON at line L, column C: ..." or
 * "<name>: expected an object, got an array".  *out owned by the caller.
 */
int dec_document(struct dec *d, const char *text, size_t len, struct json_value **out);

#endif
