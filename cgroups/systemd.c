/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd.c - "slice:prefix:name" validation and the clear failure of the
 * systemd driver.  See systemd.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/cleanup.h"
#include "systemd.h"

int cgroup_systemd_parse(const char *cgroups_path, const char *id, char **slice, char **prefix, char **name,
			 strata_error_t *err)
{
	const char *p = cgroups_path;
	if (p == NULL || p[0] == '\0') {
		*slice = strdup("system.slice");
		*prefix = strdup("strata");
		*name = strdup(id);
		if (*slice == NULL || *prefix == NULL || *name == NULL)
			return strata_error_errno(err, ENOMEM, "systemd cgroupsPath");
		return 0;
	}
	const char *c1 = strchr(p, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':') != NULL)
		return strata_error_set(err, EINVAL,
					"invalid cgroupsPath `%s`: the systemd driver expects \"slice:prefix:name\"", p);
	_cleanup_free_ char *s = strndup(p, (size_t)(c1 - p));
	_cleanup_free_ char *pr = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
	_cleanup_free_ char *n = strdup(c2 + 1);
	if (s == NULL || pr == NULL || n == NULL)
		return strata_error_errno(err, ENOMEM, "systemd cgroupsPath");
	size_t sl = strlen(s);
	if (sl > 0 && (sl < 6 || strcmp(s + sl - 6, ".slice") != 0))
		return strata_error_set(err, EINVAL, "invalid cgroupsPath `%s`: slice `%s` must end in \".slice\"", p, s);
	if (strchr(s, '/') || strchr(pr, '/') || strchr(n, '/'))
		return strata_error_set(err, EINVAL, "invalid cgroupsPath `%s`: \"slice:prefix:name\" parts hold no \"/\"",
					p);
	if (n[0] == '\0')
		return strata_error_set(err, EINVAL, "invalid cgroupsPath `%s`: the unit name is empty", p);
	if (sl == 0) {
		free(s);
		s = strdup("system.slice");
		if (s == NULL)
			return strata_error_errno(err, ENOMEM, "systemd cgroupsPath");
	}
	*slice = steal_pointer(&s);
	*prefix = steal_pointer(&pr);
	*name = steal_pointer(&n);
	return 0;
}

bool cgroup_systemd_running(void)
{
	struct stat st;
	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

int cgroup_systemd_check(const char *cgroups_path, const char *id, strata_error_t *err)
{
	_cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL;
	if (cgroup_systemd_parse(cgroups_path, id, &slice, &prefix, &name, err) < 0)
		return -1;
	if (!cgroup_systemd_running())
		return strata_error_set(err, ENOTSUP,
					"systemd cgroup driver: systemd is not running on this host "
					"(/run/systemd/system is missing); run without --systemd-cgroup");
	return strata_error_set(err, ENOTSUP,
				"systemd cgroup driver: not implemented in this build of strata; run without --systemd-cgroup");
}
