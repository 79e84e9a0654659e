/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_task.c - task system calls: ids, fork/clone/vfork, execve, exit,
 * wait4/waitid, process groups and sessions, per-task settings.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <asm/prctl.h>

#include "file.h"
#include "syscall_table.h"

long sentry_sys_getpid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return t->tgid;
}

long sentry_sys_gettid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return t->tid;
}

long sentry_sys_getppid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct task *p = task_leader(k, t)->parent;
	return p != NULL ? p->tgid : 0;
}

/* The clone flags of a thread as libcs create them (pthread_create). */
#define THREAD_NEEDS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define THREAD_ALLOWED                                                                                       \
	(THREAD_NEEDS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |            \
	 CLONE_CHILD_SETTID | CLONE_DETACHED)

/* A new thread in t's group: a host thread of the same host process. */
static long do_thread(struct sentry_kernel *k, struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
		      uint64_t ctid, uint64_t tls)
{
	if ((flags & THREAD_NEEDS) != THREAD_NEEDS || (flags & ~(uint64_t)THREAD_ALLOWED & ~0xffUL) || newsp == 0)
		return -EINVAL;
	struct task *c = task_new(k);
	if (c == NULL)
		return -ENOMEM;
	c->cwd = strdup(t->cwd);
	pid_t child = 0;
	int rc = c->cwd == NULL ? -ENOMEM : k->plat->ops->clone_thread(k->plat, t->host_pid, &child);
	if (rc < 0) {
		c->state = TASK_ZOMBIE;
		task_release(k, c);
		return rc;
	}
	k->host_live++;
	struct task *leader = task_leader(k, t);
	c->tgid = t->tgid;
	c->host_pid = child;
	c->parent = leader->parent;
	c->exit_signal = -1;
	c->fdt = t->fdt;
	c->fdt->refs++;
	c->pgid = t->pgid, c->sid = t->sid;
	c->ruid = t->ruid, c->euid = t->euid, c->suid = t->suid;
	c->rgid = t->rgid, c->egid = t->egid, c->sgid = t->sgid;
	memcpy(c->groups, t->groups, sizeof(c->groups));
	c->ngroups = t->ngroups;
	c->umask = t->umask;
	memcpy(c->act, t->act, sizeof(c->act));
	c->sigmask = t->sigmask;
	c->altstack_flags = SS_DISABLE;
	c->brk_start = t->brk_start, c->brk_cur = t->brk_cur;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	memcpy(c->rlim, t->rlim, sizeof(c->rlim));
	c->exe = t->exe != NULL ? strdup(t->exe) : NULL;
	c->regs = t->regs;
	c->regs.rax = 0;
	c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	pid_t tid = c->tid;
	if (flags & CLONE_PARENT_SETTID)
		task_write(k, t, ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		task_write(k, t, ctid, &tid, sizeof(tid));
	k->plat->ops->set_regs(k->plat, child, &c->regs);
	if (k->plat->ops->resume(k->plat, child) == 0)
		c->state = TASK_RUNNING;
	return tid;
}

static long do_fork(struct sentry_kernel *k, struct task *t, uint64_t flags, uint64_t newsp, uint64_t ptid,
		    uint64_t ctid, uint64_t tls)
{
	if (flags & CLONE_THREAD)
		return do_thread(k, t, flags, newsp, ptid, ctid, tls);
	/* Other sharing clones are not modelled: a process has its own tables. */
	if ((flags & CLONE_SIGHAND) || (flags & CLONE_FILES) || (flags & CLONE_FS) ||
	    ((flags & CLONE_VM) && !(flags & CLONE_VFORK)))
		return -EINVAL;
	if (flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
		     CLONE_NEWCGROUP))
		return -EPERM;
	struct task *c = task_new(k);
	if (c == NULL)
		return -ENOMEM;
	c->fdt = fdtable_copy(t->fdt);
	c->cwd = strdup(t->cwd);
	pid_t child = 0;
	int rc = c->fdt == NULL || c->cwd == NULL ? -ENOMEM : k->plat->ops->fork(k->plat, t->host_pid, &child);
	if (rc < 0) {
		c->state = TASK_ZOMBIE;
		task_release(k, c);
		return rc;
	}
	k->host_live++;
	c->host_pid = child;
	c->parent = task_leader(k, t); /* children belong to the process, not the thread */
	c->pgid = t->pgid;
	c->sid = t->sid;
	c->ruid = t->ruid, c->euid = t->euid, c->suid = t->suid;
	c->rgid = t->rgid, c->egid = t->egid, c->sgid = t->sgid;
	memcpy(c->groups, t->groups, sizeof(c->groups));
	c->ngroups = t->ngroups;
	c->umask = t->umask;
	memcpy(c->act, t->act, sizeof(c->act));
	c->sigmask = t->sigmask;
	c->altstack_sp = t->altstack_sp, c->altstack_size = t->altstack_size, c->altstack_flags = t->altstack_flags;
	c->brk_start = t->brk_start, c->brk_cur = t->brk_cur;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	memcpy(c->rlim, t->rlim, sizeof(c->rlim));
	if (t->cmdline != NULL && (c->cmdline = malloc(t->cmdline_len)) != NULL) {
		memcpy(c->cmdline, t->cmdline, t->cmdline_len);
		c->cmdline_len = t->cmdline_len;
	}
	if (t->environ != NULL && (c->environ = malloc(t->environ_len)) != NULL) {
		memcpy(c->environ, t->environ, t->environ_len);
		c->environ_len = t->environ_len;
	}
	c->exe = t->exe != NULL ? strdup(t->exe) : NULL;
	c->exit_signal = (int)(flags & 0xff);
	k->plat->ops->get_regs(k->plat, child, &c->regs);
	c->regs.rax = 0;
	if (newsp != 0)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	pid_t ctidv = c->tid;
	if ((flags & CLONE_PARENT_SETTID) && task_write(k, t, ptid, &ctidv, sizeof(ctidv)) < 0)
		return -EFAULT;
	if (flags & CLONE_CHILD_SETTID)
		task_write(k, c, ctid, &ctidv, sizeof(ctidv));
	k->plat->ops->set_regs(k->plat, child, &c->regs);
	if (k->plat->ops->resume(k->plat, child) == 0)
		c->state = TASK_RUNNING;
	if (flags & CLONE_VFORK) {
		/* vfork(2): the parent sleeps until the child execs or exits. */
		c->vfork_parent = t->tid;
		t->vfork_child = c->tid;
		return -SENTRY_EBLOCK;
	}
	return c->tid;
}

