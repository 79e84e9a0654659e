/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sentry.c - the sentry's entry point and event loop.
 *
 * One thread drives every task: it takes the next platform stop (a system
 * call, a host signal, an interrupt, an exit), handles it, and resumes the
 * task.  Calls that must wait (a read of an empty pipe, wait4, nanosleep...)
 * leave their task stopped in TASK_BLOCKED and are retried after each event;
 * between events the loop sleeps in ppoll on the platform's event fd, the
 * signalfd of signals sent to the sentry (forwarded to task 1) and the host
 * fds blocked tasks wait on.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "file.h"
#include "seccomp_self.h"
#include "sentry.h"
#include "strace.h"
#include "syscall_table.h"
#include "vfs.h"

/* How many empty polls of the platform before the loop sleeps in ppoll. */
#define SENTRY_SPIN_POLLS 8

/* Calls that SA_RESTART restarts after a handler (signal(7) "Interruption of system calls"). */
static bool restartable(long nr)
{
	switch (nr) {
	case SYS_read:
	case SYS_write:
	case SYS_readv:
	case SYS_writev:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_sendfile:
	case SYS_open:
	case SYS_openat:
		return true;
	default:
		return false;
	}
}

static void args_of(const struct user_regs_struct *r, uint64_t a[6])
{
	a[0] = r->rdi, a[1] = r->rsi, a[2] = r->rdx, a[3] = r->r10, a[4] = r->r8, a[5] = r->r9;
}

static long call_handler(struct sentry_kernel *k, struct task *t, long nr, const uint64_t a[6])
{
	const struct syscall_entry *e = nr >= 0 && nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	if (e == NULL || e->name == NULL) {
		if (nr >= 0 && nr < 512 && !(k->unimpl_logged[nr / 8] & (1 << (nr % 8)))) {
			k->unimpl_logged[nr / 8] |= (uint8_t)(1 << (nr % 8));
			log_info("sentry: system call %ld is not implemented (ENOSYS)", nr);
		}
		return -ENOSYS;
	}
	if (e->handler == NULL)
		return -e->err;
	return e->handler(k, t, a);
}

/* Put the task back on the platform: store regs, deliver signals, resume. */
static void resume_task(struct sentry_kernel *k, struct task *t)
{
	if (t->state == TASK_ZOMBIE)
		return;
	if (signal_deliver_pending(k, t) != 0)
		return;
	if (t->job_stopped) {
		t->state = TASK_JOBSTOPPED; /* SIGCONT puts it back (signal_send) */
		return;
	}
	if (t->has_saved_mask) {
		t->sigmask = t->saved_mask;
		t->has_saved_mask = false;
	}
	/* Most calls change only rax: one word instead of the whole register set. */
	struct user_regs_struct cmp = t->regs;
	cmp.rax = t->regs_seen.rax;
	int rc = memcmp(&cmp, &t->regs_seen, sizeof(cmp)) == 0
			 ? k->plat->ops->set_return(k->plat, t->host_pid, t->regs.rax)
			 : k->plat->ops->set_regs(k->plat, t->host_pid, &t->regs);
	if (rc < 0 || k->plat->ops->resume(k->plat, t->host_pid) < 0) {
		task_exit(k, t, SIGKILL);
		return;
	}
	t->state = TASK_RUNNING;
}

/* Finish a call with result ret (or leave the task blocked). */
static void complete_call(struct sentry_kernel *k, struct task *t, long nr, long ret, const char *trace)
{
	if (ret == -SENTRY_EBLOCK && t->state != TASK_ZOMBIE) {
		t->state = TASK_BLOCKED;
		t->block_nr = (uint64_t)nr;
		return;
	}
	if (trace != NULL)
		strace_log_result(t, trace, ret);
	t->block_deadline_ns = 0;
	t->wait_hostfd = -1;
	if (t->state == TASK_ZOMBIE)
		return;
	if (ret != -SENTRY_ENORET)
		t->regs.rax = (uint64_t)ret;
	resume_task(k, t);
}

