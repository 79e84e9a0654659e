/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform_ptrace.c - the ptrace platform: every task is a host process
 * seized by the sentry and resumed with PTRACE_SYSEMU, so each system call
 * stops before the host kernel runs it and is then skipped by the kernel.
 *
 * Facts used (ptrace(2), kernel/entry/common.c):
 *  - at a SYSEMU syscall-entry stop the call is skipped whatever the tracer
 *    does; rax on return to user mode is what the tracer set;
 *  - resuming such a stop with PTRACE_SYSCALL reports one syscall-exit stop
 *    for the skipped call first; PTRACE_GET_SYSCALL_INFO tells entry from exit;
 *  - tasks seized with PTRACE_O_TRACEFORK auto-attach their children, which
 *    start in a PTRACE_EVENT_STOP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "../common/cleanup.h"
#include "platform.h"

struct platform_ptrace {
	struct platform base;
	int sigchld_fd; /* signalfd for SIGCHLD: a tracee stopped or exited */
};

#define PTRACE_OPTIONS                                                                          \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
	 PTRACE_O_EXITKILL)

static int pt_get_regs(struct platform *p, pid_t pid, struct user_regs_struct *regs)
{
	return ptrace(PTRACE_GETREGS, pid, 0, regs) < 0 ? -errno : 0;
}

static int pt_set_regs(struct platform *p, pid_t pid, const struct user_regs_struct *regs)
{
	return ptrace(PTRACE_SETREGS, pid, 0, regs) < 0 ? -errno : 0;
}

static int pt_set_return(struct platform *p, pid_t pid, uint64_t value)
{
	return ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, rax), value) < 0 ? -errno : 0;
}

static int pt_get_fpregs(struct platform *p, pid_t pid, struct user_fpregs_struct *fp)
{
	return ptrace(PTRACE_GETFPREGS, pid, 0, fp) < 0 ? -errno : 0;
}

static int pt_set_fpregs(struct platform *p, pid_t pid, const struct user_fpregs_struct *fp)
{
	return ptrace(PTRACE_SETFPREGS, pid, 0, fp) < 0 ? -errno : 0;
}

/* Run the task (at a stop, regs already pointing at the stub) through one host
 * call and return its result.  *child receives a new process's pid if the
 * call made one. */
static int pt_drive_call(pid_t pid, long *ret, pid_t *child)
{
	bool entered = false;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, 0, 0) < 0)
			return -errno;
		int st;
		if (waitpid(pid, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st))
			return -ESRCH;
		int event = st >> 16;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info info;
			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) < 0)
				return -errno;
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				entered = true;
			} else if (info.op == PTRACE_SYSCALL_INFO_EXIT && entered) {
				*ret = info.exit.rval;
				return 0;
			}
			continue;
		}
		if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
			unsigned long msg = 0;
			ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
			if (child != NULL)
				*child = (pid_t)msg;
			continue;
		}
		/* Any other stop (a late interrupt, a host signal): suppressed; the call goes on. */
	}
}

static int pt_syscall_child(pid_t pid, long nr, const uint64_t args[6], long *ret, pid_t *child)
{
	struct user_regs_struct saved, r;
	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0)
		return -errno;
	r = saved;
	r.rip = PLATFORM_STUB_ADDR;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0)
		return -errno;
	int rc = pt_drive_call(pid, ret, child);
	if (rc < 0)
		return rc;
	if (ptrace(PTRACE_SETREGS, pid, 0, &saved) < 0)
		return -errno;
	return 0;
}

static int pt_syscall(struct platform *p, pid_t pid, long nr, const uint64_t args[6], long *ret)
{
	return pt_syscall_child(pid, nr, args, ret, NULL);
}

