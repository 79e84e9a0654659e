/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signal_frame.h - the x86-64 signal frame as user space sees it
 * (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h layouts; facts only).
 */
#ifndef STRATA_SENTRY_SIGNAL_FRAME_H
#define STRATA_SENTRY_SIGNAL_FRAME_H

#include <signal.h>
#include <stdint.h>

struct sentry_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* address of the fxsave area */
	uint64_t reserved[8];
};

struct sentry_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct sentry_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct sentry_stack uc_stack;
	struct sentry_sigcontext mc;
	uint64_t sigmask;
};

struct sentry_rt_frame {
	uint64_t pretcode; /* sa_restorer: the handler returns into rt_sigreturn */
	struct sentry_ucontext uc;
	siginfo_t info;
};

#endif
