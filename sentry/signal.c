/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signal.c - signal state of the sentry's tasks: sending, default actions,
 * and delivery to handlers through signal frames the sentry writes on the
 * task's stack (signal(7); x86-64 rt_sigframe: return address, ucontext with
 * the interrupted registers and mask, siginfo, fxsave area).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../common/log.h"
#include "kernel.h"
#include "signal_frame.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* x86 rt_sigaction ABI */
#endif
#define BIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))

enum sig_default { SD_TERM, SD_IGN, SD_STOP };

static enum sig_default default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
		return SD_IGN;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SD_STOP;
	default:
		return SD_TERM;
	}
}

#define STOP_SIGNALS (BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))

/* SIGCHLD to the parent for a stop or continue, unless it asked not to (SA_NOCLDSTOP). */
static void notify_parent_stop(struct sentry_kernel *k, struct task *t, int code, int status)
{
	struct task *p = t->parent;
	if (p == NULL || p->state == TASK_ZOMBIE || (p->act[SIGCHLD].flags & SA_NOCLDSTOP))
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = t->tid;
	si.si_uid = t->ruid;
	si.si_status = status;
	signal_send(k, p, SIGCHLD, &si, false);
}

/*
 * True when t's process group is orphaned: no live member has a parent in a
 * different group of the same session (setpgid(2); POSIX.1 "orphaned process group").
 * A parent outside the sandbox (task 1's, or none after reparenting) counts
 * as another session: the container's init leads a session of its own at
 * every level (runtime/native/init.c).  Members are processes (thread group
 * leaders); a parent is always one.
 */
static bool pgrp_orphaned(struct sentry_kernel *k, struct task *t)
{
	pid_t pgid = task_leader(k, t)->pgid;
	for (struct task *x = k->tasks; x != NULL; x = x->next) {
		if (x->tid != x->tgid || x->pgid != pgid || x->state == TASK_ZOMBIE)
			continue;
		const struct task *p = x->parent;
		if (p != NULL && p->pgid != pgid && p->sid == x->sid)
			return false;
	}
	return true;
}

/* A default-action stop by sig takes effect: SIGTSTP, SIGTTIN and SIGTTOU are
 * discarded in an orphaned process group, as no job-control shell outside it
 * could continue the group; SIGSTOP always stops (Linux: get_signal() in
 * kernel/signal.c checks is_current_pgrp_orphaned at delivery, as here). */
static bool stop_applies(struct sentry_kernel *k, struct task *t, int sig)
{
	return sig == SIGSTOP || !pgrp_orphaned(k, t);
}

static void job_stop(struct sentry_kernel *k, struct task *t, int sig)
{
	if (t->job_stopped)
		return;
	t->job_stopped = true;
	t->stop_sig = sig;
	t->stop_report = true;
	t->cont_report = false;
	notify_parent_stop(k, t, CLD_STOPPED, sig);
}

void signal_take_stops(struct sentry_kernel *k, struct task *t)
{
	uint64_t d = t->pending & ~(t->sigmask & ~UNBLOCKABLE) & STOP_SIGNALS;
	for (int sig = 1; d != 0 && sig < SENTRY_NSIG; sig++) {
		if (!(d & BIT(sig)) || (t->act[sig].handler != 0 && sig != SIGSTOP))
			continue;
		t->pending &= ~BIT(sig);
		if (stop_applies(k, t, sig))
			job_stop(k, t, sig);
	}
}