static int pt_clone(struct platform *p, pid_t pid, uint64_t flags, pid_t *child)
{
	struct user_regs_struct saved;
	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) < 0)
		return -errno;
	uint64_t args[6] = { flags, 0, 0, 0, 0, 0 };
	long ret = 0;
	pid_t c = 0;
	int rc = pt_syscall_child(pid, SYS_clone, args, &ret, &c);
	if (rc < 0)
		return rc;
	if (ret < 0)
		return (int)ret;
	if (c == 0)
		c = (pid_t)ret;
	int st;
	for (;;) {
		if (waitpid(c, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st))
			return -ESRCH;
		if ((st >> 16) == PTRACE_EVENT_STOP || WSTOPSIG(st) == SIGSTOP)
			break;
		ptrace(PTRACE_SYSCALL, c, 0, 0);
	}
	saved.rax = 0;
	if (ptrace(PTRACE_SETREGS, c, 0, &saved) < 0)
		return -errno;
	*child = c;
	return 0;
}

static int pt_fork(struct platform *p, pid_t pid, pid_t *child)
{
	/* CLONE_PARENT: the new process is the sentry's child, so the sentry (not a
	 * task) reaps it; the task never owns host children. */
	return pt_clone(p, pid, CLONE_PARENT | SIGCHLD, child);
}

static int pt_clone_thread(struct platform *p, pid_t pid, pid_t *child)
{
	return pt_clone(p, pid, PLATFORM_THREAD_FLAGS, child);
}

static int pt_read_mem(struct platform *p, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

static int pt_write_mem(struct platform *p, pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	/* Read-only pages (a file mapping being filled): word-wise pokes, which may write them. */
	const unsigned char *src = buf;
	for (size_t off = 0; off < len;) {
		uint64_t a = (addr + off) & ~7UL;
		size_t skip = (addr + off) - a;
		size_t take = 8 - skip < len - off ? 8 - skip : len - off;
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, pid, (void *)a, 0);
		if (errno != 0)
			return -EFAULT;
		memcpy((unsigned char *)&word + skip, src + off, take);
		if (ptrace(PTRACE_POKEDATA, pid, (void *)a, (void *)word) < 0)
			return -EFAULT;
		off += take;
	}
	return 0;
}

static int pt_write_mem_kernel(struct platform *p, pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };
	return len == 0 || process_vm_writev(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EFAULT;
}

static int pt_resume(struct platform *p, pid_t pid)
{
	return ptrace(PTRACE_SYSEMU, pid, 0, 0) < 0 ? -errno : 0;
}

static int pt_interrupt(struct platform *p, pid_t pid)
{
	return ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0 ? -errno : 0;
}

static void pt_kill(struct platform *p, pid_t pid)
{
	if (pid > 0) /* never 0 or -1: those would name process groups or everyone */
		kill(pid, SIGKILL);
}

static int pt_event_fd(struct platform *p)
{
	return ((struct platform_ptrace *)p)->sigchld_fd;
}

static void pt_arm(struct platform *p)
{
	struct platform_ptrace *pp = (struct platform_ptrace *)p;
	struct signalfd_siginfo si;
	while (read(pp->sigchld_fd, &si, sizeof(si)) == sizeof(si))
		;
}

static int pt_next_stop(struct platform *p, struct platform_stop *stop)
{
	int st;
	pid_t pid = waitpid(-1, &st, __WALL | WNOHANG);
	if (pid < 0)
		return errno == ECHILD ? 0 : -1;
	if (pid == 0)
		return 0;
	memset(stop, 0, sizeof(*stop));
	stop->host_pid = pid;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		stop->kind = PLATFORM_STOP_EXITED;
		stop->status = st;
		return 1;
	}
	int sig = WSTOPSIG(st), event = st >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		stop->kind = PLATFORM_STOP_SYSCALL;
	} else if (event != 0) {
		stop->kind = PLATFORM_STOP_INTERRUPT;
	} else {
		stop->kind = PLATFORM_STOP_SIGNAL;
		stop->signo = sig;
		if (ptrace(PTRACE_GETSIGINFO, pid, 0, &stop->info) < 0)
			memset(&stop->info, 0, sizeof(stop->info));
	}
	return 1;
}

/* The first code a task process runs, still the sentry's code: map the stub,
 * drop every host fd, wait to be seized, stop.  After this the sentry empties
 * the address space and loads the container's program. */
