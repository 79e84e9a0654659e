/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hooks.c - run lifecycle hooks with the state on stdin and a timeout.
 * See hooks.h.
 */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

extern char **environ;

#define HOOK_TAIL 512

/* The tail of a hook's output: a ring of the last HOOK_TAIL bytes. */
struct tail {
	char buf[HOOK_TAIL];
	size_t len;   /* bytes held, <= HOOK_TAIL */
	size_t start; /* index of the oldest byte */
};

static void tail_add(struct tail *t, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t->len < HOOK_TAIL) {
			t->buf[(t->start + t->len) % HOOK_TAIL] = data[i];
			t->len++;
		} else {
			t->buf[t->start] = data[i];
			t->start = (t->start + 1) % HOOK_TAIL;
		}
	}
}

/* Linear copy of the tail, trailing whitespace removed, newlines shown as "; ". */
static void tail_text(const struct tail *t, char *out, size_t out_size)
{
	size_t o = 0;
	for (size_t i = 0; i < t->len && o + 2 < out_size; i++) {
		char c = t->buf[(t->start + i) % HOOK_TAIL];
		if (c == '\n') {
			out[o++] = ';';
			out[o++] = ' ';
		} else if ((unsigned char)c < 0x20 && c != '\t') {
			out[o++] = '?';
		} else {
			out[o++] = c;
		}
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ';'))
		o--;
	out[o] = '\0';
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A memfd holding the state, positioned at 0: the hook's stdin.  A file, not a
 * pipe, so a hook that never reads it can neither block us nor cause SIGPIPE. */
static int state_memfd(const char *state_json, strata_error_t *err)
{
	_cleanup_close_ int fd = memfd_create("strata-hook-state", MFD_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "memfd_create");
	const char *s = state_json ? state_json : "";
	if (write_all(fd, s, strlen(s)) < 0)
		return strata_error_errno(err, errno, "write the state for the hook");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return strata_error_errno(err, errno, "lseek");
	return steal_fd(&fd);
}

static int hook_run_one(const struct oci_hook *h, size_t index, const char *kind, const char *state_json,
			strata_error_t *err)
{
	_cleanup_close_ int in = state_memfd(state_json, err);
	if (in < 0)
		return strata_error_wrap(err, "%s hook #%zu `%s`", kind, index, h->path);
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "%s hook #%zu `%s`: pipe", kind, index, h->path);
	_cleanup_close_ int out_r = out[0];
	_cleanup_close_ int out_w = out[1];
	/* exec failures come back over this pipe (CLOEXEC: closes on success). */
	int ex[2];
	if (pipe2(ex, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "%s hook #%zu `%s`: pipe", kind, index, h->path);
	_cleanup_close_ int ex_r = ex[0];
	_cleanup_close_ int ex_w = ex[1];

	char *default_argv[] = { h->path, NULL };
	char *const *argv = (h->args != NULL && h->args_len > 0) ? h->args : default_argv;
	char *const *envp = h->env != NULL ? h->env : environ;

	pid_t pid = fork();
	if (pid < 0)
		return strata_error_errno(err, errno, "%s hook #%zu `%s`: fork", kind, index, h->path);
	if (pid == 0) {
		/* Child: only async-signal-safe calls from here on. */
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0)
			goto fail;
		execve(h->path, argv, envp);
	fail:;
		int e = errno;
		(void)!write(ex_w, &e, sizeof(e));
		_exit(127);
	}
	close(steal_fd(&out_w));
	close(steal_fd(&ex_w));

	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct tail tail = { .len = 0, .start = 0 };
	long long deadline = h->has_timeout && h->timeout > 0 ? now_ms() + (long long)h->timeout * 1000 : -1;
	bool timed_out = false, exited = false, out_open = true;

	while (!exited || out_open) {
		struct pollfd pf[2];
		int n = 0;
		if (out_open)
			pf[n++] = (struct pollfd){ .fd = out_r, .events = POLLIN };
		int pidx = -1;
		if (!exited && pidfd >= 0) {
			pidx = n;
			pf[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		}
		int wait_ms = -1;
		if (deadline >= 0 && !exited) {
			long long left = deadline - now_ms();
			wait_ms = left < 0 ? 0 : (int)left;
		}
		if (pidfd < 0 && !exited && (wait_ms < 0 || wait_ms > 50))
			wait_ms = 50; /* no pidfd: poll for the exit */
		int r = poll(pf, (nfds_t)n, wait_ms);
		if (r < 0 && errno != EINTR)
			break;
		if (out_open && n > 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[4096];
			ssize_t got = read(out_r, buf, sizeof(buf));
			if (got > 0)
				tail_add(&tail, buf, (size_t)got);
			else if (got == 0 || (errno != EINTR && errno != EAGAIN))
				out_open = false;
		}
		if (!exited && (pidfd < 0 || (pidx >= 0 && (pf[pidx].revents & POLLIN)))) {
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid) {
				exited = true;
				/* The hook may have left children holding the pipe: do not
				 * wait for them beyond what is already buffered. */
				char buf[4096];
				int fl = fcntl(out_r, F_GETFL);
				fcntl(out_r, F_SETFL, fl | O_NONBLOCK);
				ssize_t got;
				while (out_open && (got = read(out_r, buf, sizeof(buf))) > 0)
					tail_add(&tail, buf, (size_t)got);
				out_open = false;

				int exec_errno = 0;
				if (read(ex_r, &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno) &&
				    exec_errno != 0)
					return strata_error_errno(err, exec_errno, "%s hook #%zu `%s`: exec", kind, index,
								  h->path);
				char text[HOOK_TAIL * 2 + 8];
				tail_text(&tail, text, sizeof(text));
				const char *sep = text[0] ? ": " : "";
				if (timed_out)
					return strata_error_set(err, ETIMEDOUT, "%s hook #%zu `%s`: timed out after %d s%s%s",
								kind, index, h->path, h->timeout, sep, text);
				if (WIFSIGNALED(st))
					return strata_error_set(err, ECHILD, "%s hook #%zu `%s`: killed by signal %d%s%s",
								kind, index, h->path, WTERMSIG(st), sep, text);
				if (WEXITSTATUS(st) != 0)
					return strata_error_set(err, ECHILD, "%s hook #%zu `%s`: exited with status %d%s%s",
								kind, index, h->path, WEXITSTATUS(st), sep, text);
				return 0;
			}
		}
		if (!exited && !timed_out && deadline >= 0 && now_ms() >= deadline) {
			timed_out = true;
			kill(pid, SIGKILL);
			deadline = -1;
		}
	}
	/* Only reached when poll failed. */
	int saved = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return strata_error_errno(err, saved, "%s hook #%zu `%s`: poll", kind, index, h->path);
}

int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json,
	      strata_error_t *err)
{
	for (size_t i = 0; i < n; i++)
		if (hook_run_one(&hooks[i], i, kind, state_json, err) < 0)
			return -1;
	return 0;
}
