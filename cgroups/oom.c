/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oom.c - notification when the OOM killer acts in the container's cgroup.
 * v1: an eventfd registered for memory.oom_control through
 *     cgroup.event_control ("<eventfd> <oom_control fd>"); the kernel also
 *     signals it when the cgroup is removed, so a signal on a cgroup that no
 *     longer exists is not an OOM.
 * v2: inotify on memory.events; an OOM is the oom_kill counter growing.
 * Source: kernel Documentation/admin-guide/cgroup-v1/memory.rst §9-10,
 * cgroup-v2.rst (memory.events: "oom_kill"), eventfd(2), inotify(7).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "internal.h"

static const struct cgroup_dir *memory_dir(struct cgroup_manager *m)
{
	return m->mode == CGROUP_MODE_V2 ? cgroup_dir_v2(m) : cgroup_dir_for(m, "memory");
}

int cgroup_oom_open(struct cgroup_manager *m, int *fd, strata_error_t *err)
{
	const struct cgroup_dir *d = memory_dir(m);
	if (d == NULL)
		return strata_error_set(err, ENOTSUP, "OOM events: the memory cgroup controller is not available");
	if (m->mode == CGROUP_MODE_V2) {
		_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (in < 0)
			return strata_error_errno(err, errno, "inotify_init1");
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/memory.events", d->path) < 0)
			return strata_error_errno(err, ENOMEM, "OOM events");
		if (inotify_add_watch(in, path, IN_MODIFY) < 0)
			return strata_error_errno(err, errno, "watch `%s`", path);
		*fd = steal_fd(&in);
		return 0;
	}
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return strata_error_errno(err, errno, "eventfd");
	_cleanup_free_ char *ctl = NULL;
	if (asprintf(&ctl, "%s/memory.oom_control", d->path) < 0)
		return strata_error_errno(err, ENOMEM, "OOM events");
	_cleanup_close_ int ofd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (ofd < 0)
		return strata_error_errno(err, errno, "open `%s`", ctl);
	if (cg_write(d->path, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
		return -1;
	*fd = steal_fd(&efd);
	return 0;
}

uint64_t cgroup_oom_count(struct cgroup_manager *m)
{
	const struct cgroup_dir *d = memory_dir(m);
	if (d == NULL)
		return 0;
	_cleanup_free_ char *s = NULL;
	_cleanup_error_ strata_error_t e = NULL;
	if (cg_read(d->path, m->mode == CGROUP_MODE_V2 ? "memory.events" : "memory.oom_control", &s, &e) < 0)
		return 0;
	uint64_t v = 0;
	cg_keyed_u64(s, "oom_kill", &v);
	return v;
}

int cgroup_oom_consume(struct cgroup_manager *m, int fd, uint64_t *last_count, bool *oom, strata_error_t *err)
{
	*oom = false;
	const struct cgroup_dir *d = memory_dir(m);
	char buf[4096];
	ssize_t r;
	bool signalled = false;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		signalled = true;
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		return strata_error_errno(err, errno, "read OOM notification");
	if (d == NULL || access(d->path, F_OK) < 0)
		return 0; /* the cgroup is gone: removal, not OOM */
	if (m->mode == CGROUP_MODE_V2) {
		uint64_t now = cgroup_oom_count(m);
		if (now > *last_count)
			*oom = true;
		*last_count = now;
		return 0;
	}
	*oom = signalled;
	*last_count = cgroup_oom_count(m);
	return 0;
}
