/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * task.c - the sentry's task list: creation, exit, reparenting, memory access.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "file.h"
#include "kernel.h"

int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct task *task_find(struct sentry_kernel *k, pid_t tid)
{
	for (struct task *t = k->tasks; t != NULL; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct task *task_find_host(struct sentry_kernel *k, pid_t host_pid)
{
	for (struct task *t = k->tasks; t != NULL; t = t->next)
		if (t->host_pid == host_pid && !t->host_exited)
			return t;
	return NULL;
}

struct task *task_new(struct sentry_kernel *k)
{
	struct task *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->tid = k->next_pid++;
	t->tgid = t->tid;
	t->wait_hostfd = -1;
	t->exit_signal = SIGCHLD;
	t->start_ns = monotonic_ns();
	struct task **pp = &k->tasks;
	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = t;
	return t;
}

void task_release(struct sentry_kernel *k, struct task *t)
{
	for (struct task **pp = &k->tasks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	if (t->fdt != NULL)
		fdtable_free(t->fdt);
	free(t->cwd);
	free(t->cmdline);
	free(t->environ);
	free(t->exe);
	free(t);
}

struct task *task_leader(struct sentry_kernel *k, struct task *t)
{
	struct task *l = task_find(k, t->tgid);
	return l != NULL ? l : t;
}

int task_group_live(struct sentry_kernel *k, struct task *t)
{
	int n = 0;
	for (struct task *x = k->tasks; x != NULL; x = x->next)
		if (x->tgid == t->tgid && x->state != TASK_ZOMBIE && x->state != TASK_LEADER_GONE)
			n++;
	return n;
}

int futex_wake(struct sentry_kernel *k, struct task *t, uint64_t addr, int n)
{
	int woken = 0;
	for (struct task *x = k->tasks; x != NULL && woken < n; x = x->next) {
		if (x->tgid == t->tgid && x->state == TASK_BLOCKED && x->futex_addr == addr && !x->futex_woken) {
			x->futex_woken = true;
			woken++;
		}
	}
	return woken;
}

/* A thread leaves its group: CLONE_CHILD_CLEARTID, its files, its host thread. */
static void thread_gone(struct sentry_kernel *k, struct task *t, bool host_exit)
{
	if (t->clear_child_tid != 0) {
		uint32_t zero = 0;
		if (task_write(k, t, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake(k, t, t->clear_child_tid, 1);
		t->clear_child_tid = 0;
	}
	if (host_exit && t->host_pid > 0 && !t->host_exited && t->tid != t->tgid) {
		/* exit(2) of this host thread only; the platform sees it go (-ESRCH).
		 * A leader's host thread is left stopped instead: its exit is not
		 * reported before the whole group's. */
		uint64_t args[6] = { 0, 0, 0, 0, 0, 0 };
		long ret;
		if (k->plat->ops->syscall(k->plat, t->host_pid, 60 /* SYS_exit */, args, &ret) == -ESRCH) {
			t->host_exited = true;
			k->host_live--;
		}
	}
	if (t->fdt != NULL) {
		fdtable_free(t->fdt);
		t->fdt = NULL;
	}
}

void task_thread_exit(struct sentry_kernel *k, struct task *t, int code)
{
	struct task *leader = task_leader(k, t);
	if (task_group_live(k, t) <= 1) {
		/* The last thread: the process exits with this code. */
		if (t != leader) {
			thread_gone(k, t, false);
			t->state = TASK_ZOMBIE;
			t->reap = true;
		}
		leader->state = TASK_STOPPED;
		task_exit(k, leader, W_EXITCODE(code & 0xff, 0));
		return;
	}
	thread_gone(k, t, true);
	if (t == leader) {
		t->state = TASK_LEADER_GONE;
	} else {
		t->state = TASK_ZOMBIE;
		t->reap = true;
	}
}

void task_exit(struct sentry_kernel *k, struct task *t, int status)
{
	if (t->state == TASK_ZOMBIE)
		return;
	/* The whole thread group ends; the leader carries the status. */
	struct task *leader = task_leader(k, t);
	for (struct task *x = k->tasks; x != NULL; x = x->next) {
		if (x->tgid != t->tgid || x == leader || x->state == TASK_ZOMBIE)
			continue;
		x->state = TASK_ZOMBIE;
		x->reap = true;
		if (x->fdt != NULL) {
			fdtable_free(x->fdt);
			x->fdt = NULL;
		}
	}
	if (t != leader) {
		if (t->host_pid > 0 && !t->host_exited)
			k->plat->ops->kill(k->plat, t->host_pid);
		t = leader;
		if (t->state == TASK_ZOMBIE)
			return;
	}
	t->state = TASK_ZOMBIE;
	t->exit_status = status;
	t->clear_child_tid = 0;
	if (t->host_pid > 0 && !t->host_exited)
		k->plat->ops->kill(k->plat, t->host_pid);
	if (t->fdt != NULL) {
		fdtable_free(t->fdt);
		t->fdt = NULL;
	}
	/* A vfork parent waiting on this child may go on. */
	struct task *init = task_find(k, 1);
	for (struct task *c = k->tasks; c != NULL; c = c->next) {
		if (c->parent == t) {
			c->parent = (init != NULL && init != t) ? init : NULL;
			if (c->state == TASK_ZOMBIE && c->parent != NULL)
				signal_send(k, c->parent, SIGCHLD, NULL, false);
		}
	}
	if (t->tid == 1) {
		k->exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		return;
	}
	/* Callers may still hold t: it is freed at the event loop's next safe point. */
	struct task *p = t->parent;
	if (p == NULL || p->state == TASK_ZOMBIE) {
		t->reap = true;
		return;
	}
	/* SIGCHLD ignored or SA_NOCLDWAIT: no zombie (wait(2) NOTES). */
	struct ksigaction *a = &p->act[SIGCHLD];
	if (a->handler == (uint64_t)(uintptr_t)SIG_IGN || (a->flags & SA_NOCLDWAIT)) {
		t->reap = true;
		return;
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_pid = t->tid;
	si.si_uid = t->ruid;
	if (WIFSIGNALED(status)) {
		si.si_code = CLD_KILLED;
		si.si_status = WTERMSIG(status);
	} else {
		si.si_code = CLD_EXITED;
		si.si_status = WEXITSTATUS(status);
	}
	if (t->exit_signal > 0)
		signal_send(k, p, t->exit_signal, &si, false);
}

void task_reap(struct sentry_kernel *k)
{
	for (struct task *t = k->tasks, *next; t != NULL; t = next) {
		next = t->next;
		if (t->reap && t->state == TASK_ZOMBIE)
			task_release(k, t);
	}
}

void task_kill_all(struct sentry_kernel *k)
{
	for (struct task *t = k->tasks; t != NULL; t = t->next) {
		if (t->host_pid > 0 && !t->host_exited)
			k->plat->ops->kill(k->plat, t->host_pid);
	}
}

int task_read(struct sentry_kernel *k, struct task *t, uint64_t addr, void *buf, size_t len)
{
	return k->plat->ops->read_mem(k->plat, t->host_pid, addr, buf, len);
}

int task_write(struct sentry_kernel *k, struct task *t, uint64_t addr, const void *buf, size_t len)
{
	return k->plat->ops->write_mem(k->plat, t->host_pid, addr, buf, len);
}

long task_read_string(struct sentry_kernel *k, struct task *t, uint64_t addr, char *buf, size_t max)
{
	size_t got = 0;
	if (addr == 0)
		return -EFAULT;
	while (got < max) {
		/* Read up to the end of the page so an unmapped next page is not touched. */
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > max - got)
			chunk = max - got;
		if (task_read(k, t, addr + got, buf + got, chunk) < 0)
			return -EFAULT;
		void *nul = memchr(buf + got, 0, chunk);
		if (nul != NULL)
			return (char *)nul - buf;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

long task_host_syscall(struct sentry_kernel *k, struct task *t, long nr, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	long ret = 0;
	int rc = k->plat->ops->syscall(k->plat, t->host_pid, nr, args, &ret);
	return rc < 0 ? rc : ret;
}
