/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h - the one error-reporting convention of the strata tree.
 *
 * A fallible function returns an int: >= 0 on success, -1 on failure.  On
 * failure it has filled the caller's `struct strata_error **err` out-parameter
 * with an errno value and a one-line message.  Callers add context on the way
 * up with strata_error_wrap(), so the final text reads outermost-first:
 *
 *     mount `proc` on `/proc`: Operation not permitted
 *
 * Example:
 *     if (mount(...) < 0)
 *         return strata_error_errno(err, errno, "mount `%s` on `%s`", src, dst);
 *
 * The error object is heap memory owned by whoever holds the pointer; free it
 * with strata_error_free() (or declare it with _cleanup_error_).
 */
#ifndef STRATA_COMMON_ERROR_H
#define STRATA_COMMON_ERROR_H

#include <stdarg.h>

struct strata_error {
	int code;  /* errno value, 0 when the failure has no errno */
	char *msg; /* NUL-terminated message, owned by this struct */
};

typedef struct strata_error *strata_error_t;

/*
 * strata_error_errno - record a failure caused by errno `code`.
 * The message becomes "<formatted text>: <strerror(code)>" (no suffix when
 * code is 0).  If *err already holds an error it is freed first.
 * Returns -1 always, so callers can `return strata_error_errno(...)`.
 */
int strata_error_errno(strata_error_t *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * strata_error_set - record a failure that is not an errno (bad input).
 * code is stored as given (use EINVAL for bad input); the message is the
 * formatted text only.  Returns -1 always.
 */
int strata_error_set(strata_error_t *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * strata_error_wrap - prefix the message held in *err with "<text>: ".
 * Keeps the errno.  If *err is NULL it creates an error with code 0.
 * Returns -1 always.
 */
int strata_error_wrap(strata_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* strata_error_free - free *err (NULL is fine) and set it to NULL. */
void strata_error_free(strata_error_t *err);

/* Cleanup attribute: the error is freed when the variable goes out of scope. */
#define _cleanup_error_ __attribute__((cleanup(strata_error_free)))

#endif
