/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * v1.c - cgroup v1 directories: creation, with the cpuset inheritance a new
 * v1 cpuset needs.
 * Source: kernel Documentation/admin-guide/cgroup-v1/cpusets.rst (a new
 * cpuset starts with empty cpus/mems and accepts no task until both are
 * set).
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

static bool has_controller(const char *list, const char *ctrl)
{
	size_t cl = strlen(ctrl);
	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) == cl && strncmp(p, ctrl, cl) == 0)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* Copy cpuset.cpus / cpuset.mems from the parent where a directory's are empty,
 * from the mount point down to path. */
static int cpuset_inherit(const char *mount, const char *path, strata_error_t *err)
{
	size_t ml = strlen(mount);
	_cleanup_free_ char *cur = strdup(path);
	if (cur == NULL)
		return strata_error_errno(err, ENOMEM, "cpuset");
	/* Walk each component after the mount point. */
	for (char *p = cur + ml; p != NULL && *p != '\0';) {
		char *slash = strchr(p + 1, '/');
		if (slash != NULL)
			*slash = '\0';
		char *last = strrchr(cur, '/');
		_cleanup_free_ char *parent = strndup(cur, (size_t)(last - cur));
		if (parent == NULL)
			return strata_error_errno(err, ENOMEM, "cpuset");
		static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
		for (size_t i = 0; i < 2; i++) {
			_cleanup_free_ char *mine = NULL;
			if (cg_read(cur, files[i], &mine, err) < 0)
				return -1;
			if (mine[0] != '\0')
				continue;
			_cleanup_free_ char *theirs = NULL;
			if (cg_read(parent, files[i], &theirs, err) < 0)
				return -1;
			if (theirs[0] != '\0' && cg_write(cur, files[i], err, "%s", theirs) < 0)
				return -1;
		}
		if (slash != NULL)
			*slash = '/';
		p = slash;
	}
	return 0;
}

int cgroup_v1_create_dir(const struct cgroup_dir *d, strata_error_t *err)
{
	if (mkdir_p(d->path, 0755, err) < 0)
		return strata_error_wrap(err, "create cgroup");
	if (has_controller(d->controllers, "cpuset") && cpuset_inherit(d->mount, d->path, err) < 0)
		return strata_error_wrap(err, "create cgroup `%s`", d->path);
	return 0;
}
