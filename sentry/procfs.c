/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procfs.c - the sentry's /proc: generated from the sentry's own task list,
 * so a task sees only the sandbox's tasks (proc(5) formats).
 * Security: /proc/PID/root and /proc/PID/cwd are links to container paths
 * that the sentry resolves again from the container root; nothing here
 * names a host object.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "vfs.h"

enum pnode { P_NONE, P_ROOTDIR, P_SELF, P_FILE, P_PIDDIR, P_PIDFILE, P_PIDLINK, P_FDDIR, P_FDLINK };

static const char *const root_files[] = { "meminfo", "cpuinfo", "mounts", "uptime", "loadavg", "version", "filesystems", "stat" };
static const char *const pid_files[] = { "stat", "status", "cmdline", "comm", "mounts", "environ" };
static const char *const pid_links[] = { "cwd", "root", "exe" };

struct pwhere {
	enum pnode kind;
	struct task *task;
	int fd;
	const char *name;
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static struct task *live_task(struct sentry_kernel *k, const char *s)
{
	char *end;
	long pid = strtol(s, &end, 10);
	if (end == s || *end != '\0' || pid <= 0)
		return NULL;
	struct task *t = task_find(k, (pid_t)pid);
	return t != NULL && t->state != TASK_ZOMBIE ? t : NULL;
}

static int parse(struct sentry_kernel *k, struct task *self, const char *rel, struct pwhere *w)
{
	memset(w, 0, sizeof(*w));
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", rel);
	char *parts[4];
	int n = 0;
	for (char *s = strtok(buf, "/"); s != NULL && n < 4; s = strtok(NULL, "/"))
		parts[n++] = s;
	if (n == 0) {
		w->kind = P_ROOTDIR;
		return 0;
	}
	if (n == 1 && strcmp(parts[0], "self") == 0) {
		w->kind = P_SELF;
		return 0;
	}
	if (n == 1 && in_list(parts[0], root_files, sizeof(root_files) / sizeof(*root_files))) {
		w->kind = P_FILE;
		w->name = rel;
		return 0;
	}
	struct task *t = live_task(k, parts[0]);
	if (t == NULL)
		return -ENOENT;
	w->task = t;
	if (n == 1) {
		w->kind = P_PIDDIR;
		return 0;
	}
	if (n == 2 && in_list(parts[1], pid_files, sizeof(pid_files) / sizeof(*pid_files))) {
		w->kind = P_PIDFILE;
		w->name = rel + (parts[1] - buf);
		return 0;
	}
	if (n == 2 && in_list(parts[1], pid_links, sizeof(pid_links) / sizeof(*pid_links))) {
		w->kind = P_PIDLINK;
		w->name = rel + (parts[1] - buf);
		return 0;
	}
	if (strcmp(parts[1], "fd") != 0 || n > 3)
		return -ENOENT;
	if (n == 2) {
		w->kind = P_FDDIR;
		return 0;
	}
	char *end;
	long fd = strtol(parts[2], &end, 10);
	if (*end != '\0' || fd < 0 || fd_get(t, (int)fd) == NULL)
		return -ENOENT;
	w->kind = P_FDLINK;
	w->fd = (int)fd;
	return 0;
}

int procfs_lookup(struct sentry_kernel *k, struct task *t, const char *rel, struct stat *st, char *link, size_t linklen)
{
	struct pwhere w;
	int rc = parse(k, t, rel, &w);
	if (rc < 0)
		return rc;
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x16;
	st->st_ino = 2 + (w.task != NULL ? (uint64_t)w.task->tid * 64 : 0) + (uint64_t)w.kind;
	st->st_nlink = 1;
	st->st_blksize = 1024;
	if (w.task != NULL) {
		st->st_uid = w.task->euid;
		st->st_gid = w.task->egid;
	}
	link[0] = '\0';
	switch (w.kind) {
	case P_ROOTDIR:
	case P_PIDDIR:
	case P_FDDIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case P_FILE:
	case P_PIDFILE:
		st->st_mode = S_IFREG | 0444;
		break;
	case P_SELF:
		st->st_mode = S_IFLNK | 0777;
		snprintf(link, linklen, "%d", t->tid);
		break;
	case P_PIDLINK:
		st->st_mode = S_IFLNK | 0777;
		if (strcmp(w.name, "cwd") == 0)
			snprintf(link, linklen, "%s", w.task->cwd);
		else if (strcmp(w.name, "root") == 0)
			snprintf(link, linklen, "/");
		else
			snprintf(link, linklen, "%s", w.task->exe != NULL ? w.task->exe : "");
		break;
	case P_FDLINK:
		st->st_mode = S_IFLNK | 0700;
		snprintf(link, linklen, "%s", fd_get(w.task, w.fd)->path);
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/* A growing text buffer. */
struct tbuf {
	char *s;
	size_t len;
};

static void tb_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *nb = realloc(b->s, b->len + (size_t)n + 1);
	if (nb != NULL) {
		memcpy(nb + b->len, s, (size_t)n + 1);
		b->s = nb;
		b->len += (size_t)n;
	}
	free(s);
}

static char state_char(const struct task *t)
{
	return t->state == TASK_ZOMBIE ? 'Z' : t->job_stopped ? 'T' : t->state == TASK_BLOCKED ? 'S' : 'R';
}

static const char *state_name(const struct task *t)
{
	return t->state == TASK_ZOMBIE	? "Z (zombie)"
	       : t->job_stopped		? "T (stopped)"
	       : t->state == TASK_BLOCKED ? "S (sleeping)"
					  : "R (running)";
}

/* The filesystem type of the container root, by its statfs magic (statfs(2)). */
static const char *root_fstype(struct sentry_kernel *k)
{
	struct statfs sf;
	if (fstatfs(k->vfs->rootfd, &sf) < 0)
		return "rootfs";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53:
		return "ext4";
	case 0x794c7630:
		return "overlay";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	case 0x01021994:
		return "tmpfs";
	default:
		return "rootfs";
	}
}

static void gen_mounts(struct sentry_kernel *k, struct tbuf *b)
{
	for (size_t i = 0; i < k->vfs->nmounts; i++) {
		struct vmount *m = &k->vfs->mounts[i];
		if (i == 0)
			tb_printf(b, "/dev/root / %s %s 0 0\n", root_fstype(k), m->options);
		else
			tb_printf(b, "%s %s %s %s 0 0\n", m->source, m->path, m->fstype, m->options);
	}
}

static void gen_file(struct sentry_kernel *k, struct task *self, struct pwhere *w, struct tbuf *b)
{
	struct task *t = w->task;
	if (w->kind == P_FILE) {
		struct sysinfo si;
		sysinfo(&si);
		if (strcmp(w->name, "meminfo") == 0) {
			tb_printf(b, "MemTotal:       %8lu kB\n", si.totalram * si.mem_unit / 1024);
			tb_printf(b, "MemFree:        %8lu kB\n", si.freeram * si.mem_unit / 1024);
			tb_printf(b, "MemAvailable:   %8lu kB\n", si.freeram * si.mem_unit / 1024);
			tb_printf(b, "Buffers:        %8lu kB\n", si.bufferram * si.mem_unit / 1024);
			tb_printf(b, "Cached:         %8lu kB\n", 0UL);
			tb_printf(b, "Shmem:          %8lu kB\n", si.sharedram * si.mem_unit / 1024);
			tb_printf(b, "SReclaimable:   %8lu kB\n", 0UL);
			tb_printf(b, "SwapTotal:      %8lu kB\n", 0UL);
			tb_printf(b, "SwapFree:       %8lu kB\n", 0UL);
		} else if (strcmp(w->name, "cpuinfo") == 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);
			for (long i = 0; i < n; i++)
				tb_printf(b, "processor\t: %ld\nvendor_id\t: strata\nmodel name\t: sentry virtual CPU\n"
					     "flags\t\t: fpu sse sse2\n\n", i);
		} else if (strcmp(w->name, "mounts") == 0) {
			gen_mounts(k, b);
		} else if (strcmp(w->name, "uptime") == 0) {
			int64_t up = monotonic_ns() - k->boot_ns;
			tb_printf(b, "%lld.%02lld 0.00\n", (long long)(up / 1000000000), (long long)(up / 10000000 % 100));
		} else if (strcmp(w->name, "loadavg") == 0) {
			tb_printf(b, "0.00 0.00 0.00 1/1 %d\n", k->next_pid - 1);
		} else if (strcmp(w->name, "version") == 0) {
			tb_printf(b, "Linux version 4.4.0 (strata sentry)\n");
		} else if (strcmp(w->name, "stat") == 0) {
			long n = sysconf(_SC_NPROCESSORS_ONLN);
			tb_printf(b, "cpu  0 0 0 0 0 0 0 0 0 0\n");
			for (long i = 0; i < n; i++)
				tb_printf(b, "cpu%ld 0 0 0 0 0 0 0 0 0 0\n", i);
			int running = 0;
			for (struct task *x = k->tasks; x != NULL; x = x->next)
				running += x->state == TASK_RUNNING || x->state == TASK_STOPPED;
			tb_printf(b, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
				  (long long)(time(NULL) - (monotonic_ns() - k->boot_ns) / 1000000000), k->next_pid - 1,
				  running);
		} else if (strcmp(w->name, "filesystems") == 0) {
			tb_printf(b, "nodev\tproc\nnodev\ttmpfs\n");
		}
		return;
	}
	const char *name = w->name;
	pid_t ppid = t->parent != NULL ? t->parent->tid : 0;
	if (strcmp(name, "stat") == 0) {
		long long start = (t->start_ns - k->boot_ns) / 10000000;
		tb_printf(b, "%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 %lld %llu 0 "
			     "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
			  t->tid, t->comm, state_char(t), ppid, t->pgid, t->sid, start,
			  (unsigned long long)(t->brk_cur - t->brk_start));
	} else if (strcmp(name, "status") == 0) {
		uint64_t ign = 0, cgt = 0;
		for (int s = 1; s < SENTRY_NSIG; s++) {
			if (t->act[s].handler == (uint64_t)(uintptr_t)SIG_IGN)
				ign |= 1ULL << (s - 1);
			else if (t->act[s].handler != 0)
				cgt |= 1ULL << (s - 1);
		}
		tb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
			  t->comm, t->umask, state_name(t), t->tgid, t->tid, ppid);
		tb_printf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\nGroups:\t", t->ruid, t->euid,
			  t->suid, t->euid, t->rgid, t->egid, t->sgid, t->egid, SENTRY_MAX_FDS);
		for (int i = 0; i < t->ngroups; i++)
			tb_printf(b, "%u ", t->groups[i]);
		tb_printf(b, "\nThreads:\t%d\nSigPnd:\t%016llx\nShdPnd:\t0000000000000000\nSigBlk:\t%016llx\n"
			     "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
			  task_group_live(k, t), (unsigned long long)t->pending, (unsigned long long)t->sigmask, (unsigned long long)ign,
			  (unsigned long long)cgt);
	} else if (strcmp(name, "cmdline") == 0) {
		if (t->cmdline != NULL) {
			b->s = malloc(t->cmdline_len + 1);
			if (b->s != NULL) {
				memcpy(b->s, t->cmdline, t->cmdline_len);
				b->len = t->cmdline_len;
			}
		}
	} else if (strcmp(name, "environ") == 0) {
		if (t->environ != NULL && (b->s = malloc(t->environ_len + 1)) != NULL) {
			memcpy(b->s, t->environ, t->environ_len);
			b->len = t->environ_len;
		}
	} else if (strcmp(name, "comm") == 0) {
		tb_printf(b, "%s\n", t->comm);
	} else if (strcmp(name, "mounts") == 0) {
		gen_mounts(k, b);
	}
}

