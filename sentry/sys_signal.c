/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_signal.c - signal system calls (rt_sigaction(2), rt_sigprocmask(2),
 * kill(2), tgkill(2), sigaltstack(2), rt_sigsuspend(2), pause(2)).
 */
#include <errno.h>
#include <string.h>

#include "syscall_table.h"

#define BIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

long sentry_sys_rt_sigaction(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int sig = (int)a[0];
	if (a[3] != 8 || sig <= 0 || sig >= SENTRY_NSIG)
		return -EINVAL;
	if (a[1] != 0 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct ksigaction old = t->act[sig], nw;
	if (a[1] != 0) {
		if (task_read(k, t, a[1], &nw, sizeof(nw)) < 0)
			return -EFAULT;
		nw.mask &= ~UNBLOCKABLE;
	}
	if (a[2] != 0 && task_write(k, t, a[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	if (a[1] != 0) {
		/* Dispositions are shared by the threads of a group (CLONE_SIGHAND). */
		for (struct task *x = k->tasks; x != NULL; x = x->next)
			if (x->tgid == t->tgid && x != t)
				x->act[sig] = nw;
		t->act[sig] = nw;
		/* Setting SIG_IGN (or SIG_DFL of an ignored-by-default signal) discards it when pending. */
		if (nw.handler == (uint64_t)(uintptr_t)SIG_IGN ||
		    (nw.handler == 0 && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)))
			t->pending &= ~BIT(sig);
	}
	return 0;
}

long sentry_sys_rt_sigprocmask(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (a[3] != 8)
		return -EINVAL;
	uint64_t old = t->sigmask, set;
	if (a[1] != 0) {
		if (task_read(k, t, a[1], &set, sizeof(set)) < 0)
			return -EFAULT;
		switch ((int)a[0]) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a[2] != 0 && task_write(k, t, a[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sentry_sys_rt_sigreturn(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return signal_sigreturn(k, t);
}

static void user_info(siginfo_t *si, struct task *from, int sig, int code)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = code;
	si->si_pid = from->tid;
	si->si_uid = from->ruid;
}

long sentry_sys_kill(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	pid_t pid = (pid_t)a[0];
	int sig = (int)a[1];
	if (sig < 0 || sig >= SENTRY_NSIG)
		return -EINVAL;
	siginfo_t si;
	user_info(&si, t, sig, SI_USER);
	int found = 0;
	for (struct task *x = k->tasks, *next; x != NULL; x = next) {
		next = x->next;
		if (x->state == TASK_ZOMBIE)
			continue;
		bool leader = x->tid == x->tgid;
		bool match = pid > 0 ? x->tid == pid
			   : pid == 0 ? leader && x->pgid == t->pgid
			   : pid == -1 ? leader && x->tid != 1 && x->tgid != t->tgid
				       : leader && x->pgid == -pid;
		if (!match)
			continue;
		found++;
		if (sig != 0)
			signal_send(k, x, sig, &si, false);
	}
	return found ? 0 : -ESRCH;
}

long sentry_sys_tgkill(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int sig = (int)a[2];
	if ((pid_t)a[0] <= 0 || (pid_t)a[1] <= 0 || sig < 0 || sig >= SENTRY_NSIG)
		return -EINVAL;
	struct task *x = task_find(k, (pid_t)a[1]);
	if (x == NULL || x->state == TASK_ZOMBIE || x->tgid != (pid_t)a[0])
		return -ESRCH;
	siginfo_t si;
	user_info(&si, t, sig, SI_TKILL);
	if (sig != 0)
		signal_send(k, x, sig, &si, false);
	return 0;
}

long sentry_sys_tkill(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	uint64_t b[6] = { a[0], a[0], a[1], 0, 0, 0 };
	return sentry_sys_tgkill(k, t, b);
}

struct kstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

long sentry_sys_sigaltstack(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct kstack old = { t->altstack_sp, t->altstack_size == 0 ? SS_DISABLE : 0, 0, t->altstack_size };
	if (a[1] != 0 && task_write(k, t, a[1], &old, sizeof(old)) < 0)
		return -EFAULT;
	if (a[0] != 0) {
		struct kstack n;
		if (task_read(k, t, a[0], &n, sizeof(n)) < 0)
			return -EFAULT;
		if (n.ss_flags & SS_DISABLE) {
			t->altstack_sp = t->altstack_size = 0;
		} else {
			if (n.ss_size < 2048)
				return -ENOMEM;
			t->altstack_sp = n.ss_sp;
			t->altstack_size = n.ss_size;
		}
		t->altstack_flags = n.ss_flags;
	}
	return 0;
}

long sentry_sys_rt_sigsuspend(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->state != TASK_BLOCKED) {
		uint64_t m;
		if (a[1] != 8)
			return -EINVAL;
		if (task_read(k, t, a[0], &m, sizeof(m)) < 0)
			return -EFAULT;
		t->saved_mask = t->sigmask;
		t->has_saved_mask = true;
		t->sigmask = m & ~UNBLOCKABLE;
	}
	return signal_deliverable(t) ? -EINTR : -SENTRY_EBLOCK;
}

long sentry_sys_pause(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return signal_deliverable(t) ? -EINTR : -SENTRY_EBLOCK;
}

long sentry_sys_rt_sigpending(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (a[1] != 8)
		return -EINVAL;
	uint64_t p = t->pending & t->sigmask;
	return task_write(k, t, a[0], &p, sizeof(p));
}
