/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_self.h - the sentry's own seccomp allowlist (libseccomp).
 */
#ifndef STRATA_SENTRY_SECCOMP_SELF_H
#define STRATA_SENTRY_SECCOMP_SELF_H

#include "../common/error.h"

/*
 * sentry_seccomp_install - confine the calling (sentry) process to the host
 * system calls the sentry needs (ptrace, wait4, process_vm_readv/writev, file
 * calls on its own fds, memory for its heap...).  Any other call kills the
 * sentry (SECCOMP_RET_KILL_PROCESS), and with it every task (PTRACE_O_EXITKILL).
 * Set STRATA_SENTRY_NO_SECCOMP=1 to skip it while debugging.
 * Errors: the libseccomp errno.
 */
int sentry_seccomp_install(strata_error_t *err);

#endif