void signal_send(struct sentry_kernel *k, struct task *t, int sig, const siginfo_t *info, bool from_outside)
{
	if (t == NULL || t->state == TASK_ZOMBIE || sig <= 0 || sig >= SENTRY_NSIG)
		return;
	if (sig == SIGCONT && t->tid != 1) {
		/* SIGCONT continues a stopped task whatever its disposition (signal(7)). */
		t->pending &= ~STOP_SIGNALS;
		if (t->job_stopped) {
			t->job_stopped = false;
			t->stop_report = false;
			t->cont_report = true;
			if (t->state == TASK_JOBSTOPPED) {
				t->state = TASK_STOPPED;
				t->wake = true;
			}
			notify_parent_stop(k, t, CLD_CONTINUED, SIGCONT);
		}
	} else if (BIT(sig) & STOP_SIGNALS) {
		t->pending &= ~BIT(SIGCONT);
	}
	uint64_t h = t->act[sig].handler;
	if (sig != SIGKILL && sig != SIGSTOP) {
		if (h == (uint64_t)(uintptr_t)SIG_IGN)
			return;
		if (h == 0 && default_action(sig) == SD_IGN)
			return;
	}
	/* The sandbox's init (pid 1) gets only signals it handles, and SIGKILL
	 * from outside the sandbox: pid_namespaces(7). */
	if (t->tid == 1 && (h == 0 || sig == SIGKILL || sig == SIGSTOP) && !(from_outside && sig == SIGKILL))
		return;
	if (sig == SIGKILL) {
		task_exit(k, t, SIGKILL);
		return;
	}
	t->pending |= BIT(sig);
	if (info != NULL) {
		t->pending_info[sig] = *info;
	} else {
		memset(&t->pending_info[sig], 0, sizeof(siginfo_t));
		t->pending_info[sig].si_signo = sig;
		t->pending_info[sig].si_code = SI_USER;
	}
	if (t->state == TASK_RUNNING && !t->interrupt_pending && signal_deliverable(t)) {
		if (k->plat->ops->interrupt(k->plat, t->host_pid) == 0)
			t->interrupt_pending = true;
	}
}

bool signal_deliverable(const struct task *t)
{
	return (t->pending & ~(t->sigmask & ~UNBLOCKABLE)) != 0;
}

static int next_signal(const struct task *t)
{
	uint64_t d = t->pending & ~(t->sigmask & ~UNBLOCKABLE);
	if (d == 0)
		return 0;
	if (d & BIT(SIGKILL))
		return SIGKILL;
	return __builtin_ctzll(d) + 1;
}

int signal_pending_restart(const struct task *t)
{
	int sig = next_signal(t);
	if (sig == 0)
		return -1;
	const struct ksigaction *a = &t->act[sig];
	if (a->handler == 0 || a->handler == (uint64_t)(uintptr_t)SIG_IGN)
		return -1;
	return (a->flags & SA_RESTART) ? 1 : 0;
}

/* Build a frame for sig and point the task at its handler.  Returns -1 if the
 * frame cannot be written (the task then dies of SIGSEGV). */
static int setup_frame(struct sentry_kernel *k, struct task *t, int sig, const struct ksigaction *a)
{
	struct user_regs_struct *r = &t->regs;
	uint64_t sp = r->rsp;
	bool on_alt = t->altstack_size != 0 && sp > t->altstack_sp && sp <= t->altstack_sp + t->altstack_size;
	if ((a->flags & SA_ONSTACK) && t->altstack_size != 0 && !on_alt && !(t->altstack_flags & SS_DISABLE))
		sp = t->altstack_sp + t->altstack_size;
	else
		sp -= 128; /* the red zone of the interrupted code */
	uint64_t fp_addr = (sp - sizeof(struct user_fpregs_struct)) & ~63UL;
	uint64_t frame = ((fp_addr - sizeof(struct sentry_rt_frame)) & ~15UL) - 8;

	struct sentry_rt_frame f;
	memset(&f, 0, sizeof(f));
	f.pretcode = a->restorer;
	f.uc.uc_flags = 0;
	f.uc.uc_stack.ss_sp = t->altstack_sp;
	f.uc.uc_stack.ss_size = t->altstack_size;
	f.uc.uc_stack.ss_flags = t->altstack_size == 0 ? SS_DISABLE : on_alt ? SS_ONSTACK : 0;
	struct sentry_sigcontext *m = &f.uc.mc;
	m->r8 = r->r8, m->r9 = r->r9, m->r10 = r->r10, m->r11 = r->r11;
	m->r12 = r->r12, m->r13 = r->r13, m->r14 = r->r14, m->r15 = r->r15;
	m->rdi = r->rdi, m->rsi = r->rsi, m->rbp = r->rbp, m->rbx = r->rbx;
	m->rdx = r->rdx, m->rax = r->rax, m->rcx = r->rcx, m->rsp = r->rsp;
	m->rip = r->rip, m->eflags = r->eflags;
	m->cs = (uint16_t)r->cs, m->ss = (uint16_t)r->ss;
	m->fpstate = fp_addr;
	m->oldmask = t->sigmask;
	f.uc.sigmask = t->has_saved_mask ? t->saved_mask : t->sigmask;
	f.info = t->pending_info[sig];
	f.info.si_signo = sig;

	struct user_fpregs_struct fpregs;
	if (k->plat->ops->get_fpregs(k->plat, t->host_pid, &fpregs) < 0)
		memset(&fpregs, 0, sizeof(fpregs));
	if (!(a->flags & SA_RESTORER) || task_write(k, t, fp_addr, &fpregs, sizeof(fpregs)) < 0 ||
	    task_write(k, t, frame, &f, sizeof(f)) < 0)
		return -1;
	r->rip = a->handler;
	r->rsp = frame;
	r->rdi = (uint64_t)sig;
	r->rsi = frame + offsetof(struct sentry_rt_frame, info);
	r->rdx = frame + offsetof(struct sentry_rt_frame, uc);
	r->rax = 0;
	r->eflags &= ~(0x400UL | 0x100UL); /* DF, TF */
	if (t->has_saved_mask) {
		t->sigmask = t->saved_mask;
		t->has_saved_mask = false;
	}
	t->sigmask |= a->mask;
	if (!(a->flags & SA_NODEFER))
		t->sigmask |= BIT(sig);
	t->sigmask &= ~UNBLOCKABLE;
	return 0;
}