static void dispatch(struct sentry_kernel *k, struct task *t)
{
	long nr = (long)t->regs.orig_rax;
	uint64_t a[6];
	args_of(&t->regs, a);
	char trace[512];
	bool dbg = k->debug;
	if (dbg)
		strace_format_call(k, t, nr, a, trace, sizeof(trace));
	t->wait_hostfd = -1;
	long ret = call_handler(k, t, nr, a);
	complete_call(k, t, nr, ret, dbg ? trace : NULL);
}

/* Retry one blocked call: a pending signal interrupts it (or restarts it
 * after the handler when SA_RESTART and the call allow). */
static bool retry_blocked(struct sentry_kernel *k, struct task *t)
{
	long nr = (long)t->block_nr;
	uint64_t a[6];
	args_of(&t->regs, a);
	char trace[512];
	bool dbg = k->debug;
	if (dbg)
		strace_format_call(k, t, nr, a, trace, sizeof(trace));
	/* A stop signal does not interrupt the call: it goes on after SIGCONT. */
	signal_take_stops(k, t);
	t->wait_hostfd = -1;
	long ret = call_handler(k, t, nr, a);
	/* A vfork parent sleeps through signals until its child execs or exits. */
	bool vfork_sleep = (nr == SYS_vfork || nr == SYS_clone) && t->vfork_child != 0;
	if (ret == -SENTRY_EBLOCK && signal_deliverable(t) && !vfork_sleep) {
		int r = signal_pending_restart(t);
		if (r == 1 && restartable(nr)) {
			/* Re-execute the syscall instruction once the handler returns. */
			t->regs.rip -= 2;
			t->regs.rax = t->regs.orig_rax;
			ret = -SENTRY_ENORET;
		} else {
			ret = -EINTR;
		}
	}
	if (ret == -SENTRY_EBLOCK && t->state != TASK_ZOMBIE)
		return false;
	complete_call(k, t, nr, ret, dbg ? trace : NULL);
	return true;
}

/* Tasks continued by SIGCONT while stopped at a stop go back on the platform. */
static void resume_woken(struct sentry_kernel *k)
{
	for (struct task *t = k->tasks; t != NULL; t = t->next) {
		if (t->wake) {
			t->wake = false;
			if (t->state == TASK_STOPPED)
				resume_task(k, t);
		}
	}
}

static void retry_all_blocked(struct sentry_kernel *k)
{
	for (int round = 0; round < 64; round++) {
		bool progress = false;
		for (struct task *t = k->tasks, *next; t != NULL; t = next) {
			next = t->next;
			if (t->state == TASK_BLOCKED && retry_blocked(k, t)) {
				progress = true;
				break; /* the list may have changed */
			}
		}
		if (!progress)
			return;
	}
}

static void handle_stop(struct sentry_kernel *k, const struct platform_stop *st)
{
	struct task *t = task_find_host(k, st->host_pid);
	if (st->kind == PLATFORM_STOP_EXITED) {
		k->host_live--;
		if (t != NULL) {
			t->host_exited = true;
			if (t->state != TASK_ZOMBIE)
				task_exit(k, t, WIFSIGNALED(st->status) ? WTERMSIG(st->status) : st->status);
		}
		return;
	}
	if (t == NULL || t->state == TASK_ZOMBIE)
		return; /* being killed */
	t->state = TASK_STOPPED;
	if (k->plat->ops->get_regs(k->plat, t->host_pid, &t->regs) < 0) {
		task_exit(k, t, SIGKILL);
		return;
	}
	t->regs_seen = t->regs;
	switch (st->kind) {
	case PLATFORM_STOP_SYSCALL:
		dispatch(k, t);
		return;
	case PLATFORM_STOP_SIGNAL: {
		int sig = st->signo;
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS) {
			/* A fault: forced like the kernel's force_sig (unblocked, not ignorable). */
			uint64_t bit = 1ULL << (sig - 1);
			if ((t->sigmask & bit) || t->act[sig].handler == (uint64_t)(uintptr_t)SIG_IGN || t->tid == 1) {
				if (t->tid == 1 && t->act[sig].handler != 0 && !(t->sigmask & bit)) {
					signal_send(k, t, sig, &st->info, false);
				} else {
					task_exit(k, t, sig);
					return;
				}
			} else {
				signal_send(k, t, sig, &st->info, false);
			}
		} else {
			/* Sent to the task's host process from outside the sandbox (e.g.
			 * `strata kill --all` signals every process of the cgroup): the
			 * host delivery is suppressed and the sentry delivers it instead. */
			signal_send(k, t, sig, &st->info, true);
		}
		resume_task(k, t);
		return;
	}
	default:
		t->interrupt_pending = false;
		resume_task(k, t);
		return;
	}
}

