/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_exec.c - `strata exec [flags] ID [COMMAND [ARG...]]`: run a new
 * process in a running container (runc exec's flags and behaviour).
 *
 *   --process|-p FILE     a runtime-spec process JSON (else COMMAND...)
 *   --detach|-d           return once the process runs; its host pid goes
 *                         to --pid-file and the caller reaps it
 *   --pid-file FILE       the process's host pid (decimal, no newline)
 *   --tty|-t              allocate a pty; --console-socket SOCK receives
 *                         the master (without it, exec relays the pty itself)
 *   --preserve-fds N      pass fds 3..3+N-1
 *   --env|-e, --cwd, --user|-u uid[:gid], --additional-gids|-g, --cap|-c,
 *   --no-new-privs, --apparmor, --process-label   (inline mode)
 *
 * Without --detach the exit status is the process's (128+N when killed by
 * signal N), and signals strata receives are forwarded to it.
 *
 * At the vm level the process runs in the guest: exec sends it to the VMM's
 * exec socket (vm_exec_client.h) and relays its stdin, stdout, stderr,
 * signals and exit status.  With --detach a relay process stays
 * connected and exits with the process's status: its pid is what
 * --pid-file gets (the process's own pid is a guest pid).  --tty,
 * --console-socket and --preserve-fds are refused there.
 * Source: runc exec(8); client-contract.md §3.1, §3.2 (containerd shim and
 * conmon argv); runtime-spec runtime.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "commands.h"
#include "container.h"
#include "exec_join.h"
#include "exec_process.h"
#include "native/sync.h"
#include "native/terminal.h"
#include "options.h"
#include "vm_exec_client.h"

struct exec_opts {
	const char *process;
	bool detach;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	struct exec_inline in;
};

static int connect_console(const char *path, int min_fd, strata_error_t *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return strata_error_set(err, ENAMETOOLONG, "console socket path `%s` is too long", path);
	strcpy(sa.sun_path, path);
	int fd = exec_fd_above(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), min_fd);
	if (fd < 0)
		return strata_error_errno(err, errno, "console socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "connect console socket `%s`", path);
	}
	return fd;
}

/* The process's exit status as a shell reports it: code, or 128+signal. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/*
 * Wait for the exec'd process (our child through PR_SET_CHILD_SUBREAPER),
 * forwarding the signals strata gets to it.  `mask` is the set blocked
 * before the fork.  Other orphans re-parented to us are reaped too.
 */
static int wait_forwarding(pid_t pid, const sigset_t *mask, strata_error_t *err)
{
	_cleanup_close_ int sfd = signalfd(-1, mask, SFD_CLOEXEC);
	if (sfd < 0)
		return strata_error_errno(err, errno, "signalfd");
	for (;;) {
		int status;
		pid_t r;
		while ((r = waitpid(-1, &status, WNOHANG)) > 0)
			if (r == pid)
				return exit_code(status);
		if (r < 0 && errno == ECHILD)
			return strata_error_set(err, ECHILD, "the exec'd process %d is not our child", (int)pid);
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			return strata_error_errno(err, errno, "read signalfd");
		if (si.ssi_signo != SIGCHLD)
			kill(pid, (int)si.ssi_signo);
	}
}

static int write_pid_file(const char *path, pid_t pid, strata_error_t *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	return write_file_atomic(path, buf, (size_t)n, 0644, err);
}

static int check_container(struct container *c, strata_error_t *err)
{
	switch (container_status(c)) {
	case CONTAINER_STOPPED:
		return strata_error_set(err, ESRCH, "cannot exec in a stopped container: container not running");
	case CONTAINER_PAUSED:
		return strata_error_set(err, EBUSY, "cannot exec in a paused container");
	default:
		break;
	}
	if (c->state.level == ISOLATION_SENTRY)
		return strata_error_set(err, ENOTSUP, "exec is not implemented for the sentry isolation level");
	return 0;
}

/* The signals exec forwards to the process: all but the synchronous ones. */
static void forward_set(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGFPE);
}