static __attribute__((noreturn)) void pt_child(int sync_fd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Security: a task must not outlive the sentry that confines it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	void *stub = mmap((void *)PLATFORM_STUB_ADDR, PLATFORM_STUB_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (stub != (void *)PLATFORM_STUB_ADDR)
		_exit(127);
	static const unsigned char code[] = { 0x0f, 0x05, 0xcc, 0xcc }; /* syscall; int3 */
	memcpy(stub, code, sizeof(code));
	if (mprotect(stub, PLATFORM_STUB_SIZE, PROT_READ | PROT_EXEC) < 0)
		_exit(127);
	/* glibc registered an rseq area in this thread's TLS; once the address
	 * space is emptied the kernel would fault writing it (SIGSEGV on return
	 * to user mode), so unregister it first (rseq(2), glibc __rseq_offset). */
	if (__rseq_size > 0) {
		/* The registered length is the ABI struct (32 bytes) or the feature size. */
		void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, 32, 1 /* UNREGISTER */, 0x53053053 /* RSEQ_SIG on x86 */) < 0)
			syscall(SYS_rseq, area, __rseq_size, 1, 0x53053053);
	}
	char c;
	if (read(sync_fd, &c, 1) != 1)
		_exit(127);
	/* Security: the task process holds no host fd; all its I/O goes through the sentry. */
	syscall(SYS_close_range, 0, ~0U, 0);
	kill(getpid(), SIGSTOP);
	_exit(127);
}

/*
 * Defence in depth inside the task process: a seccomp filter that lets the
 * host run only the calls the sentry makes from the stub (memory calls and
 * its own fork) and refuses everything else with EPERM.  Task calls never
 * reach it (PTRACE_SYSEMU skips them before seccomp runs), but calls the
 * ptrace path does not see do: the legacy vsyscall page's time, gettimeofday
 * and getcpu (arch/x86/entry/vsyscall).  Source: seccomp(2), struct seccomp_data.
 */
#define SD_NR 0
#define SD_ARCH 4
#define SD_IP_LO 8
#define SD_IP_HI 12
#define SD_ARG0_LO 16
#define SD_ARG0_HI 20

static int pt_confine(struct platform *p, pid_t pid)
{
	const uint32_t stub_ip = (uint32_t)(PLATFORM_STUB_ADDR + 2); /* after `syscall` */
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_IP_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 16),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_IP_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, stub_ip, 0, 14),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 11, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_munmap, 10, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 9, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mremap, 8, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, 7, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 6, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG0_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CLONE_PARENT | SIGCHLD, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PLATFORM_THREAD_FLAGS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	/* The program and its header go into a scratch page of the task. */
	const uint64_t scratch = PLATFORM_STUB_ADDR + PLATFORM_STUB_SIZE;
	uint64_t a_map[6] = { scratch, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			      (uint64_t)-1, 0 };
	long ret = 0;
	int rc = pt_syscall(p, pid, SYS_mmap, a_map, &ret);
	if (rc < 0 || ret != (long)scratch)
		return rc < 0 ? rc : -ENOMEM;
	struct {
		uint16_t len;
		uint8_t pad[6];
		uint64_t filter;
	} fprog = { sizeof(prog) / sizeof(prog[0]), { 0 }, scratch + 64 };
	if (pt_write_mem(p, pid, scratch, &fprog, sizeof(fprog)) < 0 ||
	    pt_write_mem(p, pid, scratch + 64, prog, sizeof(prog)) < 0)
		return -EFAULT;
	uint64_t a_nnp[6] = { PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0 };
	uint64_t a_sec[6] = { SECCOMP_SET_MODE_FILTER, 0, scratch, 0, 0, 0 };
	uint64_t a_unmap[6] = { scratch, 4096, 0, 0, 0, 0 };
	if ((rc = pt_syscall(p, pid, SYS_prctl, a_nnp, &ret)) < 0 || ret < 0)
		return rc < 0 ? rc : (int)ret;
	if ((rc = pt_syscall(p, pid, SYS_seccomp, a_sec, &ret)) < 0 || ret < 0)
		return rc < 0 ? rc : (int)ret;
	if ((rc = pt_syscall(p, pid, SYS_munmap, a_unmap, &ret)) < 0 || ret < 0)
		return rc < 0 ? rc : (int)ret;
	return 0;
}