static void check_alarms(struct sentry_kernel *k)
{
	int64_t now = monotonic_ns();
	for (struct task *t = k->tasks; t != NULL; t = t->next) {
		if (t->alarm_ns != 0 && t->alarm_ns <= now && t->state != TASK_ZOMBIE) {
			t->alarm_ns = 0;
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			si.si_signo = SIGALRM;
			si.si_code = SI_KERNEL;
			signal_send(k, t, SIGALRM, &si, false);
		}
	}
}

/* Signals the sentry forwards to task 1; the rest keep their defaults. */
static void forward_set(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
	sigdelset(set, SIGCHLD);
	sigdelset(set, SIGPIPE);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGSYS);
}

static __attribute__((noreturn)) void event_loop(struct sentry_kernel *k, int sigfd)
{
	bool killed_all = false;
	struct pollfd *pfds = calloc(2 + 4096, sizeof(*pfds));
	for (;;) {
		struct platform_stop st;
		int r;
		/* A task resumed a moment ago usually stops again within microseconds:
		 * poll a little before sleeping, which saves a wakeup per call. */
		for (int idle = 0; idle < SENTRY_SPIN_POLLS;) {
			if ((r = k->plat->ops->next_stop(k->plat, &st)) == 1) {
				handle_stop(k, &st);
				idle = 0;
			} else {
				idle++;
				sched_yield();
			}
		}
		k->plat->ops->arm(k->plat);
		while ((r = k->plat->ops->next_stop(k->plat, &st)) == 1)
			handle_stop(k, &st);
		check_alarms(k);
		retry_all_blocked(k);
		resume_woken(k);
		task_reap(k);
		struct task *init = task_find(k, 1);
		if (init == NULL || init->state == TASK_ZOMBIE) {
			if (!killed_all) {
				task_kill_all(k);
				killed_all = true;
			}
			if (k->host_live <= 0)
				exit(k->exit_code);
		}
		size_t n = 0;
		pfds[n++] = (struct pollfd){ k->plat->ops->event_fd(k->plat), POLLIN, 0 };
		pfds[n++] = (struct pollfd){ sigfd, POLLIN, 0 };
		int64_t deadline = 0;
		for (struct task *t = k->tasks; t != NULL; t = t->next) {
			if (t->state == TASK_BLOCKED) {
				if (t->wait_hostfd >= 0 && n < 2 + 4096)
					pfds[n++] = (struct pollfd){ t->wait_hostfd, t->wait_events, 0 };
				if (t->block_deadline_ns != 0 && (deadline == 0 || t->block_deadline_ns < deadline))
					deadline = t->block_deadline_ns;
			}
			if (t->alarm_ns != 0 && t->state != TASK_ZOMBIE && (deadline == 0 || t->alarm_ns < deadline))
				deadline = t->alarm_ns;
		}
		struct timespec ts, *tsp = NULL;
		if (deadline != 0) {
			int64_t left = deadline - monotonic_ns();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			tsp = &ts;
		}
		if (killed_all) {
			/* Teardown: only exits are awaited. */
			ts.tv_sec = 0;
			ts.tv_nsec = 50000000;
			tsp = &ts;
			n = 1;
		}
		if (ppoll(pfds, n, tsp, NULL) < 0 && errno != EINTR)
			exit(255);
		struct signalfd_siginfo si;
		while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			log_debug("sentry: forwarding signal %u to pid 1", si.ssi_signo);
			siginfo_t info;
			memset(&info, 0, sizeof(info));
			info.si_signo = (int)si.ssi_signo;
			info.si_code = SI_USER;
			signal_send(k, task_find(k, 1), (int)si.ssi_signo, &info, true);
		}
	}
}

