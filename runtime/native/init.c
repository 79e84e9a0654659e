/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * init.c - the container's init process before execve (see init.h).
 *
 * Order (each step says why it sits where it does):
 *   wait CONTINUE          parent wrote the id maps and put us in the cgroup
 *   setsid                 a session and process group of our own, terminal or not
 *   become root of a new user namespace
 *   unshare cgroup ns      after the cgroup move, so the cgroup root is ours
 *   time ns                unshare, parent writes offsets, enter via time_for_children
 *   lo up                  new network namespace
 *   hostname, domainname   new UTS namespace
 *   session keyring        unless --no-new-keyring
 *   rootfs_mount_all
 *   HOOKS_REQUEST          parent runs prestart + createRuntime (runtime namespace)
 *   createContainer hooks  container namespaces, before pivot
 *   rootfs_pivot, sysctl, terminal, LSM labels, personality, scheduler
 *   rlimits, oomScoreAdj, umask, cwd, executable lookup
 *   READY, then the start gate
 *   startContainer hooks, creds, close fds, seccomp, execve
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../cgroups/cgroup.h"
#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/util.h"
#include "../../netns/netns.h"
#include "../../sentry/sentry.h"
#include "creds.h"
#include "hooks.h"
#include "lsm.h"
#include "process_attrs.h"
#include "process_setup.h"
#include "rootfs.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

/* Send the error to the parent and exit: nothing of the container runs. */
__attribute__((noreturn)) static void init_fail(struct init_ctx *ctx, strata_error_t *err)
{
	sync_send_error(ctx->sync_fd, *err);
	_exit(1);
}

static int become_userns_root(strata_error_t *err)
{
	/* Inside a new user namespace we start as the overflow ids; 0 is the
	 * mapped container root that owns every namespace we created. */
	if (setresgid(0, 0, 0) < 0)
		return strata_error_errno(err, errno, "setresgid(0) in the user namespace (is gid 0 mapped?)");
	if (setresuid(0, 0, 0) < 0)
		return strata_error_errno(err, errno, "setresuid(0) in the user namespace (is uid 0 mapped?)");
	return 0;
}

static int enter_time_ns(struct init_ctx *ctx, strata_error_t *err)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return strata_error_errno(err, errno, "unshare time namespace");
	if (ctx->config->linux_->time_offsets_len > 0) {
		struct sync_msg m;
		if (sync_send(ctx->sync_fd, SYNC_TIMENS_REQUEST, 0, NULL, 0) < 0)
			return strata_error_errno(err, errno, "send TIMENS_REQUEST");
		if (sync_expect(ctx->sync_fd, SYNC_TIMENS_DONE, &m, err) < 0)
			return -1;
		sync_msg_clear(&m);
	}
	_cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0)
		return strata_error_errno(err, errno, "enter the new time namespace");
	return 0;
}

static int set_names(const struct oci_config *c, strata_error_t *err)
{
	if (c->hostname != NULL && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return strata_error_errno(err, errno, "sethostname `%s`", c->hostname);
	if (c->domainname != NULL && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return strata_error_errno(err, errno, "setdomainname `%s`", c->domainname);
	return 0;
}

static int join_session_keyring(const char *id, strata_error_t *err)
{
	/* A fresh session keyring per container, so containers never share
	 * keys through the caller's session keyring. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, id) < 0 && errno != ENOSYS)
		return strata_error_errno(err, errno, "join session keyring `%s`", id);
	return 0;
}

/* The container's environment: process.env, plus HOME when missing (as runc),
 * plus LISTEN_FDS/LISTEN_PID for systemd socket activation. */
static char **build_env(struct init_ctx *ctx)
{
	const struct oci_process *p = ctx->config->process;
	size_t n = p->env_len;
	char **env = calloc(n + 4, sizeof(char *));
	if (env == NULL)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (ctx->listen_fds > 0 &&
		    (strncmp(p->env[i], "LISTEN_FDS=", 11) == 0 || strncmp(p->env[i], "LISTEN_PID=", 11) == 0))
			continue;
		env[k++] = p->env[i];
	}
	if (env_lookup(env, "HOME") == NULL) {
		_cleanup_free_ char *home = passwd_home(p->user.uid);
		if (home != NULL && asprintf(&env[k], "HOME=%s", home) >= 0)
			k++;
	}
	if (ctx->listen_fds > 0) {
		/* LISTEN_PID must name the process that receives the fds: the
		 * container's init as seen in its own pid namespace. */
		if (asprintf(&env[k], "LISTEN_FDS=%d", ctx->listen_fds) >= 0)
			k++;
		if (asprintf(&env[k], "LISTEN_PID=%d", (int)getpid()) >= 0)
			k++;
	}
	env[k] = NULL;
	return env;
}

static int enter_cwd(const char *cwd, strata_error_t *err)
{
	if (mkdir_p(cwd, 0755, err) < 0)
		return strata_error_wrap(err, "process.cwd");
	if (chdir(cwd) < 0)
		return strata_error_errno(err, errno, "chdir to process.cwd `%s`", cwd);
	/* The cwd must be inside the container's root: a leaked directory fd or a
	 * path outside the new root shows up as "(unreachable)" (CVE-2024-21626). */
	char buf[4096];
	if (getcwd(buf, sizeof(buf)) == NULL)
		return strata_error_errno(err, errno, "process.cwd `%s` is outside the container", cwd);
	return 0;
}

/*
 * Open the FIFO through the O_PATH fd: blocks until `start` opens it for
 * reading; then write one byte.  The returned fd (close-on-exec) stays open
 * until execve: `start` reads until EOF, so it returns (and runs poststart
 * hooks) only once the container's program is executing, as the spec asks.
 */
static int pass_start_gate(int fifo_path_fd, strata_error_t *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo_path_fd);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open exec fifo `%s`", path);
	if (write_all(fd, "0", 1) < 0) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "write exec fifo");
	}
	return fd;
}

