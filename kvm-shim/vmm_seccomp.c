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

/* Virtqueue processing (the I/O thread, or the vCPU thread in the fallback):
 * the 9p server and console I/O. */
static const char *const device_calls[] = {
	"read", "pread64", "pwrite64", "lseek", "openat2", "newfstatat", "fstat", "statx", "getdents64",
	"mkdirat", "unlinkat", "renameat", "renameat2", "symlinkat", "linkat", "mknodat", "readlinkat", "fchownat",
	"chmod", "fchmodat", "utimensat", "ftruncate", "fsync", "fdatasync", "fstatfs",
	NULL,
};

/* The I/O thread's own loop: waiting on its eventfds (read is in device_calls). */
static const char *const io_loop_calls[] = {
	"poll", "ppoll",
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

const char *vmm_thread_class_name(enum vmm_thread_class cls)
{
	switch (cls) {
	case VMM_THREAD_VCPU: return "vCPU";
	case VMM_THREAD_VCPU_DEVICES: return "vCPU+devices";
	case VMM_THREAD_IO: return "I/O";
	case VMM_THREAD_MAIN: return "main";
	}
	return "unknown";
}

static int add_class_rules(scmp_filter_ctx ctx, enum vmm_thread_class cls, strata_error_t *err)
{
	if (allow_list(ctx, common_calls, err) < 0)
		return -1;
	switch (cls) {
	case VMM_THREAD_VCPU_DEVICES:
		if (allow_list(ctx, device_calls, err) < 0)
			return -1;
		/* fall through */
	case VMM_THREAD_VCPU:
		/* The only KVM requests a vCPU thread makes once the guest runs. */
		if (allow_ioctl(ctx, KVM_RUN, err) < 0 || allow_ioctl(ctx, KVM_GET_REGS, err) < 0 ||
		    allow_ioctl(ctx, KVM_IRQ_LINE, err) < 0)
			return -1;
		return 0;
	case VMM_THREAD_IO:
		if (allow_list(ctx, device_calls, err) < 0 || allow_list(ctx, io_loop_calls, err) < 0)
			return -1;
		/* Used-buffer interrupts: the level-triggered line of each device. */
		return allow_ioctl(ctx, KVM_IRQ_LINE, err);
	case VMM_THREAD_MAIN:
		if (allow_list(ctx, main_calls, err) < 0)
			return -1;
		/* Interrupts for host->guest input, and the terminal size of stdio. */
		if (allow_ioctl(ctx, KVM_IRQ_LINE, err) < 0 || allow_ioctl(ctx, TIOCGWINSZ, err) < 0 ||
		    allow_ioctl(ctx, TCGETS, err) < 0)
			return -1;
		return 0;
	}
	return strata_error_set(err, EINVAL, "unknown VMM thread class %d", (int)cls);
}

int vmm_seccomp_install(enum vmm_thread_class cls, strata_error_t *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return strata_error_errno(err, ENOMEM, "seccomp_init");
	int rc = add_class_rules(ctx, cls, err);
	if (rc == 0) {
		int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
		if (r == 0)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
		if (r == 0)
			r = seccomp_load(ctx);
		if (r < 0)
			rc = strata_error_errno(err, -r, "load the VMM %s seccomp filter", vmm_thread_class_name(cls));
	}
	seccomp_release(ctx);
	return rc;
}
