/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscall_table.h - the sentry's system call table: data, one entry per
 * x86_64 system call number (number, name, handler, support level, note).
 * The same array drives dispatch (indexed by number), `strata syscalls`
 * and the --debug trace.  Handlers share one signature and return a
 * non-negative result or a negative Linux errno directly.
 */
#ifndef STRATA_SENTRY_SYSCALL_TABLE_H
#define STRATA_SENTRY_SYSCALL_TABLE_H

#include <stdint.h>

#include "kernel.h"

#define SYSCALL_TABLE_SIZE 456

enum syscall_support {
	SUPPORT_NONE = 0,  /* not in the table: ENOSYS, logged once */
	SUPPORT_FULL,      /* implemented as Linux documents it */
	SUPPORT_PARTIAL,   /* implemented; the note says what is missing */
	SUPPORT_ERROR,     /* always fails with `err` (the note says why) */
};

typedef long (*sentry_syscall_fn)(struct sentry_kernel *k, struct task *t, const uint64_t a[6]);

struct syscall_entry {
	const char *name;
	sentry_syscall_fn handler; /* NULL for SUPPORT_ERROR */
	enum syscall_support support;
	int err;                   /* SUPPORT_ERROR: the errno returned */
	/* argument formats for the trace: d int, u unsigned, x hex, s string,
	 * f dirfd, o open flags, m octal mode, p pointer */
	const char *args;
	const char *note;
};

/* The table, indexed by system call number; entries with name NULL are unknown. */
extern const struct syscall_entry syscall_table[SYSCALL_TABLE_SIZE];

/* syscall_support_name - "full", "partial", "error" or "none". */
const char *syscall_support_name(enum syscall_support s);

/* Handlers (sys_*.c), each named for its call. */
#define SENTRY_SYSCALLS(X)                                                                              \
	X(read) X(write) X(pread64) X(pwrite64) X(readv) X(writev) X(lseek) X(close) X(dup) X(dup2) X(dup3)   \
	X(fcntl) X(close_range) X(pipe) X(pipe2) X(ioctl) X(fstat) X(getdents64) X(ftruncate) X(fsync)       \
	X(poll) X(ppoll) X(sendfile) X(open) X(openat) X(creat) X(stat) X(lstat) X(newfstatat) X(statx)    \
	X(access) X(faccessat) X(faccessat2) X(mkdir) X(mkdirat) X(unlink) X(unlinkat) X(rmdir) X(rename)   \
	X(renameat) X(renameat2) X(link) X(linkat) X(symlink) X(symlinkat) X(readlink) X(readlinkat)       \
	X(chmod) X(fchmod) X(fchmodat) X(chown) X(lchown) X(fchown) X(fchownat) X(utimensat) X(chdir)       \
	X(fchdir) X(getcwd) X(umask) X(truncate) X(statfs) X(fstatfs) X(sync) X(getpid) X(getppid)          \
	X(gettid) X(fork) X(vfork) X(clone) X(execve) X(exit) X(exit_group) X(wait4) X(waitid) X(getpgid)   \
	X(setpgid) X(getpgrp) X(getsid) X(setsid) X(set_tid_address) X(set_robust_list) X(prctl)            \
	X(arch_prctl) X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(kill) X(tgkill) X(tkill)          \
	X(sigaltstack) X(rt_sigsuspend) X(pause) X(rt_sigpending) X(brk) X(mmap) X(munmap) X(mprotect)       \
	X(mremap) X(madvise) X(uname) X(clock_gettime) X(clock_getres) X(gettimeofday) X(time)              \
	X(nanosleep) X(clock_nanosleep) X(getrandom) X(sysinfo) X(prlimit64) X(getrlimit) X(setrlimit)      \
	X(sched_yield) X(getuid) X(geteuid) X(getgid) X(getegid) X(setuid) X(setgid) X(setreuid)            \
	X(setregid) X(setresuid) X(setresgid) X(getresuid) X(getresgid) X(getgroups) X(setgroups)           \
	X(sethostname) X(getcpu) X(getrusage) X(times) X(sched_getaffinity) X(alarm) X(rseq) X(fdatasync)  \
	X(fadvise64) X(futex) X(getpriority) X(setpriority) X(select) X(pselect6)

#define SENTRY_DECLARE(n) long sentry_sys_##n(struct sentry_kernel *k, struct task *t, const uint64_t a[6]);
SENTRY_SYSCALLS(SENTRY_DECLARE)
#undef SENTRY_DECLARE

/* sys_common helpers */
/* sentry_read_path - copy a path argument into buf (PATH_MAX). 0 or -errno. */
long sentry_read_path(struct sentry_kernel *k, struct task *t, uint64_t addr, char *buf);

#endif
