/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * safe_path.h - resolve and create paths inside a container root without
 * ever leaving it.
 *
 * Every lookup goes through openat2(2) with RESOLVE_IN_ROOT (the root fd acts
 * as "/" for absolute symlinks and "..") and RESOLVE_NO_MAGICLINKS (no
 * /proc/PID/fd/N or /proc/PID/root jumps).  Missing components are created
 * with mkdirat/openat/mknodat relative to an fd that was itself resolved this
 * way, with a single-component name, so a symlink planted in the rootfs
 * (`etc -> /`, `proc -> /host/dir`, `dev/null -> /etc/passwd`) can only ever
 * lead to a place inside the root.
 *
 * Source: openat2(2) (Linux 5.6), path_resolution(7).
 */
#ifndef STRATA_RUNTIME_NATIVE_SAFE_PATH_H
#define STRATA_RUNTIME_NATIVE_SAFE_PATH_H

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../common/error.h"

/* What safe_mkdir_all_in_root() creates for the last component when it is missing. */
enum safe_create_kind {
	SAFE_CREATE_DIR,  /* a directory (mode as given) */
	SAFE_CREATE_FILE, /* an empty regular file (mode as given), e.g. a bind-mount point for a file */
};

/*
 * safe_openat2 - openat2(2) through syscall(2) (glibc 2.36 has no wrapper).
 * `resolve` is RESOLVE_* bits, flags are open(2) flags (O_CLOEXEC is always
 * added).  Returns the new fd (owned by the caller) or -1 with errno set.
 */
int safe_openat2(int dirfd, const char *path, int flags, uint64_t resolve);

/*
 * safe_open_in_root - open `path` (absolute or relative; both are taken as
 * relative to the root) inside the tree rooted at rootfd, following symlinks
 * only inside it.  flags are open(2) flags, e.g. O_PATH or O_PATH|O_DIRECTORY.
 * An empty path or "/" opens the root itself.
 * Returns the fd (owned by the caller), or -1 with *err set (the openat2
 * errno, e.g. ENOENT, ELOOP for a magic link, with the path).
 */
int safe_open_in_root(int rootfd, const char *path, int flags, strata_error_t *err);

/*
 * safe_mkdir_all_in_root - open `path` inside the root like
 * safe_open_in_root(O_PATH), creating every missing directory on the way
 * (mode `dir_mode`, subject to the umask) and, when the last component is
 * missing, a directory or an empty file as `last` says (mode `last_mode`).
 * A dangling symlink on the way is followed inside the root and its target
 * created there (at most 40 symlinks, else ELOOP).
 * Returns an O_PATH fd of the final object (owned by the caller), or -1 with
 * *err set.
 */
int safe_mkdir_all_in_root(int rootfd, const char *path, mode_t dir_mode, enum safe_create_kind last,
			   mode_t last_mode, strata_error_t *err);

/*
 * safe_parent_in_root - split `path` into its parent and last component,
 * create the parent directories as safe_mkdir_all_in_root() does, and return
 * an O_PATH|O_DIRECTORY fd of the parent (owned by the caller).  *name
 * receives the last component (heap, owned by the caller); it is never
 * empty, "." or "..", and holds no '/'.
 * Errors: EINVAL for a path without such a last component, else as above.
 */
int safe_parent_in_root(int rootfd, const char *path, mode_t dir_mode, char **name, strata_error_t *err);

/*
 * safe_fd_path - the path the kernel reports for fd (readlink of
 * /proc/self/fd/N) into buf of size len.  For messages and checks only.
 * Returns 0, or -1 with errno set.
 */
int safe_fd_path(int fd, char *buf, size_t len);

#endif
