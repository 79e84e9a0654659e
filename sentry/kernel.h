/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h - the sentry's kernel state: tasks, their credentials, signal
 * state, fd tables and address-space bookkeeping.  One struct sentry_kernel
 * per sandbox, owned by sentry_run_container(); nothing here is global.
 *
 * Task numbering: the sentry gives each task its own pid starting at 1; a
 * task is one host process (no CLONE_THREAD support: thread group = task).
 */
#ifndef STRATA_SENTRY_KERNEL_H
#define STRATA_SENTRY_KERNEL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/user.h>
#include <time.h>

#include "../oci-spec/config.h"
#include "platform.h"

/* A handler result that means "cannot finish now; keep the task stopped and
 * call the handler again when something changes". Never reaches the task. */
#define SENTRY_EBLOCK 1000
/* A handler result that means "registers were set by the handler; do not
 * store a return value" (execve, rt_sigreturn, exit). */
#define SENTRY_ENORET 1001
/* An execve failure after the old image is gone: the task must die (SIGSEGV). */
#define SENTRY_EKILL 1002

#define SENTRY_NSIG 65         /* signals 1..64 */
#define SENTRY_MAX_FDS 1024     /* RLIMIT_NOFILE default */

struct sentry_kernel;
struct task;
struct sfile;
struct vfs;

/* rt_sigaction's struct sigaction as the kernel ABI lays it out (x86_64). */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct fd_entry {
	struct sfile *file;
	bool cloexec;
};

struct fd_table {
	int refs; /* tasks sharing it (threads of one group) */
	struct fd_entry fds[SENTRY_MAX_FDS];
};

enum task_state {
	TASK_RUNNING,  /* resumed on the platform, runs user code */
	TASK_STOPPED,  /* at a stop, being handled */
	TASK_BLOCKED,  /* in a system call that waits (handler returned -SENTRY_EBLOCK) */
	TASK_ZOMBIE,   /* exited; waiting for its parent's wait */
	TASK_JOBSTOPPED, /* stopped by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU until SIGCONT */
	TASK_LEADER_GONE, /* a group leader whose thread exited while other threads run */
};

struct task {
	struct task *next;        /* the kernel's task list */
	pid_t tid;                /* sentry thread id */
	pid_t tgid;               /* sentry pid: the thread group leader's tid */
	pid_t pgid, sid;
	pid_t host_pid;           /* platform handle; 0 once the host process is gone */
	struct task *parent;
	enum task_state state;
	bool host_exited;
	int exit_status;          /* wait status (W_EXITCODE / signal) once ZOMBIE */
	int exit_signal;          /* signal sent to the parent on exit (SIGCHLD) */
	bool interrupt_pending;   /* platform interrupt sent, stop not seen yet */
	bool job_stopped;         /* a stop signal took effect; SIGCONT clears it */
	bool wake;                /* SIGCONT: the loop resumes this TASK_STOPPED task */
	int stop_sig;             /* the signal that stopped it */
	bool stop_report, cont_report; /* for wait4 WUNTRACED / WCONTINUED */

	struct user_regs_struct regs; /* at a stop */
	struct user_regs_struct regs_seen; /* as read from the platform at that stop */
	uint64_t block_nr;        /* syscall number being retried while BLOCKED */
	int64_t block_deadline_ns;/* CLOCK_MONOTONIC deadline for sleeping calls; 0 none */
	int wait_hostfd;          /* host fd to poll while BLOCKED, -1 none */
	short wait_events;

	/* credentials (within the sandbox) */
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t groups[32];
	int ngroups;
	mode_t umask;

	/* signals */
	struct ksigaction act[SENTRY_NSIG];
	uint64_t sigmask;         /* bit (n-1) = signal n blocked */
	uint64_t pending;
	uint64_t saved_mask;      /* mask to restore after rt_sigsuspend */
	bool has_saved_mask;
	siginfo_t pending_info[SENTRY_NSIG];
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;

	/* files */
	struct fd_table *fdt;
	char *cwd;                /* canonical container path, heap */

	/* memory */
	uint64_t brk_start, brk_cur;

	/* identity for /proc */
	char comm[16];
	char *cmdline;            /* argv joined by NUL, heap */
	size_t cmdline_len;
	char *environ;            /* envp joined by NUL, heap */
	size_t environ_len;
	char *exe;                /* container path of the program */
	uint64_t clear_child_tid;
	struct rlimit rlim[RLIM_NLIMITS];
	int64_t start_ns;
	uint64_t futex_addr;      /* FUTEX_WAIT address while sleeping on it, 0 none */
	bool futex_woken;
	bool reap;                /* a dead non-leader thread: freed at the loop's next safe point */
	int64_t alarm_ns;         /* CLOCK_MONOTONIC time of a pending alarm(2); 0 none */
	pid_t vfork_parent;       /* parent sleeps in vfork until this task execs or exits */
	pid_t vfork_child;        /* the child this task waits for in vfork, 0 none */
};