/* A parent sleeping in vfork: still waiting (-SENTRY_EBLOCK) or the child's pid. */
static long vfork_wait(struct sentry_kernel *k, struct task *t)
{
	struct task *c = task_find(k, t->vfork_child);
	if (c != NULL && c->vfork_parent == t->tid && c->state != TASK_ZOMBIE)
		return -SENTRY_EBLOCK;
	long pid = t->vfork_child;
	t->vfork_child = 0;
	return pid;
}

long sentry_sys_fork(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_fork(k, t, SIGCHLD, 0, 0, 0, 0);
}

long sentry_sys_vfork(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->vfork_child != 0)
		return vfork_wait(k, t);
	/* Partial: the child gets a copy of the address space (not shared). */
	return do_fork(k, t, CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

long sentry_sys_clone(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->vfork_child != 0)
		return vfork_wait(k, t);
	/* x86_64 argument order: flags, newsp, parent_tid, child_tid, tls. */
	return do_fork(k, t, a[0], a[1], a[2], a[3], a[4]);
}

/* Read a NULL-terminated vector of strings from task memory. */
static long read_strv(struct sentry_kernel *k, struct task *t, uint64_t uv, char ***out)
{
	size_t n = 0, cap = 16, total = 0;
	char **v = calloc(cap, sizeof(char *));
	if (v == NULL)
		return -ENOMEM;
	for (; uv != 0; n++) {
		uint64_t p;
		if (task_read(k, t, uv + n * 8, &p, sizeof(p)) < 0)
			goto fault;
		if (p == 0)
			break;
		if (n + 2 > cap) {
			cap *= 2;
			char **nv = realloc(v, cap * sizeof(char *));
			if (nv == NULL)
				goto fault;
			v = nv;
		}
		char *s = malloc(131072);
		if (s == NULL)
			goto fault;
		long l = task_read_string(k, t, p, s, 131072);
		if (l < 0) {
			free(s);
			goto fault;
		}
		total += (size_t)l + 1;
		/* Keep only what the string needs: the 1 MiB total bounds sentry memory. */
		char *shrunk = realloc(s, (size_t)l + 1);
		v[n] = shrunk != NULL ? shrunk : s;
		v[n + 1] = NULL;
		if (total > (1UL << 20) || n > 65536)
			goto big;
	}
	v[n] = NULL;
	*out = v;
	return 0;
big:
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return -E2BIG;
fault:
	for (size_t i = 0; i < n && v[i] != NULL; i++)
		free(v[i]);
	free(v);
	return -EFAULT;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

long sentry_sys_execve(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	/* Partial: a multi-threaded process cannot exec (the other threads would
	 * have to be ended first, execve(2) "de_thread"). */
	if (task_group_live(k, t) > 1)
		return -EBUSY;
	char path[PATH_MAX];
	long rc = sentry_read_path(k, t, a[0], path);
	if (rc < 0)
		return rc;
	char **argv = NULL, **envp = NULL;
	if ((rc = read_strv(k, t, a[1], &argv)) < 0)
		return rc;
	if ((rc = read_strv(k, t, a[2], &envp)) < 0) {
		free_strv(argv);
		return rc;
	}
	rc = loader_execve(k, t, path, argv, envp);
	free_strv(argv);
	free_strv(envp);
	if (rc == -SENTRY_EKILL) {
		task_exit(k, t, SIGSEGV);
		return -SENTRY_ENORET;
	}
	if (rc < 0)
		return rc;
	/* execve(2): close O_CLOEXEC fds, reset caught signals, drop the altstack. */
	fd_close_on_exec(t);
	for (int s = 1; s < SENTRY_NSIG; s++) {
		if (t->act[s].handler != (uint64_t)(uintptr_t)SIG_IGN) {
			memset(&t->act[s], 0, sizeof(t->act[s]));
		}
	}
	t->altstack_sp = t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
	t->clear_child_tid = 0;
	t->vfork_parent = 0; /* a parent sleeping in vfork may go on */
	return -SENTRY_ENORET;
}

long sentry_sys_exit(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	task_thread_exit(k, t, (int)a[0]);
	return -SENTRY_ENORET;
}

long sentry_sys_exit_group(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	task_exit(k, t, W_EXITCODE((int)a[0] & 0xff, 0));
	return -SENTRY_ENORET;
}

static bool wait_match(struct task *t, struct task *c, pid_t pid)
{
	/* Children are processes (group leaders); any thread of the parent may wait. */
	if (c->parent == NULL || c->parent->tgid != t->tgid || c->tid != c->tgid || c->reap)
		return false;
	if (pid > 0)
		return c->tid == pid;
	if (pid == 0)
		return c->pgid == t->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

/* Find a zombie child matching pid; *any says whether any child matched. */
static struct task *find_zombie(struct sentry_kernel *k, struct task *t, pid_t pid, bool *any)
{
	*any = false;
	for (struct task *c = k->tasks; c != NULL; c = c->next) {
		if (!wait_match(t, c, pid))
			continue;
		*any = true;
		if (c->state == TASK_ZOMBIE)
			return c;
	}
	return NULL;
}

long sentry_sys_wait4(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	pid_t pid = (pid_t)a[0];
	int options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	bool any;
	struct task *c = find_zombie(k, t, pid, &any);
	if (!any)
		return -ECHILD;
	if (c == NULL && (options & (WUNTRACED | WCONTINUED))) {
		/* A stopped or continued child not reported yet. */
		for (struct task *x = k->tasks; x != NULL; x = x->next) {
			if (!wait_match(t, x, pid))
				continue;
			int st = -1;
			if ((options & WUNTRACED) && x->stop_report) {
				x->stop_report = false;
				st = (x->stop_sig << 8) | 0x7f;
			} else if ((options & WCONTINUED) && x->cont_report) {
				x->cont_report = false;
				st = 0xffff;
			}
			if (st < 0)
				continue;
			if (a[1] != 0 && task_write(k, t, a[1], &st, sizeof(st)) < 0)
				return -EFAULT;
			return x->tid;
		}
	}
	if (c == NULL) {
		if (options & WNOHANG)
			return 0;
		return signal_deliverable(t) ? -EINTR : -SENTRY_EBLOCK;
	}
	int status = c->exit_status;
	if (a[1] != 0 && task_write(k, t, a[1], &status, sizeof(status)) < 0)
		return -EFAULT;
	if (a[3] != 0) {
		struct rusage ru;
		memset(&ru, 0, sizeof(ru));
		task_write(k, t, a[3], &ru, sizeof(ru));
	}
	pid_t r = c->tid;
	task_release(k, c);
	return r;
}

long sentry_sys_waitid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int idtype = (int)a[0], options = (int)a[3];
	pid_t pid = idtype == P_PID ? (pid_t)a[1] : idtype == P_PGID ? -(pid_t)a[1] : -1;
	if (idtype == P_PGID && a[1] == 0)
		pid = 0;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	bool any;
	struct task *c = find_zombie(k, t, pid, &any);
	if (!any)
		return -ECHILD;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (c == NULL || !(options & WEXITED)) {
		if (options & WNOHANG) {
			if (a[2] != 0)
				task_write(k, t, a[2], &si, sizeof(si));
			return 0;
		}
		return signal_deliverable(t) ? -EINTR : -SENTRY_EBLOCK;
	}
	si.si_signo = SIGCHLD;
	si.si_pid = c->tid;
	si.si_uid = c->ruid;
	if (WIFSIGNALED(c->exit_status)) {
		si.si_code = CLD_KILLED;
		si.si_status = WTERMSIG(c->exit_status);
	} else {
		si.si_code = CLD_EXITED;
		si.si_status = WEXITSTATUS(c->exit_status);
	}
	if (a[2] != 0 && task_write(k, t, a[2], &si, sizeof(si)) < 0)
		return -EFAULT;
	if (!(options & WNOWAIT))
		task_release(k, c);
	return 0;
}

long sentry_sys_getpgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct task *x = (pid_t)a[0] == 0 ? t : task_find(k, (pid_t)a[0]);
	return x != NULL ? x->pgid : -ESRCH;
}