/* exec at the vm level (see the top of this file). */
static int run_exec_vm(struct container *c, const struct oci_config *config, struct exec_opts *o,
		       strata_error_t *err)
{
	if (o->in.tty || o->console_socket != NULL)
		return strata_error_set(err, ENOTSUP, "exec --tty/--console-socket is not supported at the vm level");
	if (o->preserve_fds > 0)
		return strata_error_set(err, ENOTSUP, "exec --preserve-fds is not supported at the vm level");
	/* Parsed here too, so a bad process fails with the same message as at
	 * the native level, before anything reaches the guest. */
	struct exec_process proc;
	int r = o->process != NULL ? exec_process_load(o->process, false, config, &proc, err)
				   : exec_process_inline(&o->in, config, &proc, err);
	if (r < 0)
		return -1;
	struct vm_exec_client cl = { .fd = -1 };
	int ret = -1;
	if (proc.eff.terminal) {
		strata_error_set(err, ENOTSUP, "process.terminal is not supported by exec at the vm level");
		goto out;
	}
	if (vm_exec_client_connect(c->dir_fd, &cl, err) < 0 ||
	    vm_exec_client_start(&cl, proc.json, proc.json_len, true, err) < 0)
		goto out;
	/* The process runs: `kill` and `delete` must not wait behind us. */
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
	sigset_t fwd, old;
	forward_set(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	if (o->detach) {
		/* The relay stays connected and exits with the process's status:
		 * a containerd shim waits on the pid in --pid-file. */
		pid_t relay = fork();
		if (relay < 0) {
			strata_error_errno(err, errno, "fork the exec relay");
			goto out;
		}
		if (relay == 0) {
			_cleanup_error_ strata_error_t rerr = NULL;
			int st = vm_exec_client_relay(&cl, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, &fwd, &rerr);
			if (st < 0)
				log_error("%s", rerr->msg);
			_exit(st < 0 ? 255 : st);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (o->pid_file != NULL && write_pid_file(o->pid_file, relay, err) < 0) {
			kill(relay, SIGKILL);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (o->pid_file != NULL && write_pid_file(o->pid_file, getpid(), err) < 0)
		goto out;
	ret = vm_exec_client_relay(&cl, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, &fwd, err);
out:
	vm_exec_client_close(&cl);
	exec_process_free(&proc);
	return ret;
}

static int run_exec(const struct strata_global_opts *g, const char *id, struct exec_opts *o, strata_error_t *err)
{
	_cleanup_container_ struct container *c = NULL;
	const struct oci_config *config = NULL;
	if (container_load(g->root, id, CONTAINER_LOCK_SHARED, &c, err) < 0 || check_container(c, err) < 0 ||
	    container_config(c, &config, err) < 0)
		return -1;
	if (c->state.level == ISOLATION_VM)
		return run_exec_vm(c, config, o, err);
	struct exec_process proc;
	int r = o->process != NULL ? exec_process_load(o->process, o->in.tty, config, &proc, err)
				   : exec_process_inline(&o->in, config, &proc, err);
	if (r < 0)
		return -1;
	struct oci_config cfg = *config;
	cfg.process = &proc.eff;

	int min_fd = 3 + o->preserve_fds;
	int ret = -1, relay[2] = { -1, -1 }, console_fd = -1, pair[2] = { -1, -1 };
	pid_t joiner = -1, pid = -1;
	struct exec_target t;
	_cleanup_free_ char *state_json = container_state_json(c, false, err);
	memset(&t, 0, sizeof(t));
	t.root_fd = -1;
	for (int i = 0; i < OCI_NS__COUNT; i++)
		t.ns_fd[i] = -1;
	if (state_json == NULL)
		goto out;
	pid_t init = container_init_pid(c);
	if (init == 0) {
		strata_error_set(err, ESRCH, "cannot exec in a stopped container: container not running");
		goto out;
	}
	if (exec_target_open(init, min_fd, &t, err) < 0)
		goto out;
	t.cgroup = c->cgroup;

	if (proc.eff.terminal) {
		if (o->console_socket != NULL) {
			if ((console_fd = connect_console(o->console_socket, min_fd, err)) < 0)
				goto out;
		} else if (o->detach) {
			strata_error_set(err, EINVAL, "cannot allocate tty if strata will detach without setting console socket");
			goto out;
		} else {
			if (terminal_attach_socketpair(relay, err) < 0)
				goto out;
			relay[0] = exec_fd_above(relay[0], min_fd);
			relay[1] = exec_fd_above(relay[1], min_fd);
			console_fd = relay[1];
		}
	} else if (o->console_socket != NULL) {
		strata_error_set(err, EINVAL, "cannot use console socket if strata will not allocate tty");
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		strata_error_errno(err, errno, "socketpair");
		goto out;
	}
	pair[0] = exec_fd_above(pair[0], min_fd);
	pair[1] = exec_fd_above(pair[1], min_fd);

	/* Without --detach we wait for the process, so it must become our child
	 * when the joiner exits. */
	if (!o->detach && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		strata_error_errno(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
		goto out;
	}
	sigset_t fwd, old;
	forward_set(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, &old);

	struct exec_setup s = { .config = &cfg, .state_json = state_json, .console_fd = console_fd,
				.preserve_fds = o->preserve_fds, .sync_fd = pair[1] };
	joiner = fork();
	if (joiner < 0) {
		strata_error_errno(err, errno, "fork");
		goto out;
	}
	if (joiner == 0) {
		/* The shared lock stays with `exec` only: a child holding the
		 * lock fd would keep `delete` waiting until it exits. */
		if (c->lock_fd >= 0)
			close(c->lock_fd);
		close(pair[0]);
		if (relay[0] >= 0)
			close(relay[0]);
		exec_join_run(&t, &s);
	}
	close(pair[1]);
	pair[1] = -1;
	if (console_fd >= 0 && console_fd != relay[1])
		close(console_fd);
	console_fd = -1;
	if (relay[1] >= 0)
		close(relay[1]);
	relay[1] = -1;

	struct sync_msg m = { 0 };
	if (sync_expect(pair[0], SYNC_INIT_PID, &m, err) < 0) {
		waitpid(joiner, NULL, 0);
		goto out;
	}
	pid = (pid_t)m.value;
	sync_msg_clear(&m);
	waitpid(joiner, NULL, 0);
	/* EOF: execve succeeded (close-on-exec closed the child's end). */
	if (sync_recv(pair[0], &m) < 0) {
		strata_error_errno(err, errno, "read from the exec'd process");
		goto out;
	}
	if (m.type == SYNC_ERROR) {
		strata_error_set(err, m.value != 0 ? m.value : EINVAL, "%s", m.payload != NULL ? m.payload : "exec failed");
		sync_msg_clear(&m);
		if (!o->detach)
			waitpid(pid, NULL, 0);
		goto out;
	}
	sync_msg_clear(&m);
	if (o->pid_file != NULL && write_pid_file(o->pid_file, pid, err) < 0)
		goto out;
	/* The process runs: `kill` and `delete` must not wait behind us. */
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
	if (o->detach) {
		ret = 0;
		goto out;
	}
	if (relay[0] >= 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (terminal_run_attach(relay[0], pid, err) < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto out;
		}
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		ret = exit_code(status);
		goto out;
	}
	ret = wait_forwarding(pid, &fwd, err);
out:
	exec_target_close(&t);
	for (int i = 0; i < 2; i++) {
		if (pair[i] >= 0)
			close(pair[i]);
		if (relay[i] >= 0)
			close(relay[i]);
	}
	if (console_fd >= 0)
		close(console_fd);
	exec_process_free(&proc);
	return ret;
}

int cmd_exec(const struct strata_global_opts *g, int argc, char **argv)
{
	struct exec_opts o = { 0 };
	const char *preserve = NULL;
	const struct opt_spec specs[] = {
		{ "process", 'p', OPT_STRING, &o.process },
		{ "detach", 'd', OPT_BOOL, &o.detach },
		{ "pid-file", 0, OPT_STRING, &o.pid_file },
		{ "console-socket", 0, OPT_STRING, &o.console_socket },
		{ "tty", 't', OPT_BOOL, &o.in.tty },
		{ "preserve-fds", 0, OPT_STRING, &preserve },
		{ "env", 'e', OPT_STRV, &o.in.env },
		{ "cwd", 0, OPT_STRING, &o.in.cwd },
		{ "user", 'u', OPT_STRING, &o.in.user },
		{ "additional-gids", 'g', OPT_STRV, &o.in.additional_gids },
		{ "cap", 'c', OPT_STRV, &o.in.caps },
		{ "no-new-privs", 0, OPT_BOOL, &o.in.no_new_privs },
		{ "apparmor", 0, OPT_STRING, &o.in.apparmor },
		{ "process-label", 0, OPT_STRING, &o.in.process_label },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	int first = 0, ret = 1;
	if (opts_parse(specs, argc, argv, &first, &err) < 0)
		goto fail;
	if (preserve != NULL) {
		char *end = NULL;
		long n = strtol(preserve, &end, 10);
		if (end == preserve || *end != '\0' || n < 0 || n > 65536) {
			strata_error_set(&err, EINVAL, "invalid value `%s` for flag -preserve-fds", preserve);
			goto fail;
		}
		o.preserve_fds = (int)n;
	}
	if (first >= argc) {
		strata_error_set(&err, EINVAL, "\"exec\" requires a minimum of 1 argument(s)");
		goto fail;
	}
	if (o.process == NULL && first + 1 >= argc) {
		strata_error_set(&err, EINVAL, "\"exec\" requires a minimum of 2 arguments when --process is not given");
		goto fail;
	}
	o.in.args = argv + first + 1;
	o.in.args_len = argc - first - 1;
	ret = run_exec(g, argv[first], &o, &err);
	if (ret < 0)
		goto fail;
	goto out;
fail:
	log_error("%s", err != NULL ? err->msg : "exec failed");
	ret = 1;
out:
	opts_strv_free(&o.in.env);
	opts_strv_free(&o.in.additional_gids);
	opts_strv_free(&o.in.caps);
	return ret;
}
