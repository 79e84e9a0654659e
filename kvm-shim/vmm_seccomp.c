/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmm_seccomp.c - per-thread-class seccomp allowlists of the VMM. */
#include "kvm-shim/vmm_seccomp.h"

#include <errno.h>
#include <linux/kvm.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>

/* Calls every VMM thread makes: memory, locks, signals, time, exit. */
static const char *const common_calls[] = {
	"brk", "mmap", "munmap", "mremap", "madvise", "mprotect", "futex", "rt_sigreturn", "rt_sigprocmask",
	"rt_sigaction", "sigaltstack", "restart_syscall", "exit", "exit_group", "getpid", "gettid", "tgkill",
	"clock_gettime", "clock_nanosleep", "nanosleep", "sched_yield", "getrandom", "write", "writev", "close",
	"set_robust_list", "rseq",
	NULL,
};

/* Device emulation on the vCPU thread: the 9p server and console I/O. */
static const char *const vcpu_device_calls[] = {
	"read", "pread64", "pwrite64", "lseek", "openat2", "newfstatat", "fstat", "statx", "getdents64",
	"mkdirat", "unlinkat", "renameat", "renameat2", "symlinkat", "linkat", "mknodat", "readlinkat", "fchownat",
	"chmod", "fchmodat", "utimensat", "ftruncate", "fsync", "fdatasync", "fstatfs",
	NULL,
};

/* The main thread while the guest runs. */
static const char *const main_calls[] = {
	"read", "ppoll", "poll", "epoll_wait", "epoll_pwait", "epoll_ctl", "epoll_create1", "pselect6",
	"wait4", "waitid", "kill", "signalfd4", "timerfd_create", "timerfd_settime", "eventfd2", "fcntl", "dup",
	"dup3", "fstat", "newfstatat", "openat", "lseek", "unlinkat", "renameat2", "sendmsg", "recvmsg", "getdents64",
	NULL,
};

static int allow_list(scmp_filter_ctx ctx, const char *const *names, strata_error_t *err)
{
	for (size_t i = 0; names[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a syscall on this architecture */
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return strata_error_errno(err, -rc, "seccomp allow %s", names[i]);
	}
	return 0;
}

static int allow_ioctl(scmp_filter_ctx ctx, unsigned long req, strata_error_t *err)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, req));
	if (rc < 0)
		return strata_error_errno(err, -rc, "seccomp allow ioctl 0x%lx", req);
	return 0;
}

int vmm_seccomp_install(enum vmm_thread_class cls, strata_error_t *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return strata_error_errno(err, ENOMEM, "seccomp_init");
	int rc = allow_list(ctx, common_calls, err);
	if (rc == 0 && cls == VMM_THREAD_VCPU) {
		rc = allow_list(ctx, vcpu_device_calls, err);
		/* The only KVM requests a vCPU thread makes once the guest runs. */
		if (rc == 0)
			rc = allow_ioctl(ctx, KVM_RUN, err);
		if (rc == 0)
			rc = allow_ioctl(ctx, KVM_GET_REGS, err);
		if (rc == 0)
			rc = allow_ioctl(ctx, KVM_IRQ_LINE, err);
	} else if (rc == 0) {
		rc = allow_list(ctx, main_calls, err);
		/* Interrupts for host->guest input, and the terminal size of stdio. */
		if (rc == 0)
			rc = allow_ioctl(ctx, KVM_IRQ_LINE, err);
		if (rc == 0)
			rc = allow_ioctl(ctx, TIOCGWINSZ, err);
		if (rc == 0)
			rc = allow_ioctl(ctx, TCGETS, err);
	}
	if (rc == 0) {
		int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
		if (r == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
		if (r == 0)
			r = seccomp_load(ctx);
		if (r < 0)
			rc = strata_error_errno(err, -r, "load the VMM %s seccomp filter",
						cls == VMM_THREAD_VCPU ? "vCPU" : "main");
	}
	seccomp_release(ctx);
	return rc;
}
