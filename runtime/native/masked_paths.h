/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * masked_paths.h - linux.maskedPaths and linux.readonlyPaths.
 *
 * Both run on the finished rootfs, just before pivot_root, with every path
 * resolved inside the rootfs (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a
 * masked or read-only path that is a symlink can only lead to a place inside
 * the container.  A path missing from the rootfs is skipped.
 *
 * Masking a file binds the HOST's /dev/null, opened before pivot_root and
 * checked to be character device 1:3: the container's own /dev/null is never
 * used as the source, so replacing it with a symlink or another file
 * (CVE-2025-31133) cannot put something else over a masked path.
 *
 * Source: runtime-spec v1.3.0 config-linux.md#masked-paths, #readonly-paths.
 */
#ifndef STRATA_RUNTIME_NATIVE_MASKED_PATHS_H
#define STRATA_RUNTIME_NATIVE_MASKED_PATHS_H

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * masked_paths_apply - for each linux.maskedPaths entry under rootfd: a
 * directory gets an empty read-only tmpfs (nosuid, nodev, noexec), anything
 * else gets /dev/null bind-mounted over it.
 * Returns 0, or -1 with *err set (the path and the failing call; EINVAL when
 * /dev/null on the host is not the null device).
 */
int masked_paths_apply(int rootfd, const struct oci_config *c, strata_error_t *err);

/*
 * readonly_paths_apply - for each linux.readonlyPaths entry under rootfd:
 * bind it onto itself (with its submounts) and make that bind read-only,
 * recursively; nosuid/nodev/noexec it already had are kept.
 * Returns 0, or -1 with *err set.
 */
int readonly_paths_apply(int rootfd, const struct oci_config *c, strata_error_t *err);

#endif
