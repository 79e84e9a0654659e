/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - the container state document: runtime-spec v1.3.0 runtime.md#state
 * (ociVersion, id, status, pid, bundle, annotations) plus the fields runc's
 * `state` / `list --format json` add (rootfs, created, owner).
 *
 * Two renderings:
 *  - oci_state_to_json(): runc's `state` output, members in runc's order
 *    ociVersion, id, pid, status, bundle, rootfs, created, annotations
 *    (only when non-empty, keys sorted as Go sorts map keys), owner.
 *  - oci_state_to_hook_json(): the spec's state as hooks get it on stdin
 *    (ociVersion, id, status, pid (omitted when 0), bundle, annotations
 *    (omitted when empty)), compact.
 */
#ifndef STRATA_OCI_SPEC_STATE_H
#define STRATA_OCI_SPEC_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/error.h"
#include "config.h"

enum oci_status {
	OCI_STATUS_CREATING,
	OCI_STATUS_CREATED,
	OCI_STATUS_RUNNING,
	OCI_STATUS_STOPPED,
	OCI_STATUS_PAUSED,
};

struct oci_state {
	char *oci_version;
	char *id;
	enum oci_status status;
	pid_t pid;                       /* host pid of init; 0 when none */
	char *bundle;                    /* absolute path */
	struct oci_string_map annotations;
	/* runc's extra fields; NULL is written as "" */
	char *rootfs;                    /* absolute path of the root filesystem */
	char *created;                   /* RFC 3339 UTC with nanoseconds, e.g. "2026-11-21T09:02:27.689076158Z" */
	char *owner;                     /* runc writes "" for root */
};

/* oci_status_name - "creating", "created", "running", "stopped", "paused"; NULL if out of range. */
const char *oci_status_name(enum oci_status s);

/* oci_status_from_name - the status named s.  Returns 0, or -1 if s is not one of the five names. */
int oci_status_from_name(const char *s, enum oci_status *out);

/*
 * oci_state_to_json - runc's state JSON of s.  pretty: two-space indent
 * like `runc state` (json.MarshalIndent(v, "", "  ")); else compact (for
 * `list --format json` elements).  pid is written as 0 when status is
 * stopped, as runc does.  No trailing newline.  Returns a new heap string
 * owned by the caller, NULL on allocation failure or invalid UTF-8 in a field.
 */
char *oci_state_to_json(const struct oci_state *s, bool pretty);

/*
 * oci_state_to_hook_json - the runtime-spec state (runtime.md#state) that
 * hooks read on stdin (config.md#posix-platform-hooks): compact, without
 * runc's extra fields.  Ownership and failure as oci_state_to_json.
 */
char *oci_state_to_hook_json(const struct oci_state *s);

/*
 * oci_state_parse - parse a state document (either rendering above, or
 * another runtime's).  Required: ociVersion, id, status (one of the five
 * names), bundle; pid is optional (0 when absent).  Errors name the JSON
 * path like the config parser: "state.json: .status: expected one of
 * creating, created, running, stopped, paused, got \"gone\"".  `name`
 * prefixes errors.  *out is owned by the caller (free with oci_state_free).
 */
int oci_state_parse(const char *name, const char *json, size_t len, struct oci_state **out, strata_error_t *err);

/* oci_state_free - free s and everything it holds (NULL is fine). */
void oci_state_free(struct oci_state *s);

#endif
