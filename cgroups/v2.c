/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * v2.c - cgroup v2 (unified) directories: creation with the controllers
 * enabled down the path, and cgroup.kill.
 * Source: kernel Documentation/admin-guide/cgroup-v2.rst ("Enabling and
 * Disabling" via cgroup.subtree_control, "no internal process" rule,
 * cgroup.freeze and the "frozen" key of cgroup.events, cgroup.kill).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "internal.h"

/* Enable in dir/cgroup.subtree_control every controller dir/cgroup.controllers lists. */
static int enable_controllers(const char *dir, strata_error_t *err)
{
	_cleanup_free_ char *avail = NULL;
	if (cg_read(dir, "cgroup.controllers", &avail, err) < 0)
		return -1;
	_cleanup_free_ char *enabled = NULL;
	if (cg_read(dir, "cgroup.subtree_control", &enabled, err) < 0)
		return -1;
	for (char *save = NULL, *c = strtok_r(avail, " \n", &save); c != NULL; c = strtok_r(NULL, " \n", &save)) {
		/* Already enabled? (space separated list) */
		bool on = false;
		size_t cl = strlen(c);
		for (const char *p = enabled; (p = strstr(p, c)) != NULL; p += cl)
			if ((p == enabled || p[-1] == ' ') && (p[cl] == '\0' || p[cl] == ' ' || p[cl] == '\n'))
				on = true;
		if (on)
			continue;
		/* One controller per write: one that cannot be enabled (e.g. a
		 * threaded-only one, or cpu with realtime tasks in the parent) must
		 * not block the others.  Failures are reported when a limit of that
		 * controller is written. */
		_cleanup_error_ strata_error_t e = NULL;
		cg_write(dir, "cgroup.subtree_control", &e, "+%s", c);
	}
	return 0;
}

int cgroup_v2_create_dir(const struct cgroup_dir *d, bool enable, strata_error_t *err)
{
	if (mkdir_p(d->path, 0755, err) < 0)
		return strata_error_wrap(err, "create cgroup");
	if (!enable)
		return 0;
	/* Every ancestor: the mount point and each prefix ending before a "/"
	 * (the last one is the leaf's parent). */
	size_t ml = strlen(d->mount), len = strlen(d->path);
	for (size_t k = ml; k < len; k++) {
		if (d->path[k] != '/')
			continue;
		_cleanup_free_ char *anc = strndup(d->path, k);
		if (anc == NULL)
			return strata_error_errno(err, ENOMEM, "create cgroup");
		if (enable_controllers(anc, err) < 0)
			return strata_error_wrap(err, "create cgroup `%s`", d->path);
	}
	return 0;
}

int cgroup_v2_kill(const struct cgroup_dir *d, strata_error_t *err)
{
	if (!cg_exists(d->path, "cgroup.kill"))
		return strata_error_set(err, ENOENT, "`%s/cgroup.kill` does not exist", d->path);
	return cg_write(d->path, "cgroup.kill", err, "1");
}
