/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_run.c - `strata run [create's flags] [--detach|-d] [--keep] ID`:
 * create + start + wait.  Exits with the container's status (128+N when its
 * init was killed by signal N); without --keep the container is deleted
 * after it exits.  Signals sent to `strata run` are forwarded to the init.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "lifecycle.h"
#include "native/terminal.h"
#include "options.h"

/* The signals a foreground runtime passes on to the container, as runc does:
 * every asynchronous one (the job-control stops included: the container has
 * a session of its own, so a terminal's ^Z reaches it only through us), plus
 * the real-time signals (sigset_forwarded).  Not SIGCHLD (ours), nor the
 * synchronous faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS), nor
 * SIGURG (runc leaves it: its Go runtime preempts with it). */
static const int forwarded[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGTERM, SIGUSR1,   SIGUSR2, SIGWINCH, SIGCONT,
				 SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU, SIGVTALRM, SIGPROF, SIGXCPU,  SIGXFSZ,
				 SIGIO,   SIGPWR,  SIGPIPE };

/* Fill *set with the forwarded signals: the list above and SIGRTMIN..SIGRTMAX. */
static void sigset_forwarded(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
}

/* Wait for pid (our child) while forwarding signals; returns its wait status. */
static int wait_forwarding(pid_t pid, const sigset_t *set)
{
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return 0;
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig > 0 && sig != SIGCHLD)
			kill(pid, sig);
	}
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int cmd_run(const struct strata_global_opts *g, int argc, char **argv)
{
	struct create_opts o = { .console_fd = -1 };
	bool detach = false, keep = false;
	const struct opt_spec specs[] = {
		{ "bundle", 'b', OPT_STRING, &o.bundle },
		{ "pid-file", 0, OPT_STRING, &o.pid_file },
		{ "console-socket", 0, OPT_STRING, &o.console_socket },
		{ "no-pivot", 0, OPT_BOOL, &o.no_pivot },
		{ "no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring },
		{ "preserve-fds", 0, OPT_INT, &o.preserve_fds },
		{ "detach", 'd', OPT_BOOL, &detach },
		{ "keep", 0, OPT_BOOL, &keep },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	const char *id = NULL;
	int pair[2] = { -1, -1 };
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("run", argc, argv, first, &err)) == NULL)
		goto fail;
	if (detach && keep) {
		strata_error_set(&err, EINVAL, "--detach and --keep cannot both be given");
		goto fail;
	}

	/* Block the forwarded signals before the container exists, so none is
	 * lost between start and the wait; the init unblocks them for itself. */
	sigset_t set, old;
	sigset_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	if (!detach) {
		/* An ignored signal is discarded, never seen by sigwaitinfo: undo
		 * what the caller ignored, so it is forwarded too. */
		for (int sig = 1; sig < NSIG; sig++)
			if (sigismember(&set, sig) == 1 && sig != SIGCHLD)
				signal(sig, SIG_DFL);
		sigprocmask(SIG_BLOCK, &set, &old);
	}

	/* Without --console-socket a terminal container's pty comes back to `run`
	 * itself over a socketpair; the init uses it only when process.terminal. */
	if (!detach && o.console_socket == NULL) {
		if (terminal_attach_socketpair(pair, &err) < 0)
			goto fail;
		o.console_fd = pair[1];
	}
	if (lifecycle_create(g, id, &o, &c, &err) < 0)
		goto fail;
	if (pair[1] >= 0) {
		close(pair[1]);
		pair[1] = -1;
	}
	bool relay = pair[0] >= 0 && c->config != NULL && c->config->process != NULL && c->config->process->terminal;
	pid_t pid = c->state.pid;
	if (lifecycle_start(c, &err) < 0) {
		_cleanup_error_ strata_error_t derr = NULL;
		if (lifecycle_delete(c, true, &derr) < 0)
			log_warning("%s", derr->msg);
		goto fail;
	}
	if (detach)
		return 0;
	/* Drop the lock while the container runs: state, kill, ps must work meanwhile. */
	container_free(steal_pointer(&c));

	if (relay) {
		_cleanup_error_ strata_error_t terr = NULL;
		if (terminal_run_attach(pair[0], pid, &terr) < 0)
			log_warning("%s", terr->msg);
	}
	if (pair[0] >= 0) {
		close(pair[0]);
		pair[0] = -1;
	}
	int status = wait_forwarding(pid, &set);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int code = exit_code(status);
	if (!keep) {
		if (container_load(g->root, id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0 ||
		    lifecycle_delete(c, true, &err) < 0)
			log_error("%s", err->msg);
	}
	return code;
fail:
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	log_error("%s", err->msg);
	return 1;
}