struct sentry_kernel {
	struct platform *plat;
	struct task *tasks;
	pid_t next_pid;
	struct vfs *vfs;
	uint8_t unimpl_logged[64]; /* one bit per syscall number < 512 */
	int exit_code;             /* container exit status (0..255) when task 1 ends */
	bool init_done;
	int64_t boot_ns;
	const struct oci_config *config;
	char hostname[65];
	char domainname[65];
	bool debug;
	int host_live;             /* host processes of tasks not yet reaped */
};

/* ---- task.c ---- */

/* task_find - the live or zombie task with sentry pid tid, or NULL. */
struct task *task_find(struct sentry_kernel *k, pid_t tid);
/* task_find_host - the task whose host process is host_pid, or NULL. */
struct task *task_find_host(struct sentry_kernel *k, pid_t host_pid);
/* task_new - allocate a task with the next sentry pid, linked into k.
 * Returns NULL on ENOMEM. */
struct task *task_new(struct sentry_kernel *k);
/* task_exit - end t with wait status `status`: close its files, kill its
 * host process, reparent its children to task 1, notify the parent. */
void task_exit(struct sentry_kernel *k, struct task *t, int status);
/* task_leader - the leader of t's thread group (t itself for a process). */
struct task *task_leader(struct sentry_kernel *k, struct task *t);
/* task_group_live - live threads in t's group, t included. */
int task_group_live(struct sentry_kernel *k, struct task *t);
/* task_thread_exit - exit(2) of one thread: the process ends only with its last thread. */
void task_thread_exit(struct sentry_kernel *k, struct task *t, int code);
/* futex_wake - wake up to n tasks of t's group sleeping on addr; returns how many. */
int futex_wake(struct sentry_kernel *k, struct task *t, uint64_t addr, int n);
/* task_release - unlink and free a reaped zombie. */
void task_release(struct sentry_kernel *k, struct task *t);
/* task_reap - free the tasks marked for it (dead threads, auto-reaped
 * children); called only where no task pointer is held. */
void task_reap(struct sentry_kernel *k);
/* task_kill_all - end every task (sandbox teardown). */
void task_kill_all(struct sentry_kernel *k);
/* monotonic_ns - CLOCK_MONOTONIC in nanoseconds. */
int64_t monotonic_ns(void);

/* ---- memory access (task.c) ---- */
/* task_read/task_write - copy len bytes from/to t's memory at addr (through
 * the platform).  0 or -EFAULT. */
int task_read(struct sentry_kernel *k, struct task *t, uint64_t addr, void *buf, size_t len);
int task_write(struct sentry_kernel *k, struct task *t, uint64_t addr, const void *buf, size_t len);
/* task_read_string - copy a NUL-terminated string of at most max-1 bytes.
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
long task_read_string(struct sentry_kernel *k, struct task *t, uint64_t addr, char *buf, size_t max);
/* task_host_syscall - make host call nr in t's address space; only the memory
 * calls (mmap, munmap, mprotect, mremap, madvise) with checked arguments use it.
 * Returns the raw result (-errno on failure). */
long task_host_syscall(struct sentry_kernel *k, struct task *t, long nr, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* ---- signal.c ---- */

/* signal_send - queue signal sig for t (info may be NULL: SI_USER from sender 0).
 * Applies ignore dispositions and init-task protection; wakes or interrupts t. */
void signal_send(struct sentry_kernel *k, struct task *t, int sig, const siginfo_t *info, bool from_outside);
/* signal_deliver_pending - at a stop, with t->regs current: deliver one
 * deliverable signal (build a frame or take the default action; a default
 * SIGTSTP/SIGTTIN/SIGTTOU is discarded in an orphaned process group).
 * Returns 1 if t was ended, 0 otherwise (t->job_stopped says it must not run). */
int signal_deliver_pending(struct sentry_kernel *k, struct task *t);
/* signal_take_stops - apply pending default-action stop signals of a task
 * that sleeps in a system call (the call goes on after SIGCONT); the same
 * orphaned-group rule as signal_deliver_pending. */
void signal_take_stops(struct sentry_kernel *k, struct task *t);
/* signal_deliverable - true when t has an unblocked pending signal. */
bool signal_deliverable(const struct task *t);
/* signal_has_handler_for_pending - the next deliverable signal has a handler
 * with SA_RESTART (1), a handler without (0), or only default actions (-1). */
int signal_pending_restart(const struct task *t);
/* signal_sigreturn - rt_sigreturn: restore registers, mask and FPU state
 * from the frame at the task's stack pointer. Returns -SENTRY_ENORET. */
long signal_sigreturn(struct sentry_kernel *k, struct task *t);

/* ---- loader.c ---- */

/* loader_execve - replace t's program with the file at path (ELF or #!).
 * argv/envp are NULL-terminated heap vectors owned by the caller.
 * Returns 0 (registers set), or -errno before the point of no return. */
long loader_execve(struct sentry_kernel *k, struct task *t, const char *path, char **argv, char **envp);

#endif
