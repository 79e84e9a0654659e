/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sentry.h - entry point of the user-space kernel (isolation level `sentry`).
 */
#ifndef STRATA_SENTRY_SENTRY_H
#define STRATA_SENTRY_SENTRY_H

#include "../common/error.h"
#include "../oci-spec/config.h"

/*
 * sentry_run_container - run config->process under the sentry.
 *
 * Called in the container's init process (already inside the container's
 * namespaces and cgroup, rootfs pivoted, credentials applied, start gate
 * passed) in place of execve.  The sentry starts the first task, implements
 * every system call of every task itself, forwards signals the init process
 * receives (strata kill) to the container's tasks, and does not return on
 * success: it exits with the container's exit status (128+N for a task killed
 * by signal N), as the init process would.
 * Returns -1 with *err set only when the sentry cannot start at all.
 */
int sentry_run_container(const struct oci_config *config, strata_error_t *err);

#endif
