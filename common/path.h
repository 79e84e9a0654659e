/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * path.h - lexical path helpers: string work only, never the filesystem.
 */
#ifndef STRATA_COMMON_PATH_H
#define STRATA_COMMON_PATH_H

#include "error.h"

/*
 * path_clean - the shortest absolute path naming the same place as `path`,
 * worked out on the string alone (no symlink is read, nothing is looked up):
 *   - the result always starts with "/": a relative path is taken relative to
 *     "/" ("a/b" -> "/a/b"), and the empty string gives "/";
 *   - runs of '/' become one ("//a//b" -> "/a/b"), "." components go, and a
 *     trailing '/' is dropped ("/a/b/" -> "/a/b"; "/" stays "/");
 *   - ".." removes the component before it and never climbs above "/"
 *     ("/../x" -> "/x", "a/../.." -> "/").
 * Security: because ".." is clamped at "/", callers use it to keep a path
 * from a config inside a root (a cgroup hierarchy, the sentry's container
 * root).  It is lexical only: a symlink in the path can still lead outside,
 * so it never replaces a resolution under the root (see
 * runtime/native/safe_path.h).  No length limit: the result is at most one
 * byte longer than `path`.
 * Returns heap memory owned by the caller (free()), or NULL with *err set
 * (ENOMEM).  Semantics as Go's path.Clean applied to "/" + path.
 */
char *path_clean(const char *path, strata_error_t *err);

#endif
