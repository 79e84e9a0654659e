/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform.h - how the sentry catches a task's system calls.
 *
 * A platform runs one task until it makes a system call or takes a signal,
 * and gives the sentry the task's registers and memory.  The sentry never
 * lets a task's system call reach the host kernel: at a syscall stop the call
 * has NOT run, and the sentry either answers it itself or makes a host call
 * in the task's address space on purpose (platform_ops.syscall).
 *
 * Implementations: ptrace with PTRACE_SYSEMU (platform_ptrace.c).  A later
 * seccomp-trap ("systrap") platform fills the same ops table.
 * Everything here is x86_64.
 */
#ifndef STRATA_SENTRY_PLATFORM_H
#define STRATA_SENTRY_PLATFORM_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <linux/sched.h>

#include "../common/error.h"

/* Address of the one-page stub every task address space holds: `syscall; int3`.
 * The sentry points a stopped task at it to make a host call in that address space. */
#define PLATFORM_STUB_ADDR 0x100000UL
#define PLATFORM_STUB_SIZE 4096UL
/* Highest user address + 1 with 4-level paging (x86_64 TASK_SIZE_MAX). */
#define PLATFORM_USER_TOP 0x7ffffffff000UL
/* The host clone flags of a task thread (the sentry keeps the sharing semantics itself). */
#define PLATFORM_THREAD_FLAGS                                                                         \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

enum platform_stop_kind {
	PLATFORM_STOP_SYSCALL,   /* the task made a system call; it has not run */
	PLATFORM_STOP_SIGNAL,    /* the host delivered a signal (fault, ...); it is suppressed */
	PLATFORM_STOP_INTERRUPT, /* the sentry asked the task to stop (platform_ops.interrupt) */
	PLATFORM_STOP_EXITED,    /* the host process is gone (status as from waitpid) */
};

struct platform_stop {
	enum platform_stop_kind kind;
	pid_t host_pid;
	int signo;       /* SIGNAL: host signal number */
	siginfo_t info;  /* SIGNAL: its siginfo */
	int status;      /* EXITED: waitpid status */
};

struct platform;

struct platform_ops {
	const char *name;
	/* spawn - make a new task process: stopped, traced, with no host fds and an
	 * address space holding only the stub.  *host_pid receives its host pid. */
	int (*spawn)(struct platform *p, pid_t *host_pid, strata_error_t *err);
	/* next_stop - fetch one pending stop without blocking.
	 * Returns 1 and fills *stop, 0 when nothing is pending, -1 on error (errno). */
	int (*next_stop)(struct platform *p, struct platform_stop *stop);
	/* event_fd - an fd that polls readable when next_stop may have something
	 * new after the last arm(). */
	int (*event_fd)(struct platform *p);
	/* arm - reset event_fd before sleeping on it; call next_stop once more
	 * afterwards, since a stop may have come in between. */
	void (*arm)(struct platform *p);
	/* resume - run the stopped task until its next system call or signal. Returns 0 / -errno. */
	int (*resume)(struct platform *p, pid_t pid);
	/* interrupt - ask a running task to stop (reported as PLATFORM_STOP_INTERRUPT). */
	int (*interrupt)(struct platform *p, pid_t pid);
	int (*get_regs)(struct platform *p, pid_t pid, struct user_regs_struct *regs);
	int (*set_regs)(struct platform *p, pid_t pid, const struct user_regs_struct *regs);
	/* set_return - set only the return-value register (rax) of a stopped task. */
	int (*set_return)(struct platform *p, pid_t pid, uint64_t value);
	int (*get_fpregs)(struct platform *p, pid_t pid, struct user_fpregs_struct *fp);
	int (*set_fpregs)(struct platform *p, pid_t pid, const struct user_fpregs_struct *fp);
	/* syscall - make host call nr(args) inside the stopped task's address space;
	 * the task's registers are preserved.  *ret gets the raw result (-errno on
	 * failure).  Returns 0, or -errno when the task could not be driven. */
	int (*syscall)(struct platform *p, pid_t pid, long nr, const uint64_t args[6], long *ret);
	/* fork - copy the stopped task's process (address space and registers as
	 * they were before the call); the child is stopped and traced with rax = 0.
	 * Returns 0 and *child, or -errno. */
	int (*fork)(struct platform *p, pid_t pid, pid_t *child);
	/* clone_thread - a new thread in the stopped task's process (shared address
	 * space); it is stopped and traced, registers as the caller's before the
	 * call.  Returns 0 and *child (its host tid), or -errno. */
	int (*clone_thread)(struct platform *p, pid_t pid, pid_t *child);
	/* read_mem/write_mem - copy len bytes from/to the task's memory at addr.
	 * Return 0 or -EFAULT. write_mem may write read-only pages. */
	int (*read_mem)(struct platform *p, pid_t pid, uint64_t addr, void *buf, size_t len);
	int (*write_mem)(struct platform *p, pid_t pid, uint64_t addr, const void *buf, size_t len);
	/* write_mem_kernel - like write_mem to writable task memory, but buf is
	 * only ever read by the kernel: a fault in buf (a file view truncated
	 * meanwhile) gives -EFAULT instead of a SIGBUS in the sentry. */
	int (*write_mem_kernel)(struct platform *p, pid_t pid, uint64_t addr, const void *buf, size_t len);
	/* kill - end the task's host process now (SIGKILL). */
	void (*kill)(struct platform *p, pid_t pid);
	/* destroy - free the platform. */
	void (*destroy)(struct platform *p);
};

struct platform {
	const struct platform_ops *ops;
};

/*
 * platform_ptrace_new - the ptrace (PTRACE_SYSEMU) platform.  Blocks SIGCHLD
 * in the calling thread and reads it through a signalfd.  *out is owned by
 * the caller (ops->destroy).  Source: ptrace(2), PTRACE_SYSEMU in
 * arch/x86/kernel/ptrace.c, PTRACE_GET_SYSCALL_INFO (Linux 5.3).
 */
int platform_ptrace_new(struct platform **out, strata_error_t *err);

#endif