struct sfile *procfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, int *errp)
{
	struct pwhere w;
	int rc = parse(k, t, loc->rel, &w);
	if (rc < 0) {
		*errp = rc;
		return NULL;
	}
	if ((flags & O_ACCMODE) != O_RDONLY) {
		*errp = -EACCES;
		return NULL;
	}
	struct sfile *f = NULL;
	if (w.kind == P_ROOTDIR || w.kind == P_PIDDIR || w.kind == P_FDDIR) {
		const char *names[SENTRY_MAX_FDS + 16];
		unsigned char types[SENTRY_MAX_FDS + 16];
		char numbuf[SENTRY_MAX_FDS + 16][12];
		size_t n = 0;
		if (w.kind == P_ROOTDIR) {
			for (struct task *x = k->tasks; x != NULL && n < SENTRY_MAX_FDS; x = x->next) {
				if (x->state == TASK_ZOMBIE || x->tid != x->tgid)
					continue;
				snprintf(numbuf[n], sizeof(numbuf[n]), "%d", x->tid);
				names[n] = numbuf[n];
				types[n++] = DT_DIR;
			}
			names[n] = "self";
			types[n++] = DT_LNK;
			for (size_t i = 0; i < sizeof(root_files) / sizeof(*root_files); i++) {
				names[n] = root_files[i];
				types[n++] = DT_REG;
			}
		} else if (w.kind == P_PIDDIR) {
			for (size_t i = 0; i < sizeof(pid_files) / sizeof(*pid_files); i++) {
				names[n] = pid_files[i];
				types[n++] = DT_REG;
			}
			for (size_t i = 0; i < sizeof(pid_links) / sizeof(*pid_links); i++) {
				names[n] = pid_links[i];
				types[n++] = DT_LNK;
			}
			names[n] = "fd";
			types[n++] = DT_DIR;
		} else {
			for (int fd = 0; fd < SENTRY_MAX_FDS; fd++) {
				if (fd_get(w.task, fd) == NULL)
					continue;
				snprintf(numbuf[n], sizeof(numbuf[n]), "%d", fd);
				names[n] = numbuf[n];
				types[n++] = DT_LNK;
			}
		}
		f = synthetic_dir_file(loc->path, names, types, n);
	} else if (w.kind == P_FILE || w.kind == P_PIDFILE) {
		f = sfile_new(&buffer_file_ops, flags, loc->path);
		if (f != NULL) {
			struct tbuf b = { 0 };
			gen_file(k, t, &w, &b);
			f->data = b.s;
			f->data_len = b.len;
		}
	} else {
		*errp = -ELOOP;
		return NULL;
	}
	if (f == NULL)
		*errp = -ENOMEM;
	else
		f->mnt = loc->mnt;
	return f;
}
