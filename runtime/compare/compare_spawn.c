/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_spawn.c - run one runtime command, capture its output and time it
 * (compare.h).  The wait uses a pidfd (pidfd_open(2), Linux 5.3), so the
 * measured time ends when the process exits, not at a polling tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "compare.h"

/* Output kept per stream; the rest is read and dropped. */
#define OUTPUT_CAP (1 << 20)

struct buf {
	char *p;
	size_t len, cap;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Read what fd has; returns 0 at EOF (fd closed and set to -1), 1 otherwise. */
static int drain(int *fd, struct buf *b)
{
	char chunk[16384];
	for (;;) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n <= 0) {
			close(*fd);
			*fd = -1;
			return 0;
		}
		if (b->len + (size_t)n + 1 > b->cap && b->len < OUTPUT_CAP) {
			size_t ncap = b->cap ? b->cap * 2 : 32768;
			while (ncap < b->len + (size_t)n + 1)
				ncap *= 2;
			char *np = realloc(b->p, ncap);
			if (np != NULL) {
				b->p = np;
				b->cap = ncap;
			}
		}
		if (b->len + (size_t)n + 1 <= b->cap) {
			memcpy(b->p + b->len, chunk, (size_t)n);
			b->len += (size_t)n;
		}
	}
}

static char *finish(struct buf *b)
{
	if (b->p == NULL)
		return strdup("");
	b->p[b->len] = '\0';
	return b->p;
}

/*
 * In the child: a private mount namespace whose /sys/fs/cgroup is the
 * cgroup2 hierarchy alone (the v1 mounts detached, not just covered).  crun 1.8 refuses the host's hybrid layout
 * (cgroup v1 controllers plus a unified hierarchy with controllers); run with
 * --cgroup-manager=disabled it then creates no cgroup at all, and the host's
 * mount table is untouched (the namespace dies with the command).
 */
static int enter_private_cgroup2(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	/* detach the v1 hierarchies (and the tmpfs holding them) from this namespace only */
	if (umount2("/sys/fs/cgroup", MNT_DETACH) < 0)
		return -1;
	return mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/*
 * On Ctrl-C: kill what runs under the runtime command (the container's
 * processes), not the command itself, so that it sees its container exit
 * and deletes it (state, cgroups) the normal way.  A signal sent to the
 * command would be forwarded to the container's init, which as PID 1 of its
 * namespace ignores it.  After 10 s the command is killed.
 */
static void stop_gently(pid_t pid, int pidfd, int *status)
{
	const pid_t keep[] = { pid, 0 };
	compare_kill_strays(getpid(), keep);
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	if (poll(&p, 1, 10000) <= 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

static void child_exec(char *const *argv, bool private_cgroup2, int out_w, int err_w)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		_exit(126);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (private_cgroup2 && enter_private_cgroup2() < 0) {
		dprintf(2, "compare: private cgroup2 mount namespace for %s: %s\n", argv[0], strerror(errno));
		_exit(126);
	}
	execv(argv[0], argv);
	dprintf(2, "compare: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int compare_spawn_run(char *const *argv, bool private_cgroup2, int timeout_ms, struct compare_output *o,
		      int *keep_out, strata_error_t *err)
{
	int out[2], errp[2];
	memset(o, 0, sizeof(*o));
	if (keep_out != NULL)
		*keep_out = -1;
	if (pipe2(out, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "pipe");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		return strata_error_errno(err, e, "pipe");
	}
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		return strata_error_errno(err, e, "fork `%s`", argv[0]);
	}
	if (pid == 0)
		child_exec(argv, private_cgroup2, out[1], errp[1]);
	close(out[1]);
	close(errp[1]);
	_cleanup_close_ int out_fd = out[0];
	_cleanup_close_ int err_fd = errp[0];
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return strata_error_errno(err, e, "pidfd_open");
	}
	fcntl(out_fd, F_SETFL, O_NONBLOCK);
	fcntl(err_fd, F_SETFL, O_NONBLOCK);
	struct buf bo = { 0 }, be = { 0 };
	bool exited = false;
	int status = 0;
	while (!exited) {
		double left = timeout_ms - (now_ms() - t0);
		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			o->elapsed_ms = now_ms() - t0;
			o->status = -1;
			break;
		}
		struct pollfd p[3] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = keep_out ? -1 : out_fd, .events = POLLIN },
				       { .fd = err_fd, .events = POLLIN } };
		/* wake at least every 200 ms to notice a pending Ctrl-C; the pidfd still ends the wait at once */
		int r = poll(p, 3, left > 200 ? 200 : (int)left + 1);
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && compare_interrupted()) {
			stop_gently(pid, pidfd, &status);
			o->elapsed_ms = now_ms() - t0;
			o->status = -1;
			break;
		}
		if (p[1].revents)
			drain(&out_fd, &bo);
		if (p[2].revents)
			drain(&err_fd, &be);
		if (p[0].revents) {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			o->elapsed_ms = now_ms() - t0;
			exited = true;
			o->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
	}
	/* What was written before the exit is still in the pipes. */
	if (keep_out == NULL && out_fd >= 0)
		drain(&out_fd, &bo);
	if (err_fd >= 0)
		drain(&err_fd, &be);
	o->out = finish(&bo);
	o->err = finish(&be);
	if (keep_out != NULL) {
		fcntl(out_fd, F_SETFL, 0);
		*keep_out = steal_fd(&out_fd);
	}
	if (o->out == NULL || o->err == NULL)
		return strata_error_errno(err, ENOMEM, "output of `%s`", argv[0]);
	return 0;
}

void compare_block_stop_signals(sigset_t *old)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, old);
}

bool compare_interrupted(void)
{
	sigset_t pending;
	if (sigpending(&pending) < 0)
		return false;
	return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
	       sigismember(&pending, SIGHUP) == 1;
}

void compare_output_free(struct compare_output *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}
