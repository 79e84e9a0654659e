/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe_attempts.c - the attempts of the security probe (see probe.h) and
 * the fixed list that pairs each with its classification rule.
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

/* Record the outcome of a call that returned r (errno valid when r < 0). */
static void facts_set(struct probe_facts *f, long r, int e)
{
	f->ret = r < 0 ? -1 : r;
	f->err = r < 0 ? e : 0;
}

/* Read up to the token's length from path and compare it with the token. */
static void read_token(const char *path, const struct probe_target *t, struct probe_facts *f)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		facts_set(f, -1, errno);
		return;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	facts_set(f, n, e);
	if (n < 0)
		return;
	buf[n] = '\0';
	size_t tl = strlen(t->token);
	f->token_match = (size_t)n >= tl && memcmp(buf, t->token, tl) == 0;
}

/* `..` cannot climb above the root: /../../../HOSTFILE resolves in the container's root. */
static void attempt_host_file_dotdot(const struct probe_target *t, struct probe_facts *f)
{
	char path[4096];
	if (t->host_file == NULL || t->token == NULL) {
		f->skipped = true;
		return;
	}
	snprintf(path, sizeof(path), "/../../../../../..%s", t->host_file);
	snprintf(f->detail, sizeof(f->detail), "read /../..%s", t->host_file);
	read_token(path, t, f);
}

/* /proc/1/root is the root of pid 1 of our pid namespace: the host's root only without one. */
static void attempt_host_file_proc1_root(const struct probe_target *t, struct probe_facts *f)
{
	char path[4096];
	if (t->host_file == NULL || t->token == NULL) {
		f->skipped = true;
		return;
	}
	snprintf(path, sizeof(path), "/proc/1/root%s", t->host_file);
	snprintf(f->detail, sizeof(f->detail), "read /proc/1/root%s", t->host_file);
	read_token(path, t, f);
}

/* An absolute symlink is resolved against the reader's root. */
static void attempt_host_file_symlink(const struct probe_target *t, struct probe_facts *f)
{
	char link[4096];
	if (t->host_file == NULL || t->token == NULL || t->scratch_dir == NULL) {
		f->skipped = true;
		return;
	}
	snprintf(link, sizeof(link), "%s/probe-link.%d", t->scratch_dir, (int)getpid());
	snprintf(f->detail, sizeof(f->detail), "read symlink -> %s", t->host_file);
	if (symlink(t->host_file, link) < 0) {
		facts_set(f, -1, errno);
		snprintf(f->detail, sizeof(f->detail), "symlink in %s", t->scratch_dir);
		return;
	}
	read_token(link, t, f);
	unlink(link);
}

/* A host process is visible when /proc/PID/comm names the runner's process. */
static void attempt_host_processes(const struct probe_target *t, struct probe_facts *f)
{
	char path[64], buf[64];
	if (t->host_pid <= 0 || t->host_comm == NULL) {
		f->skipped = true;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->host_pid);
	snprintf(f->detail, sizeof(f->detail), "read /proc/%d/comm (host process `%s`)", (int)t->host_pid, t->host_comm);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		facts_set(f, -1, errno);
		return;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	close(fd);
	facts_set(f, n, e);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	f->token_match = strcmp(buf, t->host_comm) == 0;
	if (!f->token_match)
		snprintf(f->detail, sizeof(f->detail), "read /proc/%d/comm: `%s`, a process of the container", (int)t->host_pid,
			 buf);
}