/* runc semantics: a command without '/' is looked up in the process's PATH. */
static int find_program(struct sentry_kernel *k, struct task *t, const struct oci_process *p, char *out, size_t outlen)
{
	const char *arg0 = p->args[0];
	if (strchr(arg0, '/') != NULL) {
		snprintf(out, outlen, "%s", arg0);
		return 0;
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; p->env != NULL && p->env[i] != NULL; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			path = p->env[i] + 5;
	char *copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	int rc = -ENOENT;
	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];
		snprintf(cand, sizeof(cand), "%s/%s", d, arg0);
		struct vloc loc;
		if (vfs_resolve(k, t, AT_FDCWD, cand, VFS_FOLLOW, &loc) == 0) {
			bool ok = loc.exists && S_ISREG(loc.st.st_mode) && (loc.st.st_mode & 0111);
			vloc_release(&loc);
			if (ok) {
				snprintf(out, outlen, "%s", cand);
				rc = 0;
				break;
			}
		}
	}
	free(copy);
	return rc;
}

/* HOME for the process when its env has none: the user's home in the
 * container's /etc/passwd, "/" when absent (runc's rule).  Heap string. */
static char *home_env(uid_t uid)
{
	char home[PATH_MAX] = "/";
	FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *fields[7] = { 0 };
		char *p = line;
		int n = 0;
		for (char *tok = strsep(&p, ":"); tok != NULL && n < 7; tok = strsep(&p, ":"))
			fields[n++] = tok;
		if (n >= 6 && strtoul(fields[2], NULL, 10) == uid) {
			fields[5][strcspn(fields[5], "\n")] = '\0';
			if (fields[5][0] != '\0')
				snprintf(home, sizeof(home), "%s", fields[5]);
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	char *out = NULL;
	return asprintf(&out, "HOME=%s", home) < 0 ? NULL : out;
}

/* What /proc/PID/fd shows for an inherited stdio fd, as Linux names it
 * (pipe:[ino], socket:[ino], /dev/null, /dev/pts/N). */
static void stdio_name(int hostfd, int fd, char *out, size_t outlen)
{
	struct stat st;
	snprintf(out, outlen, "/dev/fd/%d", fd);
	if (fstat(hostfd, &st) < 0)
		return;
	if (S_ISFIFO(st.st_mode))
		snprintf(out, outlen, "pipe:[%llu]", (unsigned long long)st.st_ino);
	else if (S_ISSOCK(st.st_mode))
		snprintf(out, outlen, "socket:[%llu]", (unsigned long long)st.st_ino);
	else if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
		snprintf(out, outlen, "/dev/null");
	else if (S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143)
		snprintf(out, outlen, "/dev/pts/%u", minor(st.st_rdev));
}

static int setup_first_task(struct sentry_kernel *k, struct task *t, const struct oci_process *p, strata_error_t *err)
{
	t->ruid = t->euid = t->suid = getuid();
	t->rgid = t->egid = t->sgid = getgid();
	t->ngroups = getgroups(32, t->groups);
	if (t->ngroups < 0)
		t->ngroups = 0;
	mode_t um = umask(022);
	umask(um);
	t->umask = p->user.has_umask ? (mode_t)p->user.umask : um;
	t->pgid = t->sid = t->tid;
	for (int r = 0; r < RLIM_NLIMITS; r++)
		getrlimit(r, &t->rlim[r]);
	if (t->rlim[RLIMIT_NOFILE].rlim_cur > SENTRY_MAX_FDS)
		t->rlim[RLIMIT_NOFILE].rlim_cur = SENTRY_MAX_FDS;
	t->altstack_flags = SS_DISABLE;
	t->fdt = fdtable_new();
	t->cwd = strdup("/");
	if (t->fdt == NULL || t->cwd == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: first task");
	/* The container's stdio: the sentry's own 0, 1, 2, as the runtime set them up. */
	for (int fd = 0; fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			continue;
		int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (copy < 0)
			return strata_error_errno(err, errno, "sentry: dup stdio %d", fd);
		char name[64];
		stdio_name(copy, fd, name, sizeof(name));
		struct sfile *f = sfile_from_host_fd(copy, fl & (O_ACCMODE | O_APPEND), name);
		if (f == NULL)
			return strata_error_errno(err, ENOMEM, "sentry: stdio");
		t->fdt->fds[fd].file = f;
	}
	if (p->cwd != NULL) {
		struct vloc loc;
		int rc = vfs_resolve(k, t, AT_FDCWD, p->cwd, VFS_FOLLOW, &loc);
		if (rc < 0 || !loc.exists || !S_ISDIR(loc.st.st_mode)) {
			if (rc == 0)
				vloc_release(&loc);
			return strata_error_errno(err, rc < 0 ? -rc : ENOTDIR, "sentry: cwd `%s`", p->cwd);
		}
		free(t->cwd);
		t->cwd = strdup(loc.path);
		vloc_release(&loc);
	}
	char prog[PATH_MAX];
	int rc = find_program(k, t, p, prog, sizeof(prog));
	if (rc < 0)
		return strata_error_errno(err, -rc, "exec: \"%s\": executable file not found in $PATH", p->args[0]);
	if (k->plat->ops->get_regs(k->plat, t->host_pid, &t->regs) < 0)
		return strata_error_errno(err, errno, "sentry: registers of the first task");
	size_t envc = p->env_len;
	char **env = calloc(envc + 2, sizeof(char *));
	if (env == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: env");
	bool has_home = false;
	for (size_t i = 0; i < envc && p->env[i] != NULL; i++) {
		env[i] = p->env[i];
		has_home |= strncmp(p->env[i], "HOME=", 5) == 0;
	}
	char *home = has_home ? NULL : home_env(t->ruid);
	if (home != NULL)
		env[envc] = home;
	long lr = loader_execve(k, t, prog, p->args, env);
	free(home);
	free(env);
	if (lr < 0)
		return strata_error_errno(err, lr == -SENTRY_EKILL ? ENOEXEC : (int)-lr, "sentry: exec `%s`", prog);
	return 0;
}

int sentry_run_container(const struct oci_config *config, strata_error_t *err)
{
	if (config->process == NULL || config->process->args == NULL || config->process->args[0] == NULL)
		return strata_error_set(err, EINVAL, "sentry: config has no process.args");
	struct sentry_kernel *k = calloc(1, sizeof(*k));
	if (k == NULL)
		return strata_error_errno(err, ENOMEM, "sentry");
	k->next_pid = 1;
	k->boot_ns = monotonic_ns();
	k->config = config;
	k->debug = log_debug_enabled();
	gethostname(k->hostname, sizeof(k->hostname) - 1);
	snprintf(k->domainname, sizeof(k->domainname), "%s", config->domainname != NULL ? config->domainname : "(none)");
	if (vfs_new(config, &k->vfs, err) < 0)
		return -1;

	sigset_t fwd;
	forward_set(&fwd);
	sigprocmask(SIG_BLOCK, &fwd, NULL);
	int sigfd = signalfd(-1, &fwd, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0)
		return strata_error_errno(err, errno, "sentry: signalfd");
	/* EPIPE from a host write is turned into the task's SIGPIPE by the sentry. */
	signal(SIGPIPE, SIG_IGN);

	if (platform_ptrace_new(&k->plat, err) < 0)
		return -1;
	pid_t hp;
	if (k->plat->ops->spawn(k->plat, &hp, err) < 0)
		return -1;
	k->host_live = 1;
	struct task *t = task_new(k);
	if (t == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: task");
	t->host_pid = hp;
	if (setup_first_task(k, t, config->process, err) < 0) {
		k->plat->ops->kill(k->plat, hp);
		waitpid(hp, NULL, __WALL);
		return -1;
	}
	/* Security: from here on the sentry itself runs under its own allowlist. */
	if (sentry_seccomp_install(err) < 0) {
		k->plat->ops->kill(k->plat, hp);
		waitpid(hp, NULL, __WALL);
		return -1;
	}
	t->state = TASK_STOPPED;
	resume_task(k, t);
	event_loop(k, sigfd);
}
