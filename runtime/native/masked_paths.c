/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * masked_paths.c - maskedPaths and readonlyPaths.  See masked_paths.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "masked_paths.h"
#include "mounts.h"
#include "safe_path.h"

/* Open a path inside the root; -2 (no error set) when it does not exist. */
static int open_target(int rootfd, const char *path, strata_error_t *err)
{
	const char *rel = path;
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		return strata_error_set(err, EINVAL, "`%s`: cannot mask or protect the root itself", path);
	/* Security: resolved inside the rootfs, no magic links: a symlink
	 * here cannot make us mount over a host path. */
	int fd = safe_openat2(rootfd, rel, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return -2;
		return strata_error_errno(err, errno, "open `%s` inside the rootfs", path);
	}
	return fd;
}

/* The host's /dev/null, verified to be the null device (1:3). */
static int open_host_null(strata_error_t *err)
{
	int fd = open("/dev/null", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open /dev/null");
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "stat /dev/null");
	}
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
		close(fd);
		return strata_error_set(err, EINVAL, "/dev/null is not the null device (1:3)");
	}
	return fd;
}

int masked_paths_apply(int rootfd, const struct oci_config *c, strata_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (l == NULL || l->masked_paths_len == 0)
		return 0;
	_cleanup_close_ int null = -1;
	for (size_t i = 0; i < l->masked_paths_len; i++) {
		const char *path = l->masked_paths[i];
		_cleanup_close_ int target = open_target(rootfd, path, err);
		if (target == -2)
			continue;
		if (target < 0)
			return strata_error_wrap(err, "masked path");
		struct stat st;
		if (fstat(target, &st) < 0)
			return strata_error_errno(err, errno, "stat masked path `%s`", path);
		_cleanup_close_ int tree = -1;
		if (S_ISDIR(st.st_mode)) {
			struct mount_options o = { .flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC };
			tree = mount_fs_detached("tmpfs", "tmpfs", NULL, &o, err);
		} else {
			if (null < 0 && (null = open_host_null(err)) < 0)
				return -1;
			tree = mount_bind_detached(null, "", false, err);
		}
		if (tree < 0 || mount_attach(rootfd, tree, target, path, err) < 0)
			return strata_error_wrap(err, "mask `%s`", path);
	}
	return 0;
}

int readonly_paths_apply(int rootfd, const struct oci_config *c, strata_error_t *err)
{
	const struct oci_linux *l = c->linux_;
	if (l == NULL)
		return 0;
	for (size_t i = 0; i < l->readonly_paths_len; i++) {
		const char *path = l->readonly_paths[i];
		_cleanup_close_ int target = open_target(rootfd, path, err);
		if (target == -2)
			continue;
		if (target < 0)
			return strata_error_wrap(err, "readonly path");
		_cleanup_close_ int tree = mount_bind_detached(target, "", true, err);
		if (tree < 0 || mount_set_attr(tree, true, MOUNT_ATTR_RDONLY, 0, path, err) < 0 ||
		    mount_attach(rootfd, tree, target, path, err) < 0)
			return strata_error_wrap(err, "make `%s` read-only", path);
	}
	return 0;
}