static void attempt_raw_socket(const struct probe_target *t, struct probe_facts *f)
{
	snprintf(f->detail, sizeof(f->detail), "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	facts_set(f, fd, errno);
	if (fd >= 0)
		close(fd);
}

/* Mount a tmpfs on a fresh directory and unmount it at once. */
static void attempt_mount(const struct probe_target *t, struct probe_facts *f)
{
	char dir[4096];
	if (t->scratch_dir == NULL) {
		f->skipped = true;
		return;
	}
	snprintf(dir, sizeof(dir), "%s/probe-mnt.%d", t->scratch_dir, (int)getpid());
	snprintf(f->detail, sizeof(f->detail), "mount(tmpfs)");
	if (mkdir(dir, 0700) < 0) {
		facts_set(f, -1, errno);
		snprintf(f->detail, sizeof(f->detail), "mkdir in %s", t->scratch_dir);
		return;
	}
	int r = mount("strata-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k");
	facts_set(f, r, errno);
	if (r == 0)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/*
 * init_module(2) with an empty image: the capability check (CAP_SYS_MODULE)
 * and modules_disabled come first (EPERM); past them an empty image fails
 * with ENOEXEC, so nothing is ever loaded.
 */
static void attempt_kernel_module(const struct probe_target *t, struct probe_facts *f)
{
	snprintf(f->detail, sizeof(f->detail), "init_module(empty image)");
	long r = syscall(SYS_init_module, NULL, 0UL, "");
	facts_set(f, r, errno);
}

/* PTRACE_SEIZE does not stop the tracee; the seize ends when this (child) process exits. */
static void attempt_ptrace_outside(const struct probe_target *t, struct probe_facts *f)
{
	if (t->host_pid <= 0) {
		f->skipped = true;
		return;
	}
	snprintf(f->detail, sizeof(f->detail), "ptrace(PTRACE_SEIZE, host pid %d)", (int)t->host_pid);
	long r = ptrace(PTRACE_SEIZE, t->host_pid, NULL, NULL);
	facts_set(f, r, errno);
}

static void attempt_keyctl(const struct probe_target *t, struct probe_facts *f)
{
	snprintf(f->detail, sizeof(f->detail), "keyctl(KEYCTL_GET_KEYRING_ID, session keyring)");
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0L);
	facts_set(f, r, errno);
}

/* Create (and close) a one-entry array map: the smallest bpf object. */
static void attempt_bpf(const struct probe_target *t, struct probe_facts *f)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	snprintf(f->detail, sizeof(f->detail), "bpf(BPF_MAP_CREATE, array)");
	long r = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	facts_set(f, r, errno);
	if (r >= 0)
		close((int)r);
}

/* A software cpu-clock counter on ourselves, never enabled. */
static void attempt_perf_event_open(const struct probe_target *t, struct probe_facts *f)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.disabled = 1;
	snprintf(f->detail, sizeof(f->detail), "perf_event_open(sw cpu-clock, self)");
	long r = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	facts_set(f, r, errno);
	if (r >= 0)
		close((int)r);
}

static void attempt_userfaultfd(const struct probe_target *t, struct probe_facts *f)
{
	snprintf(f->detail, sizeof(f->detail), "userfaultfd(O_CLOEXEC)");
	long r = syscall(SYS_userfaultfd, O_CLOEXEC);
	facts_set(f, r, errno);
	if (r >= 0)
		close((int)r);
}

static void attempt_io_uring_setup(const struct probe_target *t, struct probe_facts *f)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	snprintf(f->detail, sizeof(f->detail), "io_uring_setup(1 entry)");
	long r = syscall(SYS_io_uring_setup, 1, &p);
	facts_set(f, r, errno);
	if (r >= 0)
		close((int)r);
}

/* Open for writing only: permission and read-only mounts are checked at open; nothing is written. */
static void open_for_write(const char *path, struct probe_facts *f)
{
	snprintf(f->detail, sizeof(f->detail), "open(%s, O_WRONLY), nothing written", path);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	facts_set(f, fd, errno);
	if (fd >= 0)
		close(fd);
}

static void attempt_write_proc_sys(const struct probe_target *t, struct probe_facts *f)
{
	open_for_write("/proc/sys/kernel/printk_ratelimit", f);
}

static void attempt_write_sys(const struct probe_target *t, struct probe_facts *f)
{
	open_for_write("/sys/kernel/profiling", f);
}

