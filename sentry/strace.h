/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strace.h - strace-style formatting of the sentry's system calls (--debug).
 */
#ifndef STRATA_SENTRY_STRACE_H
#define STRATA_SENTRY_STRACE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

/* strace_format_call - "name(arg, ...)" for call nr with args a, formatted by
 * the table's argument kinds (strings read from t's memory) into out[cap]. */
void strace_format_call(struct sentry_kernel *k, struct task *t, long nr, const uint64_t a[6], char *out, size_t cap);
/* strace_log_result - log "[pid N] <call> = <ret>" at debug level. */
void strace_log_result(struct task *t, const char *call, long ret);

#endif
