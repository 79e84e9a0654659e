/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - small file helpers shared by the tree.  All follow error.h.
 */
#ifndef STRATA_COMMON_UTIL_H
#define STRATA_COMMON_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * read_file_at - read the whole file `path` (relative to dirfd, or absolute)
 * into a new NUL-terminated buffer.  *out is heap memory owned by the caller;
 * *len (may be NULL) receives the length in bytes without the NUL.
 * Errors: the open/read errno, with the path in the message.
 */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, strata_error_t *err);

/*
 * write_file_at - create or truncate `path` and write len bytes of data.
 * mode applies on creation.  Errors: the open/write errno, with the path.
 */
int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, strata_error_t *err);

/*
 * write_file_atomic - write data to `path` through a temporary file in the same
 * directory, fsync it and rename it over `path`, so readers see the old or the
 * new content, never a mix.  Errors: the failing call's errno, with the path.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, strata_error_t *err);

/*
 * mkdir_p - create `path` and its missing parents with `mode` (like mkdir -p).
 * An existing directory is success.  Errors: the mkdir errno, with the path.
 */
int mkdir_p(const char *path, mode_t mode, strata_error_t *err);

/*
 * write_all - write len bytes to fd, retrying short writes and EINTR.
 * Returns 0, or -1 with errno set (no strata_error: used in async-signal contexts).
 */
int write_all(int fd, const void *buf, size_t len);

/*
 * read_all - read until len bytes or EOF, retrying EINTR.
 * Returns the byte count read, or -1 with errno set.
 */
ssize_t read_all(int fd, void *buf, size_t len);

#endif
