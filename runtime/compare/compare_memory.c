/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compare_memory.c - the memory overhead of a runtime: PSS of the host
 * processes it leaves running for an idle container (compare.h).
 *
 * The runner is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER), so every
 * process a runtime daemonises (a sentry, a VMM, runsc's sandbox and gofer)
 * is re-parented to it and found by walking parent links in /proc.  PSS
 * (proportional set size) charges shared pages by share, so a runtime's
 * libraries are not counted in full.  Source: proc(5) /proc/PID/stat and
 * /proc/PID/smaps_rollup (Linux 4.14).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "compare.h"

struct proc_entry {
	pid_t pid, ppid;
	char comm[32];
};

/* Parse /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and ')'. */
static int read_stat(pid_t pid, struct proc_entry *e)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
	if (lp == NULL || rp == NULL || rp < lp)
		return -1;
	snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(rp - lp - 1), lp + 1);
	char state;
	int ppid;
	if (sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
		return -1;
	e->pid = pid;
	e->ppid = ppid;
	return 0;
}

/* Pss of one process in KiB, 0 when unreadable (kernel threads, exited). */
static long pss_kib(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (f == NULL)
		return 0;
	char line[256];
	while (fgets(line, sizeof(line), f) != NULL) {
		long kib;
		if (sscanf(line, "Pss: %ld kB", &kib) == 1)
			return kib;
	}
	return 0;
}

/*
 * Every process descended from ancestor (ancestor itself and the pids of
 * exclude left out), with its comm.  *out is heap (caller frees).
 */
static int descendants(pid_t ancestor, const pid_t *exclude, struct proc_entry **out, size_t *count,
		       strata_error_t *err)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	if (d == NULL)
		return strata_error_errno(err, errno, "open /proc");
	_cleanup_free_ struct proc_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 512;
			struct proc_entry *nv = reallocarray(v, ncap, sizeof(*v));
			if (nv == NULL)
				return strata_error_errno(err, ENOMEM, "process list");
			v = nv;
			cap = ncap;
		}
		if (read_stat((pid_t)atoi(de->d_name), &v[n]) == 0)
			n++;
	}
	_cleanup_free_ struct proc_entry *res = calloc(n + 1, sizeof(*res));
	if (res == NULL)
		return strata_error_errno(err, ENOMEM, "process list");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].pid == ancestor)
			continue;
		bool skip = false;
		for (const pid_t *x = exclude; x != NULL && *x != 0; x++)
			skip |= v[i].pid == *x;
		if (skip)
			continue;
		/* walk up at most 64 parents looking for the ancestor */
		pid_t p = v[i].ppid;
		for (int hop = 0; hop < 64 && p > 1; hop++) {
			if (p == ancestor) {
				res[k++] = v[i];
				break;
			}
			size_t j;
			for (j = 0; j < n && v[j].pid != p; j++)
				;
			p = j < n ? v[j].ppid : 0;
		}
	}
	*out = steal_pointer(&res);
	*count = k;
	return 0;
}

int compare_pss_runtime_mib(pid_t ancestor, const pid_t *exclude, const char *container_comm, double *mib,
			    strata_error_t *err)
{
	_cleanup_free_ struct proc_entry *v = NULL;
	size_t n = 0;
	if (descendants(ancestor, exclude, &v, &n, err) < 0)
		return -1;
	long total = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].comm, container_comm) == 0)
			continue;
		long kib = pss_kib(v[i].pid);
		log_debug("compare: runtime process %d (%s): Pss %ld kB", (int)v[i].pid, v[i].comm, kib);
		total += kib;
	}
	*mib = (double)total / 1024.0;
	return 0;
}

void compare_kill_strays(pid_t ancestor, const pid_t *exclude)
{
	_cleanup_free_ struct proc_entry *v = NULL;
	_cleanup_error_ strata_error_t err = NULL;
	size_t n = 0;
	if (descendants(ancestor, exclude, &v, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		log_debug("compare: killing stray process %d (%s)", (int)v[i].pid, v[i].comm);
		kill(v[i].pid, SIGKILL);
	}
	/* Reap our own children now; the others are re-parented to us (subreaper) as
	 * their parents die, so keep reaping until all are gone (at most ~2 s). */
	for (size_t i = 0; i < n; i++)
		if (v[i].ppid == ancestor)
			while (waitpid(v[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
	for (int tries = 0; tries < 200; tries++) {
		compare_reap();
		bool alive = false;
		for (size_t i = 0; i < n && !alive; i++)
			alive = kill(v[i].pid, 0) == 0;
		if (!alive)
			break;
		usleep(10000);
	}
}
