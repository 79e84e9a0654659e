/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe.h - the security probe of `strata compare` (bench-probe).
 *
 * bench-probe runs inside a container and tries a fixed list of things that
 * an isolation boundary should stop (read a host file, see or ptrace a host
 * process, raw sockets, mount, module loading, keyctl, bpf, perf_event_open,
 * userfaultfd, io_uring, writes to /proc/sys and /sys, a host abstract unix
 * socket) and counts how many system call numbers 0..450 reach a kernel
 * handler.  It prints one JSON object (probe_report_json) on stdout.
 *
 * Each probe is split in two so the logic is testable:
 *  - an attempt (probe_attempts.c, probe_syscalls.c) makes the calls with
 *    harmless arguments and records raw facts (return value, errno, whether
 *    the data read is the runner's token, a short detail text);
 *  - a classification (probe_classify.c) turns facts into a verdict with
 *    no system calls at all.
 * Running the attempts on the host as root must give "reachable" for every
 * probe the host kernel allows root to do (tests/unit/test_probe.c).
 *
 * Nothing an attempt does has a lasting effect: files and sockets are opened
 * and closed, a tmpfs mount is undone, a module load is given an empty image,
 * a ptrace seize ends when the attempting child exits, /proc/sys and /sys
 * files are opened for writing but never written.  Every attempt runs in a
 * forked child so a crash cannot take the probe down.
 * Sources: the man pages of each call (open(2), ptrace(2), init_module(2),
 * keyctl(2), bpf(2), perf_event_open(2), userfaultfd(2), io_uring_setup(2),
 * unix(7), proc(5)); include/uapi/asm-generic/errno*.h for errno values.
 */
#ifndef STRATA_BENCH_PROBE_H
#define STRATA_BENCH_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Highest system call number the surface probe tries (0..PROBE_SYSCALL_MAX). */
#define PROBE_SYSCALL_MAX 450

/* What the runner tells the probe about the host side (all may be NULL / 0). */
struct probe_target {
	const char *host_file;       /* absolute host path of a file outside the rootfs */
	const char *token;           /* the text that file holds */
	pid_t host_pid;              /* host pid of a process outside the container */
	const char *host_comm;       /* that process's comm (/proc/PID/comm) */
	const char *abstract_socket; /* name (without the leading NUL) of a host abstract unix socket */
	const char *scratch_dir;     /* a writable directory inside the container (symlink, mount point) */
};

/* Raw facts recorded by one attempt. */
struct probe_facts {
	long ret;          /* the call's return value (>= 0 success, -1 failure) */
	int err;           /* errno when ret < 0, else 0 */
	bool token_match;  /* data read back equals target->token (file and process probes) */
	bool skipped;      /* the attempt could not be made (no target given) */
	char detail[160];  /* what was tried, for the evidence text */
};

enum probe_verdict { PROBE_BLOCKED, PROBE_REACHABLE, PROBE_SKIPPED };

/* How an attempt's facts are read (probe_classify). */
enum probe_rule {
	PROBE_RULE_TOKEN,      /* reachable iff the call succeeded and returned the runner's token */
	PROBE_RULE_SUCCESS,    /* reachable iff the call succeeded */
	PROBE_RULE_PERMISSION, /* reachable iff it succeeded or failed after the permission check
	                        * (any errno but EPERM, EACCES, ENOSYS, EROFS) */
};

/* The result of one probe, ready to print. */
struct probe_outcome {
	const char *name;          /* stable identifier, e.g. "host_file_dotdot" */
	enum probe_verdict verdict;
	int err;                   /* errno of the attempt, 0 when none */
	char evidence[200];        /* human text: what happened */
};

/* One entry of the fixed probe list. */
struct probe_def {
	const char *name;
	enum probe_rule rule;
	/* attempt - make the calls; fill *f.  Never fails itself. */
	void (*attempt)(const struct probe_target *t, struct probe_facts *f);
};

/* The fixed probe list, in report order; *n receives its length. */
const struct probe_def *probe_list(size_t *n);

/*
 * probe_run_contained - run def->attempt in a forked child and copy its facts
 * back through a pipe, so a crash or a hang (killed after timeout_ms
 * milliseconds) of the attempt is contained; a child that dies without
 * reporting gives skipped=false, ret=-1, err=0 and a detail naming the signal.
 */
void probe_run_contained(const struct probe_def *def, const struct probe_target *t, struct probe_facts *f,
			 int timeout_ms);

/*
 * probe_default_signals - set the fatal signals (SEGV, BUS, ILL, FPE, SYS,
 * ABRT, TRAP) back to their default action, so that a crash ends an attempt
 * child instead of running a handler inherited from the caller (a test
 * framework's, for instance).
 */
void probe_default_signals(void);

/*
 * probe_classify - the verdict for facts f read with rule; fills out->verdict,
 * out->err and out->evidence (detail plus the errno name).  Pure: no system calls.
 */
void probe_classify(enum probe_rule rule, const struct probe_facts *f, struct probe_outcome *out);

/* ---- system call surface (probe_syscalls.c) ---- */

/* What happened to one system call number. */
struct probe_syscall_fact {
	bool replied;   /* the child returned from the call and reported */
	long ret;       /* its return value when replied */
	int err;        /* errno when replied and ret == -1 */
	int signal;     /* signal that killed the child, 0 if none */
	bool exited;    /* the child exited without replying (exit, exit_group) */
	bool timed_out; /* the child was still in the call after the timeout and was killed */
};

/*
 * probe_syscall_try - call system call nr once in a forked child (new
 * session, a 20 ms interval timer to break blocking calls) with harmless
 * arguments (probe_syscall_args) and record what happened.  Returns 0, or -1
 * with errno set when fork/pipe fail.
 */
int probe_syscall_try(long nr, struct probe_syscall_fact *f);

/*
 * probe_syscall_args - the six arguments used for nr: all -1 (bad pointer,
 * bad fd, invalid size/flags), except the numbers where -1 is not harmless or
 * not a clean failure, which get arguments that fail or do nothing:
 * futex and modify_ldt (-1 gives ENOSYS), msgget/semget/shmget (-1 flags would
 * create objects), init_module (empty image), reboot (wrong magic), kill
 * (a pid that does not exist).  scratch must point to 64 writable bytes.
 */
void probe_syscall_args(long nr, long args[6], void *scratch);

/*
 * probe_syscall_reached - true when the fact shows the call reached a kernel
 * handler: it returned anything but ENOSYS, or it did not return (exit,
 * blocked, crash) other than by SIGSYS (a seccomp kill or trap means it was
 * stopped before any handler).  Pure.
 */
bool probe_syscall_reached(const struct probe_syscall_fact *f);

/* ---- report (probe_report.c) ---- */

/*
 * probe_report_json - write the report as one line of JSON to out:
 * {"probes":[{"name":..,"result":"blocked|reachable|skipped","errno":"EPERM"|null,
 *   "evidence":..},...],"syscalls":{"probed":451,"reachable":N}}
 */
void probe_report_json(FILE *out, const struct probe_outcome *o, size_t n, int syscalls_probed,
		       int syscalls_reachable);

#endif
