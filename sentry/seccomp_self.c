/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_self.c - the sentry's own allowlist.  The tasks were created before
 * it is installed and do not inherit it; each task's calls are stopped by the
 * platform anyway.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_self.h"

static const char *const sentry_allowed[] = {
	/* the platform */
	"ptrace", "wait4", "waitid", "process_vm_readv", "process_vm_writev", "kill", "tgkill", "ppoll", "poll",
	/* the sentry's own memory and housekeeping */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "rt_sigprocmask", "rt_sigaction", "rt_sigreturn",
	"exit", "exit_group", "getpid", "gettid", "clock_gettime", "clock_nanosleep", "gettimeofday", "getrandom",
	"sysinfo", "sched_getaffinity", "sched_yield", "futex", "restart_syscall",
	/* files, always relative to fds the sentry holds */
	"read", "write", "pread64", "pwrite64", "readv", "writev", "lseek", "close", "fcntl", "dup", "ioctl",
	"openat", "newfstatat", "fstat", "statx", "getdents64", "readlinkat", "mkdirat", "unlinkat", "renameat2",
	"linkat", "symlinkat", "fchmodat", "fchmod", "fchownat", "fchown", "utimensat", "faccessat2", "faccessat",
	"ftruncate", "fsync", "fstatfs", "statfs",
	NULL,
};

int sentry_seccomp_install(strata_error_t *err)
{
	const char *skip = getenv("STRATA_SENTRY_NO_SECCOMP");
	if (skip != NULL && strcmp(skip, "1") == 0)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: seccomp_init");
	for (size_t i = 0; sentry_allowed[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(sentry_allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0) {
			seccomp_release(ctx);
			return strata_error_errno(err, -rc, "sentry: seccomp allow %s", sentry_allowed[i]);
		}
	}
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		return strata_error_errno(err, -rc, "sentry: seccomp_load");
	return 0;
}