long sentry_sys_getpgrp(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return t->pgid;
}

long sentry_sys_setpgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	pid_t pid = (pid_t)a[0], pgid = (pid_t)a[1];
	if (pgid < 0)
		return -EINVAL;
	struct task *x = pid == 0 ? t : task_find(k, pid);
	if (x == NULL || x->state == TASK_ZOMBIE || (x != t && x->parent != t))
		return -ESRCH;
	if (x->sid != t->sid)
		return -EPERM;
	if (x->tid == x->sid)
		return -EPERM;
	x->pgid = pgid == 0 ? x->tid : pgid;
	return 0;
}

long sentry_sys_getsid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct task *x = (pid_t)a[0] == 0 ? t : task_find(k, (pid_t)a[0]);
	return x != NULL ? x->sid : -ESRCH;
}

long sentry_sys_setsid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	for (struct task *x = k->tasks; x != NULL; x = x->next)
		if (x->pgid == t->tid && x->state != TASK_ZOMBIE)
			return -EPERM;
	t->sid = t->pgid = t->tid;
	return t->sid;
}

long sentry_sys_set_tid_address(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	t->clear_child_tid = a[0];
	return t->tid;
}

long sentry_sys_set_robust_list(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return a[1] == 24 ? 0 : -EINVAL; /* sizeof(struct robust_list_head) */
}

