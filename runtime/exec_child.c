/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_child.c - the exec'd process inside the container, from the joined
 * namespaces to execve (see exec_join.h, exec_child_run).
 *
 * Order (each step says why it sits where it does):
 *   chroot into the init's root     the mount namespace's root may not be it (--no-pivot)
 *   setsid                          a session of its own, as the init's
 *   terminal                        the container's devpts, before identity changes
 *   LSM labels, scheduler, rlimits, oomScoreAdj, umask, cwd
 *   executable lookup               in the container's root and PATH
 *   creds, fds close-on-exec, seccomp (last: it judges only the container program)
 */
#include "exec_join.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "native/creds.h"
#include "native/lsm.h"
#include "native/process_attrs.h"
#include "native/process_setup.h"
#include "native/seccomp.h"
#include "native/sync.h"
#include "native/terminal.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

__attribute__((noreturn)) static void child_fail(const struct exec_setup *s, strata_error_t *err)
{
	sync_send_error(s->sync_fd, *err);
	_exit(127);
}

/*
 * A pty for the exec'd process from the container's own devpts instance;
 * the master goes to the console socket.  Unlike the init's terminal, no
 * /dev/console bind mount: the exec'd process must not change the
 * container's mounts.
 */
static int exec_terminal(const struct oci_process *p, int console_fd, strata_error_t *err)
{
	if (console_fd < 0)
		return strata_error_set(err, EINVAL, "process.terminal is true but there is no console socket");
	_cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 && errno == ENOENT)
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return strata_error_errno(err, errno, "open `/dev/pts/ptmx` in the container");
	int unlock = 0;
	unsigned int ptn = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		return strata_error_errno(err, errno, "unlockpt");
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", ptn);
	/* TIOCGPTPEER: the slave of this very master, no path lookup to race. */
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return strata_error_errno(err, errno, "open the pty slave `%s`", name);
	if (p->console_size != NULL) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_size->height,
				      .ws_col = (unsigned short)p->console_size->width };
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (terminal_send_fd(console_fd, master, name, err) < 0)
		return -1;
	if (setsid() < 0 && getsid(0) != getpid())
		return strata_error_errno(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return strata_error_errno(err, errno, "TIOCSCTTY `%s`", name);
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return strata_error_errno(err, errno, "dup2 the pty onto fd %d", fd);
	return 0;
}

/* process.env plus HOME when it is missing (as runc does). */
static char **build_env(const struct oci_process *p)
{
	char **env = calloc(p->env_len + 2, sizeof(char *));
	if (env == NULL)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < p->env_len; i++)
		env[k++] = p->env[i];
	if (env_lookup(env, "HOME") == NULL) {
		_cleanup_free_ char *home = passwd_home(p->user.uid);
		if (home != NULL && asprintf(&env[k], "HOME=%s", home) >= 0)
			k++;
	}
	env[k] = NULL;
	return env;
}

static int enter_cwd(const char *cwd, strata_error_t *err)
{
	if (chdir(cwd) < 0)
		return strata_error_errno(err, errno, "chdir to cwd (\"%s\") set in config.json failed", cwd);
	/* A cwd outside the container's root (leaked fd, racing rename) reads
	 * as "(unreachable)" or fails: refuse it (CVE-2024-21626). */
	char buf[4096];
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return strata_error_set(err, EPERM, "cwd `%s` is outside the container", cwd);
	return 0;
}

/* Every fd above 2 and the preserved ones becomes close-on-exec: no runtime
 * fd (namespaces, the host root, the log, sockets) may cross execve into the
 * container (CVE-2024-21626).  Preserved fds lose the flag. */
static int close_runtime_fds(int preserve_fds, strata_error_t *err)
{
	int keep = 3 + preserve_fds;
	for (int fd = 3; fd < keep; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (syscall(SYS_close_range, (unsigned)keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "close_range");
	return 0;
}

void exec_child_run(const struct exec_target *t, const struct exec_setup *s)
{
	_cleanup_error_ strata_error_t err = NULL;
	const struct oci_config *c = s->config;
	const struct oci_process *p = c->process;

	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);

	/* The root of the container's init, not whatever the mount namespace's
	 * root is: with --no-pivot the init lives in a chroot. */
	if (fchdir(t->root_fd) < 0 || chroot(".") < 0) {
		strata_error_errno(&err, errno, "enter the container's root");
		child_fail(s, &err);
	}
	if (chdir("/") < 0) {
		strata_error_errno(&err, errno, "chdir /");
		child_fail(s, &err);
	}
	/* Its own session, terminal or not, as the init's (runc does the same):
	 * job control inside is the container's, not the caller's. */
	if (setsid() < 0 && getsid(0) != getpid()) {
		strata_error_errno(&err, errno, "setsid");
		child_fail(s, &err);
	}
	if (p->terminal && exec_terminal(p, s->console_fd, &err) < 0)
		child_fail(s, &err);
	if (s->console_fd >= 0)
		close(s->console_fd);
	if (lsm_apply(p, NULL, &err) < 0)
		child_fail(s, &err);
	if (process_attrs_apply(p, &err) < 0 || rlimits_apply(p, &err) < 0)
		child_fail(s, &err);
	if (oom_score_adj_apply(p, &err) < 0) {
		/* Lowering the score needs CAP_SYS_RESOURCE, which some hosts lack;
		 * the process still runs, as the init's score is inherited. */
		log_warning("%s", err->msg);
		strata_error_free(&err);
	}
	umask(p->user.has_umask ? (mode_t)p->user.umask : 0022);
	if (enter_cwd(p->cwd != NULL ? p->cwd : "/", &err) < 0)
		child_fail(s, &err);
	char **env = build_env(p);
	_cleanup_free_ char *exe = NULL;
	if (env == NULL) {
		strata_error_errno(&err, ENOMEM, "build environment");
		child_fail(s, &err);
	}
	if (exec_path_resolve(p->args[0], env, &exe, &err) < 0)
		child_fail(s, &err);

	bool seccomp_early = seccomp_load_before_creds(c);
	if (seccomp_early && seccomp_apply(c, s->state_json, &err) < 0)
		child_fail(s, &err);
	if (creds_apply(p, &err) < 0)
		child_fail(s, &err);
	if (close_runtime_fds(s->preserve_fds, &err) < 0)
		child_fail(s, &err);
	if (process_affinity_final(p, &err) < 0)
		child_fail(s, &err);
	/* Last before execve: the filter also limits what we may still call. */
	if (!seccomp_early && seccomp_apply(c, s->state_json, &err) < 0)
		child_fail(s, &err);
	execve(exe, p->args, env);
	strata_error_errno(&err, errno, "exec: \"%s\"", p->args[0]);
	child_fail(s, &err);
}