static int pt_spawn(struct platform *p, pid_t *host_pid, strata_error_t *err)
{
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "sentry: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(sync[0]);
		close(sync[1]);
		return strata_error_errno(err, errno, "sentry: fork a task process");
	}
	if (pid == 0) {
		close(sync[1]);
		pt_child(sync[0]);
	}
	close(sync[0]);
	_cleanup_close_ int wfd = sync[1];
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_OPTIONS) < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return strata_error_errno(err, e, "sentry: PTRACE_SEIZE task process");
	}
	if (write(wfd, "x", 1) != 1) {
		kill(pid, SIGKILL);
		return strata_error_errno(err, errno, "sentry: start task process");
	}
	int st;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0)
			return strata_error_errno(err, errno, "sentry: wait for task process");
		if (!WIFSTOPPED(st))
			return strata_error_set(err, ECHILD, "sentry: task process died during setup (status %#x)", st);
		if (WSTOPSIG(st) == SIGSTOP && (st >> 16) == 0)
			break;
		ptrace(PTRACE_CONT, pid, 0, 0);
	}
	/* Empty the address space except the stub. */
	long ret = 0;
	uint64_t a1[6] = { 0, PLATFORM_STUB_ADDR, 0, 0, 0, 0 };
	uint64_t a2[6] = { PLATFORM_STUB_ADDR + PLATFORM_STUB_SIZE,
			   PLATFORM_USER_TOP - PLATFORM_STUB_ADDR - PLATFORM_STUB_SIZE, 0, 0, 0, 0 };
	int rc = pt_syscall(p, pid, SYS_munmap, a1, &ret);
	if (rc == 0 && ret == 0)
		rc = pt_syscall(p, pid, SYS_munmap, a2, &ret);
	if (rc < 0 || ret < 0) {
		kill(pid, SIGKILL);
		return strata_error_errno(err, rc < 0 ? -rc : (int)-ret, "sentry: empty task address space");
	}
	if ((rc = pt_confine(p, pid)) < 0) {
		kill(pid, SIGKILL);
		return strata_error_errno(err, -rc, "sentry: seccomp filter of the task process");
	}
	*host_pid = pid;
	return 0;
}

static void pt_destroy(struct platform *p)
{
	struct platform_ptrace *pp = (struct platform_ptrace *)p;
	if (pp == NULL)
		return;
	if (pp->sigchld_fd >= 0)
		close(pp->sigchld_fd);
	free(pp);
}

static const struct platform_ops ptrace_ops = {
	.name = "ptrace",
	.spawn = pt_spawn,
	.next_stop = pt_next_stop,
	.event_fd = pt_event_fd,
	.arm = pt_arm,
	.resume = pt_resume,
	.interrupt = pt_interrupt,
	.get_regs = pt_get_regs,
	.set_regs = pt_set_regs,
	.set_return = pt_set_return,
	.get_fpregs = pt_get_fpregs,
	.set_fpregs = pt_set_fpregs,
	.syscall = pt_syscall,
	.fork = pt_fork,
	.clone_thread = pt_clone_thread,
	.read_mem = pt_read_mem,
	.write_mem = pt_write_mem,
	.write_mem_kernel = pt_write_mem_kernel,
	.kill = pt_kill,
	.destroy = pt_destroy,
};

int platform_ptrace_new(struct platform **out, strata_error_t *err)
{
	struct platform_ptrace *pp = calloc(1, sizeof(*pp));
	if (pp == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: platform");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pp->sigchld_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (pp->sigchld_fd < 0) {
		free(pp);
		return strata_error_errno(err, errno, "sentry: signalfd(SIGCHLD)");
	}
	pp->base.ops = &ptrace_ops;
	*out = &pp->base;
	return 0;
}
