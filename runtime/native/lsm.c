/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lsm.c - AppArmor profile and SELinux label of the container process,
 * through procfs.  See lsm.h.
 */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

/* True when the comma-separated /sys/kernel/security/lsm lists `name`. */
static int lsm_list_has(const char *name)
{
	_cleanup_free_ char *buf = NULL;
	strata_error_t e = NULL;
	if (read_file_at(-1, "/sys/kernel/security/lsm", &buf, NULL, &e) < 0) {
		strata_error_free(&e);
		return -1; /* securityfs not mounted: unknown */
	}
	size_t n = strlen(name);
	for (char *s = buf; *s;) {
		char *end = s + strcspn(s, ",\n");
		if ((size_t)(end - s) == n && strncmp(s, name, n) == 0)
			return 1;
		s = *end ? end + 1 : end;
	}
	return 0;
}

bool lsm_apparmor_enabled(void)
{
	int listed = lsm_list_has("apparmor");
	if (listed >= 0)
		return listed == 1;
	_cleanup_free_ char *buf = NULL;
	strata_error_t e = NULL;
	if (read_file_at(-1, "/sys/module/apparmor/parameters/enabled", &buf, NULL, &e) < 0) {
		strata_error_free(&e);
		return false;
	}
	return buf[0] == 'Y';
}

bool lsm_selinux_enabled(void)
{
	int listed = lsm_list_has("selinux");
	if (listed >= 0)
		return listed == 1;
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static int attr_write(const char *const *paths, size_t n, const char *value, strata_error_t *err)
{
	int last_errno = ENOENT;
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = open(paths[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			last_errno = errno;
			if (errno == ENOENT)
				continue;
			return strata_error_errno(err, errno, "open `%s`", paths[i]);
		}
		if (write_all(fd, value, strlen(value)) < 0)
			return strata_error_errno(err, errno, "write `%s` to `%s`", value, paths[i]);
		return 0;
	}
	return strata_error_errno(err, last_errno, "open `%s`", paths[0]);
}

int lsm_apply(const struct oci_process *p, const char *mount_label, strata_error_t *err)
{
	const char *aa = p ? p->apparmor_profile : NULL;
	const char *se = p ? p->selinux_label : NULL;
	if (aa != NULL && *aa != '\0') {
		if (!lsm_apparmor_enabled())
			return strata_error_set(err, EOPNOTSUPP,
						"apparmor profile `%s` requested but AppArmor is not enabled on this host",
						aa);
		/* "exec <profile>": the profile takes effect at the next execve. */
		_cleanup_free_ char *cmd = NULL;
		if (asprintf(&cmd, "exec %s", aa) < 0)
			return strata_error_errno(err, ENOMEM, "apparmor profile");
		static const char *const aa_paths[] = { "/proc/thread-self/attr/apparmor/exec",
							"/proc/thread-self/attr/exec" };
		if (attr_write(aa_paths, 2, cmd, err) < 0)
			return strata_error_wrap(err, "apparmor profile `%s`", aa);
	}
	if (se != NULL && *se != '\0') {
		if (!lsm_selinux_enabled())
			return strata_error_set(err, EOPNOTSUPP,
						"selinux label `%s` requested but SELinux is not enabled on this host", se);
		static const char *const se_paths[] = { "/proc/thread-self/attr/exec" };
		if (attr_write(se_paths, 1, se, err) < 0)
			return strata_error_wrap(err, "selinux label `%s`", se);
	}
	if (mount_label != NULL && *mount_label != '\0' && !lsm_selinux_enabled())
		return strata_error_set(err, EOPNOTSUPP,
					"linux.mountLabel `%s` requested but SELinux is not enabled on this host",
					mount_label);
	return 0;
}
