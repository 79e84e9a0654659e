/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_misc.c - identity, time and system-information calls.  Credentials are
 * the sandbox's own (the host process keeps the runtime-applied ones), time
 * comes from the host clocks, and uname reports a sentry-chosen release.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "syscall_table.h"

#define SENTRY_RELEASE "4.4.0"

long sentry_sys_uname(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct utsname u;
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	memcpy(u.nodename, k->hostname, sizeof(k->hostname) - 1);
	strcpy(u.release, SENTRY_RELEASE);
	strcpy(u.version, "#1 SMP strata sentry");
	strcpy(u.machine, "x86_64");
	memcpy(u.domainname, k->domainname, sizeof(k->domainname) - 1);
	return task_write(k, t, a[0], &u, sizeof(u));
}

static long clock_now(struct sentry_kernel *k, struct task *t, clockid_t clk, struct timespec *ts)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return clock_gettime(clk, ts) < 0 ? -errno : 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: {
		/* Partial: the task's wall time since start stands in for CPU time. */
		int64_t ns = monotonic_ns() - t->start_ns;
		ts->tv_sec = ns / 1000000000;
		ts->tv_nsec = ns % 1000000000;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

long sentry_sys_clock_gettime(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	long rc = clock_now(k, t, (clockid_t)a[0], &ts);
	return rc < 0 ? rc : task_write(k, t, a[1], &ts, sizeof(ts));
}

long sentry_sys_clock_getres(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct timespec ts = { 0, 1 };
	if ((clockid_t)a[0] == CLOCK_REALTIME_COARSE || (clockid_t)a[0] == CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = 4000000;
	return a[1] != 0 ? task_write(k, t, a[1], &ts, sizeof(ts)) : 0;
}

long sentry_sys_gettimeofday(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (a[0] != 0 && task_write(k, t, a[0], &tv, sizeof(tv)) < 0)
		return -EFAULT;
	if (a[1] != 0) {
		struct timezone tz = { 0, 0 };
		if (task_write(k, t, a[1], &tz, sizeof(tz)) < 0)
			return -EFAULT;
	}
	return 0;
}

long sentry_sys_time(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t now = (int64_t)time(NULL);
	if (a[0] != 0 && task_write(k, t, a[0], &now, sizeof(now)) < 0)
		return -EFAULT;
	return (long)now;
}

/* Sleep until an absolute CLOCK_MONOTONIC deadline; EINTR (with the time left
 * in rem when given) if a signal arrives first. */
static long sleep_until(struct sentry_kernel *k, struct task *t, int64_t deadline, uint64_t rem)
{
	int64_t now = monotonic_ns();
	if (now >= deadline)
		return 0;
	if (signal_deliverable(t)) {
		if (rem != 0) {
			int64_t left = deadline - now;
			struct timespec ts = { left / 1000000000, left % 1000000000 };
			task_write(k, t, rem, &ts, sizeof(ts));
		}
		return -EINTR;
	}
	t->block_deadline_ns = deadline;
	return -SENTRY_EBLOCK;
}

long sentry_sys_nanosleep(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->state == TASK_BLOCKED)
		return sleep_until(k, t, t->block_deadline_ns, a[1]);
	struct timespec ts;
	if (task_read(k, t, a[0], &ts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	return sleep_until(k, t, monotonic_ns() + (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, a[1]);
}

long sentry_sys_clock_nanosleep(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	bool abs = (a[1] & TIMER_ABSTIME) != 0;
	if (t->state == TASK_BLOCKED)
		return sleep_until(k, t, t->block_deadline_ns, abs ? 0 : a[3]);
	struct timespec ts, now;
	if (task_read(k, t, a[2], &ts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	int64_t rel = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (abs) {
		long rc = clock_now(k, t, (clockid_t)a[0], &now);
		if (rc < 0)
			return rc;
		rel -= (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	}
	return sleep_until(k, t, monotonic_ns() + rel, abs ? 0 : a[3]);
}

long sentry_sys_getrandom(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	char buf[4096];
	size_t len = a[1] > sizeof(buf) ? sizeof(buf) : a[1];
	ssize_t n = getrandom(buf, len, (unsigned)a[2] & GRND_NONBLOCK);
	if (n < 0)
		return -errno;
	return task_write(k, t, a[0], buf, (size_t)n) < 0 ? -EFAULT : n;
}

long sentry_sys_sysinfo(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sysinfo si;
	sysinfo(&si);
	si.uptime = (long)((monotonic_ns() - k->boot_ns) / 1000000000);
	int n = 0;
	for (struct task *x = k->tasks; x != NULL; x = x->next)
		n++;
	si.procs = (unsigned short)n;
	si.loads[0] = si.loads[1] = si.loads[2] = 0;
	return task_write(k, t, a[0], &si, sizeof(si));
}

long sentry_sys_prlimit64(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct task *x = (pid_t)a[0] == 0 ? t : task_find(k, (pid_t)a[0]);
	if (x == NULL)
		return -ESRCH;
	unsigned res = (unsigned)a[1];
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit old = x->rlim[res];
	if (a[2] != 0) {
		struct rlimit n;
		if (task_read(k, t, a[2], &n, sizeof(n)) < 0)
			return -EFAULT;
		if (n.rlim_cur > n.rlim_max)
			return -EINVAL;
		if (n.rlim_max > old.rlim_max && x->euid != 0)
			return -EPERM;
		x->rlim[res] = n;
	}
	if (a[3] != 0 && task_write(k, t, a[3], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

long sentry_sys_getrlimit(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	uint64_t b[6] = { 0, a[0], 0, a[1], 0, 0 };
	return sentry_sys_prlimit64(k, t, b);
}

long sentry_sys_setrlimit(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	uint64_t b[6] = { 0, a[0], a[1], 0, 0, 0 };
	return sentry_sys_prlimit64(k, t, b);
}

long sentry_sys_sched_yield(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return 0;
}

long sentry_sys_getuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6]) { return t->ruid; }
long sentry_sys_geteuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6]) { return t->euid; }
long sentry_sys_getgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6]) { return t->rgid; }
long sentry_sys_getegid(struct sentry_kernel *k, struct task *t, const uint64_t a[6]) { return t->egid; }

/* setresuid(2) rules: an unprivileged task may only pick among its own ids. */
static long set_ids(uint32_t *r, uint32_t *e, uint32_t *s, bool priv, int64_t nr, int64_t ne, int64_t ns)
{
	int64_t v[3] = { nr, ne, ns };
	for (int i = 0; i < 3; i++)
		if (v[i] != -1 && !priv && v[i] != *r && v[i] != *e && v[i] != *s)
			return -EPERM;
	if (nr != -1)
		*r = (uint32_t)nr;
	if (ne != -1)
		*e = (uint32_t)ne;
	if (ns != -1)
		*s = (uint32_t)ns;
	return 0;
}

long sentry_sys_setuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t u = (int32_t)a[0];
	if (t->euid == 0)
		return set_ids(&t->ruid, &t->euid, &t->suid, true, u, u, u);
	return set_ids(&t->ruid, &t->euid, &t->suid, false, -1, u, -1);
}

long sentry_sys_setgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t g = (int32_t)a[0];
	if (t->euid == 0)
		return set_ids(&t->rgid, &t->egid, &t->sgid, true, g, g, g);
	return set_ids(&t->rgid, &t->egid, &t->sgid, false, -1, g, -1);
}

long sentry_sys_setreuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return set_ids(&t->ruid, &t->euid, &t->suid, t->euid == 0, (int32_t)a[0], (int32_t)a[1], -1);
}

long sentry_sys_setregid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return set_ids(&t->rgid, &t->egid, &t->sgid, t->euid == 0, (int32_t)a[0], (int32_t)a[1], -1);
}