long sentry_sys_rseq(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return -ENOSYS;
}

/* futex(2) between the threads of one group (they share the address space). */
long sentry_sys_futex(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int op = (int)a[1] & ~(128 | 256); /* FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */
	switch (op) {
	case 0:   /* FUTEX_WAIT: relative timeout */
	case 9: { /* FUTEX_WAIT_BITSET: absolute timeout */
		if (t->state == TASK_BLOCKED && t->futex_addr != 0) { /* a retry (maybe requeued) */
			if (t->futex_woken) {
				t->futex_woken = false;
				t->futex_addr = 0;
				return 0;
			}
			if (signal_deliverable(t)) {
				t->futex_addr = 0;
				return -EINTR;
			}
			if (t->block_deadline_ns != 0 && monotonic_ns() >= t->block_deadline_ns) {
				t->futex_addr = 0;
				return -ETIMEDOUT;
			}
			return -SENTRY_EBLOCK;
		}
		uint32_t v;
		if (task_read(k, t, a[0], &v, sizeof(v)) < 0)
			return -EFAULT;
		if (v != (uint32_t)a[2])
			return -EAGAIN;
		t->block_deadline_ns = 0;
		if (a[3] != 0) {
			struct timespec ts;
			if (task_read(k, t, a[3], &ts, sizeof(ts)) < 0)
				return -EFAULT;
			int64_t ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
			if (op == 9) {
				struct timespec now;
				clock_gettime(((int)a[1] & 256) ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
				ns -= (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
			}
			t->block_deadline_ns = monotonic_ns() + (ns > 0 ? ns : 0);
		}
		t->futex_addr = a[0];
		t->futex_woken = false;
		return -SENTRY_EBLOCK;
	}
	case 1:  /* FUTEX_WAKE */
	case 10: /* FUTEX_WAKE_BITSET */
		return futex_wake(k, t, a[0], (int)a[2] < 0 ? 0 : (int)a[2]);
	case 3:   /* FUTEX_REQUEUE */
	case 4: { /* FUTEX_CMP_REQUEUE */
		if (op == 4) {
			uint32_t v;
			if (task_read(k, t, a[0], &v, sizeof(v)) < 0)
				return -EFAULT;
			if (v != (uint32_t)a[5])
				return -EAGAIN;
		}
		int woken = futex_wake(k, t, a[0], (int)a[2]);
		int moved = 0;
		for (struct task *x = k->tasks; x != NULL && moved < (int)a[3]; x = x->next) {
			if (x->tgid == t->tgid && x->state == TASK_BLOCKED && x->futex_addr == a[0] && !x->futex_woken) {
				x->futex_addr = a[4];
				moved++;
			}
		}
		return woken + moved;
	}
	default:
		return -ENOSYS;
	}
}

long sentry_sys_prctl(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	switch ((int)a[0]) {
	case PR_SET_NAME: {
		char name[16];
		long n = task_read_string(k, t, a[1], name, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		name[15] = '\0';
		memcpy(t->comm, name, sizeof(t->comm));
		return 0;
	}
	case PR_GET_NAME:
		return task_write(k, t, a[1], t->comm, sizeof(t->comm));
	case PR_SET_PDEATHSIG:
	case PR_SET_NO_NEW_PRIVS:
	case PR_SET_CHILD_SUBREAPER:
	case PR_SET_DUMPABLE:
		return 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_GET_NO_NEW_PRIVS:
		return 1;
	default:
		return -EINVAL;
	}
}

long sentry_sys_arch_prctl(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	switch ((int)a[0]) {
	case ARCH_SET_FS:
		if (a[1] >= PLATFORM_USER_TOP)
			return -EPERM;
		t->regs.fs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		return task_write(k, t, a[1], &t->regs.fs_base, 8);
	case ARCH_SET_GS:
		if (a[1] >= PLATFORM_USER_TOP)
			return -EPERM;
		t->regs.gs_base = a[1];
		return 0;
	case ARCH_GET_GS:
		return task_write(k, t, a[1], &t->regs.gs_base, 8);
	default:
		return -EINVAL;
	}
}