/* Every fd above the ones the container gets is marked close-on-exec, so no
 * runtime fd (log file, sockets, host directories) crosses execve into the
 * container: a leaked host fd is a container escape (CVE-2024-21626).  The
 * fds the caller asked to pass (--preserve-fds, LISTEN_FDS) lose their
 * close-on-exec flag. */
static int close_runtime_fds(struct init_ctx *ctx, strata_error_t *err)
{
	int keep = 3 + ctx->opts->preserve_fds + ctx->listen_fds;
	for (int fd = 3; fd < keep; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (syscall(SYS_close_range, (unsigned)keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "close_range");
	return 0;
}

__attribute__((noreturn)) static void exec_container(struct init_ctx *ctx, int fifo_fd, const char *state_json,
						    int listener_fd)
{
	_cleanup_error_ strata_error_t err = NULL;
	const struct oci_config *c = ctx->config;
	const struct oci_process *p = c->process;
	_cleanup_free_ char *exe = NULL;
	char **env = build_env(ctx);
	if (env == NULL) {
		strata_error_errno(&err, ENOMEM, "build environment");
		init_fail(ctx, &err);
	}
	if (exec_path_resolve(p->args[0], env, &exe, &err) < 0)
		init_fail(ctx, &err);
	/* A bad capability name must fail `create`, not the program after `start`. */
	if (creds_check(p, &err) < 0)
		init_fail(ctx, &err);

	/* Setup is complete: the parent may return from `create`.  From now on
	 * the parent is gone; errors go to the log. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (sync_send(ctx->sync_fd, SYNC_READY, 0, NULL, 0) < 0)
		_exit(1);
	close(ctx->sync_fd);
	ctx->sync_fd = -1;

	int gate_fd = -1;
	gate_fd = pass_start_gate(fifo_fd, &err);
	if (gate_fd < 0)
		goto fail;
	close(fifo_fd);
	if (c->hooks != NULL && hooks_run(c->hooks->start_container, c->hooks->start_container_len, "startContainer",
					  state_json, &err) < 0)
		goto fail;

	bool seccomp_early = ctx->level == ISOLATION_NATIVE && seccomp_load_before_creds(c);
	if (seccomp_early && seccomp_apply_with_listener(c, state_json, listener_fd, &err) < 0)
		goto fail;
	if (creds_apply(p, &err) < 0)
		goto fail;
	if (close_runtime_fds(ctx, &err) < 0)
		goto fail;
	if (ctx->level == ISOLATION_SENTRY) {
		/* The sentry never execs: release `start` now. */
		close(gate_fd);
		gate_fd = -1;
		/* As execve would: the sentry must be able to ptrace its tasks,
		 * which inherit this flag from it. */
		prctl(PR_SET_DUMPABLE, 1);
		/* The sentry implements the container's syscalls itself; the
		 * container's seccomp filter is not applied to it. */
		sentry_run_container(c, &err);
		goto fail;
	}
	if (process_affinity_final(p, &err) < 0)
		goto fail;
	/* Last thing before execve: the filter also limits what we may still call. */
	if (!seccomp_early && seccomp_apply_with_listener(c, state_json, listener_fd, &err) < 0)
		goto fail;
	execve(exe, p->args, env);
	strata_error_errno(&err, errno, "exec: \"%s\"", p->args[0]);
fail:
	log_error("%s", err != NULL ? err->msg : "container init failed");
	/* `start` is still reading the FIFO: after the gate byte, any text is
	 * the reason the process could not be started, and start fails with it. */
	if (gate_fd >= 0 && err != NULL)
		(void)write_all(gate_fd, err->msg, strlen(err->msg));
	_exit(127);
}

void native_init_run(struct init_ctx *ctx)
{
	_cleanup_error_ strata_error_t err = NULL;
	const struct oci_config *c = ctx->config;
	const struct oci_process *p = c->process;
	struct sync_msg m;

	/* Die with `create` while setting up; cleared before READY. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Until execve the init holds runtime fds (log file, FIFO, sockets): a
	 * process `exec`ed into the created container must not ptrace it or open
	 * /proc/<init>/fd (CVE-2016-9962 class).  execve makes the program dumpable again. */
	prctl(PR_SET_DUMPABLE, 0);
	/* The container starts with default signal dispositions and nothing
	 * blocked, whatever the caller (shim, conmon, `strata run`) had: ignored
	 * dispositions and the mask would otherwise survive execve. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (sync_expect(ctx->sync_fd, SYNC_CONTINUE, &m, &err) < 0)
		_exit(1);
	sync_msg_clear(&m);

	/* Join the container's cgroup v1 hierarchies before anything else (the
	 * cgroup namespace below is rooted where the init is), then close the
	 * host's cgroup files. */
	if (ctx->cgroup_tasks_n > 0) {
		int rc = cgroup_join_self(ctx->cgroup_tasks_fds, ctx->cgroup_tasks_n);
		int e = errno;
		for (size_t i = 0; i < ctx->cgroup_tasks_n; i++)
			close(ctx->cgroup_tasks_fds[i]);
		if (rc < 0) {
			strata_error_errno(&err, e, "join cgroup");
			init_fail(ctx, &err);
		}
	}

	/* The container's init leads a new session and process group whether
	 * or not process.terminal is set, as runc's does: otherwise it stays in
	 * the caller's session and group, so the caller's job control (a
	 * terminal's ^C/^Z to its foreground group, kill(-pgrp)) reaches it, and
	 * whether its group counts as orphaned (SIGTSTP/SIGTTIN/SIGTTOU then
	 * discarded: setpgid(2)) depends on who ran strata.
	 * terminal_setup's own setsid then finds us leader already. */
	if (setsid() < 0 && getsid(0) != getpid()) {
		strata_error_errno(&err, errno, "setsid");
		init_fail(ctx, &err);
	}

	if (ctx->plan->new_ns[OCI_NS_USER] && become_userns_root(&err) < 0)
		init_fail(ctx, &err);
	if (ctx->plan->new_ns[OCI_NS_CGROUP] && unshare(CLONE_NEWCGROUP) < 0) {
		strata_error_errno(&err, errno, "unshare cgroup namespace");
		init_fail(ctx, &err);
	}
	if (ctx->plan->new_ns[OCI_NS_TIME] && enter_time_ns(ctx, &err) < 0)
		init_fail(ctx, &err);
	if (ctx->plan->new_ns[OCI_NS_NETWORK] && netns_loopback_up(&err) < 0)
		init_fail(ctx, &err);
	if (set_names(c, &err) < 0)
		init_fail(ctx, &err);
	if (!ctx->opts->no_new_keyring && join_session_keyring(ctx->id, &err) < 0)
		init_fail(ctx, &err);

	int fifo_fd = ctx->fifo_fd;
	int listener_fd = -1;
	if (ctx->level == ISOLATION_NATIVE && seccomp_listener_connect(c, &listener_fd, &err) < 0)
		init_fail(ctx, &err);

	if (rootfs_mount_all(c, ctx->rootfs, &err) < 0)
		init_fail(ctx, &err);

	if (sync_send(ctx->sync_fd, SYNC_HOOKS_REQUEST, 0, NULL, 0) < 0)
		_exit(1);
	if (sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, &m, &err) < 0)
		_exit(1);
	char *state_json = m.payload; /* kept for the hooks and seccomp below */
	if (c->hooks != NULL && hooks_run(c->hooks->create_container, c->hooks->create_container_len,
					  "createContainer", state_json != NULL ? state_json : "{}", &err) < 0)
		init_fail(ctx, &err);

	if (rootfs_pivot(c, ctx->rootfs, ctx->opts->no_pivot, &err) < 0)
		init_fail(ctx, &err);
	if (sysctl_apply(c, &err) < 0)
		init_fail(ctx, &err);
	if (p->terminal && terminal_setup(p, ctx->console_fd, &err) < 0)
		init_fail(ctx, &err);
	if (ctx->console_fd >= 0) {
		close(ctx->console_fd);
		ctx->console_fd = -1;
	}
	if (lsm_apply(p, c->linux_ != NULL ? c->linux_->mount_label : NULL, &err) < 0)
		init_fail(ctx, &err);
	if (c->linux_ != NULL && personality_apply(c->linux_->personality, &err) < 0)
		init_fail(ctx, &err);
	if (process_attrs_apply(p, &err) < 0)
		init_fail(ctx, &err);
	if (rlimits_apply(p, &err) < 0 || oom_score_adj_apply(p, &err) < 0)
		init_fail(ctx, &err);
	umask(p->user.has_umask ? (mode_t)p->user.umask : 0022);
	if (enter_cwd(p->cwd != NULL ? p->cwd : "/", &err) < 0)
		init_fail(ctx, &err);
	exec_container(ctx, fifo_fd, state_json != NULL ? state_json : "{}", listener_fd);
}