long sentry_sys_setresuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return set_ids(&t->ruid, &t->euid, &t->suid, t->euid == 0, (int32_t)a[0], (int32_t)a[1], (int32_t)a[2]);
}

long sentry_sys_setresgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return set_ids(&t->rgid, &t->egid, &t->sgid, t->euid == 0, (int32_t)a[0], (int32_t)a[1], (int32_t)a[2]);
}

static long write3(struct sentry_kernel *k, struct task *t, const uint64_t a[6], uint32_t x, uint32_t y, uint32_t z)
{
	if (task_write(k, t, a[0], &x, 4) < 0 || task_write(k, t, a[1], &y, 4) < 0 || task_write(k, t, a[2], &z, 4) < 0)
		return -EFAULT;
	return 0;
}

long sentry_sys_getresuid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return write3(k, t, a, t->ruid, t->euid, t->suid);
}

long sentry_sys_getresgid(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return write3(k, t, a, t->rgid, t->egid, t->sgid);
}

long sentry_sys_getgroups(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int size = (int)a[0];
	if (size == 0)
		return t->ngroups;
	if (size < t->ngroups)
		return -EINVAL;
	return task_write(k, t, a[1], t->groups, (size_t)t->ngroups * sizeof(gid_t)) < 0 ? -EFAULT : t->ngroups;
}

long sentry_sys_setgroups(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->euid != 0)
		return -EPERM;
	if (a[0] > 32)
		return -EINVAL;
	gid_t g[32];
	if (task_read(k, t, a[1], g, a[0] * sizeof(gid_t)) < 0)
		return -EFAULT;
	memcpy(t->groups, g, a[0] * sizeof(gid_t));
	t->ngroups = (int)a[0];
	return 0;
}

long sentry_sys_sethostname(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (t->euid != 0)
		return -EPERM;
	if (a[1] > 64)
		return -EINVAL;
	char name[65] = { 0 };
	if (task_read(k, t, a[0], name, a[1]) < 0)
		return -EFAULT;
	memcpy(k->hostname, name, sizeof(name));
	return 0;
}

long sentry_sys_getcpu(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	unsigned zero = 0;
	if (a[0] != 0 && task_write(k, t, a[0], &zero, 4) < 0)
		return -EFAULT;
	if (a[1] != 0 && task_write(k, t, a[1], &zero, 4) < 0)
		return -EFAULT;
	return 0;
}

long sentry_sys_getrusage(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	return task_write(k, t, a[1], &ru, sizeof(ru));
}

long sentry_sys_times(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct tms tm;
	memset(&tm, 0, sizeof(tm));
	if (a[0] != 0 && task_write(k, t, a[0], &tm, sizeof(tm)) < 0)
		return -EFAULT;
	return (long)((monotonic_ns() - k->boot_ns) / 10000000);
}

long sentry_sys_sched_getaffinity(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	if (a[1] < 8 || (a[1] & 7))
		return -EINVAL;
	return task_write(k, t, a[2], &set, 8) < 0 ? -EFAULT : 8;
}

long sentry_sys_alarm(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t now = monotonic_ns();
	long left = t->alarm_ns > now ? (long)((t->alarm_ns - now + 999999999) / 1000000000) : 0;
	t->alarm_ns = a[0] != 0 ? now + (int64_t)(unsigned)a[0] * 1000000000 : 0;
	return left;
}

long sentry_sys_getpriority(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return 20; /* the syscall's encoding of nice 0 (getpriority(2) NOTES) */
}

long sentry_sys_setpriority(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return 0;
}