int signal_deliver_pending(struct sentry_kernel *k, struct task *t)
{
	for (int guard = 0; guard < SENTRY_NSIG; guard++) {
		if (t->state == TASK_ZOMBIE)
			return 1;
		int sig = next_signal(t);
		if (sig == 0)
			return 0;
		t->pending &= ~BIT(sig);
		struct ksigaction a = t->act[sig];
		if (a.handler == (uint64_t)(uintptr_t)SIG_IGN)
			continue;
		if (a.handler == 0) {
			enum sig_default d = default_action(sig);
			if (d == SD_STOP) {
				if (!stop_applies(k, t, sig))
					continue;
				job_stop(k, t, sig);
				return 0;
			}
			if (d != SD_TERM)
				continue;
			task_exit(k, t, sig);
			return 1;
		}
		if (a.flags & SA_RESETHAND)
			t->act[sig].handler = 0;
		if (setup_frame(k, t, sig, &a) < 0) {
			task_exit(k, t, SIGSEGV);
			return 1;
		}
	}
	return 0;
}

long signal_sigreturn(struct sentry_kernel *k, struct task *t)
{
	/* After the handler's `ret` popped pretcode, rsp points at the ucontext. */
	uint64_t frame = t->regs.rsp - 8;
	struct sentry_rt_frame f;
	if (task_read(k, t, frame, &f, sizeof(f)) < 0) {
		task_exit(k, t, SIGSEGV);
		return -SENTRY_ENORET;
	}
	struct user_regs_struct *r = &t->regs;
	struct sentry_sigcontext *m = &f.uc.mc;
	r->r8 = m->r8, r->r9 = m->r9, r->r10 = m->r10, r->r11 = m->r11;
	r->r12 = m->r12, r->r13 = m->r13, r->r14 = m->r14, r->r15 = m->r15;
	r->rdi = m->rdi, r->rsi = m->rsi, r->rbp = m->rbp, r->rbx = m->rbx;
	r->rdx = m->rdx, r->rax = m->rax, r->rcx = m->rcx, r->rsp = m->rsp;
	r->rip = m->rip;
	/* Only the arithmetic/direction flags come from the frame (kernel FIX_EFLAGS). */
	r->eflags = (r->eflags & ~0x50dd5UL) | (m->eflags & 0x50dd5UL);
	r->orig_rax = (uint64_t)-1;
	t->sigmask = f.uc.sigmask & ~UNBLOCKABLE;
	if (m->fpstate != 0) {
		struct user_fpregs_struct fp;
		if (task_read(k, t, m->fpstate, &fp, sizeof(fp)) == 0) {
			fp.mxcsr &= 0xffff;
			k->plat->ops->set_fpregs(k->plat, t->host_pid, &fp);
		}
	}
	return -SENTRY_ENORET;
}
