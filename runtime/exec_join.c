/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_join.c - open the container's namespaces and enter them (see exec_join.h).
 */
#include "exec_join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "native/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Join order: the user namespace first (joining it grants the capabilities
 * needed over the namespaces it owns), the mount namespace last (it changes
 * what paths mean; all fds are opened before anything is joined). */
static const struct {
	enum oci_namespace_type type;
	const char *file;
	int flag;
	const char *name;
} join_order[] = {
	{ OCI_NS_USER, "user", CLONE_NEWUSER, "user" },
	{ OCI_NS_IPC, "ipc", CLONE_NEWIPC, "ipc" },
	{ OCI_NS_UTS, "uts", CLONE_NEWUTS, "uts" },
	{ OCI_NS_NETWORK, "net", CLONE_NEWNET, "network" },
	{ OCI_NS_PID, "pid", CLONE_NEWPID, "pid" },
	{ OCI_NS_CGROUP, "cgroup", CLONE_NEWCGROUP, "cgroup" },
	{ OCI_NS_TIME, "time", CLONE_NEWTIME, "time" },
	{ OCI_NS_MOUNT, "mnt", CLONE_NEWNS, "mount" },
};

int exec_fd_above(int fd, int min)
{
	if (fd < 0 || fd >= min)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, min);
	close(fd);
	return nfd;
}

void exec_target_close(struct exec_target *t)
{
	for (int i = 0; i < OCI_NS__COUNT; i++) {
		if (t->ns_fd[i] >= 0)
			close(t->ns_fd[i]);
		t->ns_fd[i] = -1;
	}
	if (t->root_fd >= 0)
		close(t->root_fd);
	t->root_fd = -1;
}

int exec_target_open(pid_t init_pid, int min_fd, struct exec_target *t, strata_error_t *err)
{
	t->init_pid = init_pid;
	t->root_fd = -1;
	for (int i = 0; i < OCI_NS__COUNT; i++)
		t->ns_fd[i] = -1;
	for (size_t i = 0; i < sizeof(join_order) / sizeof(join_order[0]); i++) {
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)init_pid, join_order[i].file);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", join_order[i].file);
		struct stat theirs, ours;
		if (stat(path, &theirs) < 0) {
			if (errno == ENOENT && access("/proc/self/ns/time", F_OK) < 0 && join_order[i].type == OCI_NS_TIME)
				continue; /* kernel without time namespaces */
			int e = errno;
			exec_target_close(t);
			if (e == ENOENT || e == ESRCH)
				return strata_error_set(err, ESRCH, "container not running");
			return strata_error_errno(err, e, "stat `%s`", path);
		}
		if (stat(self, &ours) == 0 && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
			continue; /* shared with the host (e.g. the node's network): nothing to join */
		int fd = exec_fd_above(open(path, O_RDONLY | O_CLOEXEC), min_fd);
		if (fd < 0) {
			int e = errno;
			exec_target_close(t);
			return strata_error_errno(err, e, "open namespace `%s`", path);
		}
		t->ns_fd[join_order[i].type] = fd;
	}
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)init_pid);
	t->root_fd = exec_fd_above(open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), min_fd);
	if (t->root_fd < 0) {
		int e = errno;
		exec_target_close(t);
		return strata_error_errno(err, e, "open the container's root `%s`", root);
	}
	return 0;
}

__attribute__((noreturn)) static void join_fail(const struct exec_setup *s, strata_error_t *err)
{
	sync_send_error(s->sync_fd, *err);
	_exit(1);
}

void exec_join_run(const struct exec_target *t, const struct exec_setup *s)
{
	_cleanup_error_ strata_error_t err = NULL;

	/* Security: until execve, this process holds host fds (namespaces, the
	 * root, the log); non-dumpable keeps processes of the container from
	 * ptrace-attaching or opening /proc/PID/fd of it (CVE-2016-9962 class).
	 * execve of a normal binary makes it dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		strata_error_errno(&err, errno, "prctl(PR_SET_DUMPABLE)");
		join_fail(s, &err);
	}
	/* The cgroup first, from the host's view of /sys/fs/cgroup; the process
	 * forked below inherits it. */
	if (t->cgroup != NULL && cgroup_enter(t->cgroup, getpid(), &err) < 0) {
		strata_error_wrap(&err, "join the container's cgroup");
		join_fail(s, &err);
	}
	for (size_t i = 0; i < sizeof(join_order) / sizeof(join_order[0]); i++) {
		int fd = t->ns_fd[join_order[i].type];
		if (fd < 0)
			continue;
		if (setns(fd, join_order[i].flag) < 0) {
			strata_error_errno(&err, errno, "join the container's %s namespace", join_order[i].name);
			join_fail(s, &err);
		}
	}
	/* setns(CLONE_NEWPID) only applies to children: fork the process that
	 * actually runs in the container. */
	pid_t pid = fork();
	if (pid < 0) {
		strata_error_errno(&err, errno, "fork the exec'd process");
		join_fail(s, &err);
	}
	if (pid == 0)
		exec_child_run(t, s);
	/* pid is a host pid: fork() reports it in our (host) pid namespace. */
	sync_send(s->sync_fd, SYNC_INIT_PID, (int32_t)pid, NULL, 0);
	_exit(0);
}
