/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container_json.h - encoding of the container state store's files: strata's
 * own ROOT/ID/state.json, and runc's `state`/`list` JSON shape.
 * Source: client-contract.md §3.3 (runc 1.1 `state` output), runtime-spec runtime.md#state.
 */
#ifndef STRATA_RUNTIME_CONTAINER_JSON_H
#define STRATA_RUNTIME_CONTAINER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "container.h"

/* container_state_to_json - s as strata's state.json text (heap, caller frees), NULL on ENOMEM. */
char *container_state_to_json(const struct container_state *s);

/*
 * container_state_from_json - parse state.json text (len bytes) into *s
 * (which must be zeroed; its strings become heap memory owned by *s).
 * Errors: EINVAL naming the bad field.
 */
int container_state_from_json(const char *text, size_t len, struct container_state *s, strata_error_t *err);

/*
 * container_runc_state_json - runc's state object for s with the given live
 * status name and pid (0 when stopped); owner is the owner's user name
 * ("" for `state`, as runc prints it).  Heap string (caller frees), NULL on ENOMEM.
 */
char *container_runc_state_json(const struct container_state *s, const char *status, pid_t pid, const char *owner,
				bool pretty);

/*
 * container_hook_state_json - the runtime-spec state hooks read on stdin
 * (status one of creating/created/running/stopped).  Heap string, NULL on ENOMEM.
 */
char *container_hook_state_json(const struct container_state *s, const char *status, pid_t pid);

/* container_level_name - "native", "sentry" or "vm". */
const char *container_level_name(enum isolation_level_id level);

/* container_level_parse - the level named s; -1 when s names none. */
int container_level_parse(const char *s);

#endif
