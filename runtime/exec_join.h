/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_join.h - putting a new process into a running native container:
 * its cgroup, its namespaces, its root, then the process attributes and
 * execve.  Used by `strata exec`.
 *
 * Process model (runc's double fork, facts only):
 *
 *   strata exec (P) --fork--> joiner (J): enters the cgroup, setns(2) into
 *        every namespace of the container's init, then forks
 *                            --fork--> process (X): first process of the
 *                                      container's pid namespace side; sets
 *                                      itself up and execs
 *        J sends X's host pid to P and exits at once, so X is re-parented to
 *        the nearest subreaper: P when P set PR_SET_CHILD_SUBREAPER (exec
 *        without --detach waits for X), else the caller of `strata exec`
 *        (containerd's shim, conmon), which reaps it as runc's exec'd
 *        processes are reaped.
 *
 * Messages J/X -> P go over one SOCK_SEQPACKET pair with the sync.h
 * protocol: SYNC_INIT_PID (value = X's host pid) from J, then SYNC_ERROR
 * from X if its setup fails; a clean execve closes X's end (close-on-exec),
 * so P reads EOF.
 * Source: setns(2), namespaces(7), pid_namespaces(7) (setns CLONE_NEWPID
 * affects children only), user_namespaces(7), prctl(2) PR_SET_DUMPABLE,
 * PR_SET_CHILD_SUBREAPER, chroot(2).
 */
#ifndef STRATA_RUNTIME_EXEC_JOIN_H
#define STRATA_RUNTIME_EXEC_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "../cgroups/cgroup.h"
#include "../common/error.h"
#include "../oci-spec/config.h"

/* The container as a place to enter: opened from the host before any setns. */
struct exec_target {
	pid_t init_pid;
	int ns_fd[OCI_NS__COUNT]; /* /proc/PID/ns/<type>, -1 when it is the caller's own namespace */
	int root_fd;              /* /proc/PID/root, O_PATH directory: the container's root */
	struct cgroup_manager *cgroup; /* borrowed; NULL when the container has no cgroup */
};

/* What the new process needs; all borrowed from the caller. */
struct exec_setup {
	const struct oci_config *config;   /* the container's config, with process = the exec'd process */
	const char *state_json;            /* runtime-spec state of the container (seccomp notify) */
	int console_fd;                    /* connected console socket for a terminal, or -1 */
	int preserve_fds;                  /* fds 3 .. 3+N-1 go to the process */
	int sync_fd;                       /* the child's end of the message pair */
};

/*
 * exec_target_open - open every namespace of init_pid that differs from the
 * caller's (compared by device and inode) and its root directory.  All fds
 * are O_CLOEXEC and numbered >= min_fd, so they never occupy the range of
 * preserved fds.  Errors: ESRCH "container not running" when the init is
 * gone; the open errno with the path otherwise.  Release with exec_target_close.
 */
int exec_target_open(pid_t init_pid, int min_fd, struct exec_target *t, strata_error_t *err);

/*
 * exec_fd_above - move fd to a number >= min (close-on-exec), closing the
 * original, so runtime fds never sit in the range handed to the process
 * (3 .. 3+preserve_fds-1).  Returns the new fd (or fd itself when it is
 * already >= min or negative), -1 with errno on failure.
 */
int exec_fd_above(int fd, int min);

/* exec_target_close - close the fds (not the cgroup manager). */
void exec_target_close(struct exec_target *t);

/*
 * exec_join_run - the joiner J (call in a fresh child of P): mark itself
 * non-dumpable, enter the cgroup, join the namespaces (user first, mount
 * last), fork X, send X's pid to P and _exit.  X runs exec_process_run and
 * never returns.  Never returns; failures go to P as SYNC_ERROR.
 */
__attribute__((noreturn)) void exec_join_run(const struct exec_target *t, const struct exec_setup *s);

/*
 * exec_child_run - the process X, already in every namespace and the
 * cgroup: chroot into the container's root (t->root_fd), set up the
 * terminal, LSM labels, scheduler, rlimits, oomScoreAdj (a failure is a
 * warning), umask, cwd, the executable lookup, capabilities and uid/gid,
 * seccomp and no_new_privs, mark every fd but 0-2 and the preserved ones
 * close-on-exec, and execve.  Never returns: a failure is sent to P as
 * SYNC_ERROR and X exits 127 (exec_child.c).
 */
__attribute__((noreturn)) void exec_child_run(const struct exec_target *t, const struct exec_setup *s);

#endif
