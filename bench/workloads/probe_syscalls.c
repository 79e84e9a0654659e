/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_syscalls.c - the system call surface probe: for each number
 * 0..PROBE_SYSCALL_MAX, does a call with harmless arguments reach a kernel
 * handler (see probe.h)?  x86_64 numbering (arch/x86/entry/syscalls/syscall_64.tbl).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* A key no System V IPC object of this machine is expected to use. */
#define PROBE_IPC_KEY 0x57a7a9beL
/* A pid above the kernel's PID_MAX_LIMIT (4194304): kill() can only fail with ESRCH. */
#define PROBE_NO_SUCH_PID 0x7ffffff0L

void probe_syscall_args(long nr, long args[6], void *scratch)
{
	for (int i = 0; i < 6; i++)
		args[i] = -1;
	switch (nr) {
	case SYS_futex: /* an unknown op returns ENOSYS: wake nobody on a private word instead */
		memset(scratch, 0, 8);
		args[0] = (long)scratch;
		args[1] = 1; /* FUTEX_WAKE */
		args[2] = 0;
		break;
	case SYS_modify_ldt: /* an unknown func returns ENOSYS: read 0 bytes instead */
		args[0] = 0;
		args[1] = (long)scratch;
		args[2] = 0;
		break;
	case SYS_msgget: /* -1 flags hold IPC_CREAT: look up an absent key without creating */
	case SYS_semget:
	case SYS_shmget:
		args[0] = PROBE_IPC_KEY;
		args[1] = 0;
		args[2] = 0;
		break;
	case SYS_init_module: /* an empty image fails with ENOEXEC after the permission check */
		memset(scratch, 0, 8);
		args[0] = 0;
		args[1] = 0;
		args[2] = (long)scratch;
		break;
	case SYS_reboot: /* a wrong magic number fails with EINVAL */
		args[0] = 0;
		args[1] = 0;
		args[2] = 0;
		args[3] = 0;
		break;
	case SYS_kill: /* never pid -1 (every process): a pid that cannot exist, signal 0 */
		args[0] = PROBE_NO_SUCH_PID;
		args[1] = 0;
		break;
	default:
		break;
	}
}

/*
 * fork/vfork take no arguments and really duplicate the process: the new
 * process must leave at once, before it touches the (shared, for vfork)
 * stack.  So the call and the child's exit are one asm block.
 */
static long fork_like_and_exit_child(long nr)
{
	long ret;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t" /* SYS_exit */
			 "xor %%edi, %%edi\n\t"
			 "syscall\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(nr)
			 : "rcx", "r11", "rdi", "memory");
	return ret;
}

static void on_alarm(int sig)
{
	(void)sig;
}

struct reply {
	long ret;
	int err;
};

static void syscall_child(long nr, int wfd)
{
	char scratch[64] __attribute__((aligned(8))); /* futex word, modify_ldt buffer, empty module params */
	long a[6];
	struct reply rep;
	setsid(); /* no controlling terminal: vhangup and tty ioctls touch nothing */
	probe_default_signals(); /* a crash must end this child, whatever handlers the caller had */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: a blocking call returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_interval = { 0, 20000 }, .it_value = { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	probe_syscall_args(nr, a, scratch);
	long r;
	if (nr == SYS_fork || nr == SYS_vfork) {
		r = fork_like_and_exit_child(nr);
		errno = r < 0 ? (int)-r : 0;
		if (r < 0)
			r = -1;
	} else {
		r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	rep.err = r == -1 ? errno : 0;
	rep.ret = r;
	ssize_t w = write(wfd, &rep, sizeof(rep));
	_exit(w == (ssize_t)sizeof(rep) ? 0 : 1);
}

int probe_syscall_try(long nr, struct probe_syscall_fact *f)
{
	int p[2];
	memset(f, 0, sizeof(*f));
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		syscall_child(nr, p[1]);
	}
	close(p[1]);
	struct reply rep;
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	ssize_t n = -1;
	int pr = poll(&pfd, 1, 2000);
	if (pr > 0)
		n = read(p[0], &rep, sizeof(rep));
	close(p[0]);
	if (pr == 0) {
		f->timed_out = true;
		kill(pid, SIGKILL);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(rep)) {
		f->replied = true;
		f->ret = rep.ret;
		f->err = rep.err;
	} else if (!f->timed_out && WIFSIGNALED(status)) {
		f->signal = WTERMSIG(status);
	} else if (!f->timed_out) {
		f->exited = true;
	}
	return 0;
}