/* Abstract unix socket names belong to the network namespace. */
static void attempt_host_abstract_socket(const struct probe_target *t, struct probe_facts *f)
{
	struct sockaddr_un sa;
	if (t->abstract_socket == NULL || strlen(t->abstract_socket) + 1 > sizeof(sa.sun_path)) {
		f->skipped = true;
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	size_t len = strlen(t->abstract_socket);
	memcpy(sa.sun_path + 1, t->abstract_socket, len);
	snprintf(f->detail, sizeof(f->detail), "connect(@%s)", t->abstract_socket);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		facts_set(f, -1, errno);
		return;
	}
	int r = connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	facts_set(f, r, errno);
	close(fd);
}

static const struct probe_def PROBES[] = {
	{ "host_file_dotdot", PROBE_RULE_TOKEN, attempt_host_file_dotdot },
	{ "host_file_proc1_root", PROBE_RULE_TOKEN, attempt_host_file_proc1_root },
	{ "host_file_symlink", PROBE_RULE_TOKEN, attempt_host_file_symlink },
	{ "host_processes", PROBE_RULE_TOKEN, attempt_host_processes },
	{ "raw_socket", PROBE_RULE_SUCCESS, attempt_raw_socket },
	{ "mount", PROBE_RULE_SUCCESS, attempt_mount },
	{ "kernel_module", PROBE_RULE_PERMISSION, attempt_kernel_module },
	{ "ptrace_outside", PROBE_RULE_SUCCESS, attempt_ptrace_outside },
	{ "keyctl", PROBE_RULE_SUCCESS, attempt_keyctl },
	{ "bpf", PROBE_RULE_SUCCESS, attempt_bpf },
	{ "perf_event_open", PROBE_RULE_SUCCESS, attempt_perf_event_open },
	{ "userfaultfd", PROBE_RULE_SUCCESS, attempt_userfaultfd },
	{ "io_uring_setup", PROBE_RULE_SUCCESS, attempt_io_uring_setup },
	{ "write_proc_sys", PROBE_RULE_SUCCESS, attempt_write_proc_sys },
	{ "write_sys", PROBE_RULE_SUCCESS, attempt_write_sys },
	{ "host_abstract_socket", PROBE_RULE_SUCCESS, attempt_host_abstract_socket },
};

void probe_default_signals(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT, SIGTRAP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

const struct probe_def *probe_list(size_t *n)
{
	*n = sizeof(PROBES) / sizeof(PROBES[0]);
	return PROBES;
}

void probe_run_contained(const struct probe_def *def, const struct probe_target *t, struct probe_facts *f,
			 int timeout_ms)
{
	int p[2];
	memset(f, 0, sizeof(*f));
	if (pipe2(p, O_CLOEXEC) < 0) {
		facts_set(f, -1, errno);
		snprintf(f->detail, sizeof(f->detail), "pipe failed in the probe itself");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		facts_set(f, -1, errno);
		snprintf(f->detail, sizeof(f->detail), "fork failed in the probe itself");
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		struct probe_facts cf;
		memset(&cf, 0, sizeof(cf));
		close(p[0]);
		probe_default_signals();
		def->attempt(t, &cf);
		ssize_t w = write(p[1], &cf, sizeof(cf));
		_exit(w == (ssize_t)sizeof(cf) ? 0 : 1);
	}
	close(p[1]);
	struct pollfd pfd = { .fd = p[0], .events = POLLIN };
	ssize_t n = -1;
	if (poll(&pfd, 1, timeout_ms) > 0)
		n = read(p[0], f, sizeof(*f));
	close(p[0]);
	if (n != (ssize_t)sizeof(*f))
		kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(*f)) {
		memset(f, 0, sizeof(*f));
		f->ret = -1;
		if (WIFSIGNALED(status))
			snprintf(f->detail, sizeof(f->detail), "attempt killed by signal %d", WTERMSIG(status));
		else
			snprintf(f->detail, sizeof(f->detail), "attempt gave no answer");
	}
}
