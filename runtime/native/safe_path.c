/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * safe_path.c - path resolution and creation confined to a root fd.
 * See safe_path.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "safe_path.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The kernel's limit on symlinks followed in one lookup (path_resolution(7)). */
#define SAFE_MAX_SYMLINKS 40

/* Retries of one component that appears and disappears under us. */
#define SAFE_MAX_RETRIES 8

static const uint64_t in_root = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

int safe_openat2(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = 0,
		.resolve = resolve,
	};
	int fd;
	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return fd;
}

/* Skip leading slashes; "" means the root itself. */
static const char *relative(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

int safe_open_in_root(int rootfd, const char *path, int flags, strata_error_t *err)
{
	int fd = safe_openat2(rootfd, relative(path), flags, in_root);
	if (fd < 0)
		return strata_error_errno(err, errno, "open `%s` inside the rootfs", path);
	return fd;
}

/* The components of path, skipping "" and "."; a NULL-terminated vector. */
static char **split_path(const char *path, size_t *n)
{
	size_t cap = 8, len = 0;
	char **v = calloc(cap, sizeof(char *));
	if (v == NULL)
		return NULL;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t l = (size_t)(p - s);
		if (l == 0 || (l == 1 && s[0] == '.'))
			continue;
		if (len + 2 > cap) {
			cap *= 2;
			char **nv = realloc(v, cap * sizeof(char *));
			if (nv == NULL)
				goto fail;
			v = nv;
		}
		v[len] = strndup(s, l);
		if (v[len] == NULL)
			goto fail;
		v[++len] = NULL;
	}
	*n = len;
	return v;
fail:
	for (size_t i = 0; i < len; i++)
		free(v[i]);
	free(v);
	return NULL;
}

/* "c0/c1/.../c(k-1)", or "." when k is 0.  Heap. */
static char *join_path(char **comps, size_t from, size_t to)
{
	size_t total = 2;
	for (size_t i = from; i < to; i++)
		total += strlen(comps[i]) + 1;
	char *s = malloc(total);
	if (s == NULL)
		return NULL;
	if (from >= to) {
		strcpy(s, ".");
		return s;
	}
	s[0] = '\0';
	for (size_t i = from; i < to; i++) {
		if (i > from)
			strcat(s, "/");
		strcat(s, comps[i]);
	}
	return s;
}

static int mkdir_all(int rootfd, const char *path, mode_t dir_mode, enum safe_create_kind last,
		     mode_t last_mode, int depth, strata_error_t *err)
{
	if (depth > SAFE_MAX_SYMLINKS)
		return strata_error_errno(err, ELOOP, "create `%s` inside the rootfs", path);

	size_t n = 0;
	_cleanup_strv_ char **comps = split_path(path, &n);
	if (comps == NULL)
		return strata_error_errno(err, ENOMEM, "create `%s` inside the rootfs", path);
	if (n == 0)
		return safe_open_in_root(rootfd, ".", O_PATH, err);

	int retries = 0;
	for (size_t i = 0; i < n;) {
		_cleanup_free_ char *prefix = join_path(comps, 0, i + 1);
		if (prefix == NULL)
			return strata_error_errno(err, ENOMEM, "create `%s`", path);
		int fd = safe_openat2(rootfd, prefix, O_PATH, in_root);
		if (fd >= 0) {
			if (i == n - 1)
				return fd;
			close(fd);
			i++;
			retries = 0;
			continue;
		}
		if (errno != ENOENT)
			return strata_error_errno(err, errno, "open `%s` inside the rootfs", prefix);
		if (strcmp(comps[i], "..") == 0 || ++retries > SAFE_MAX_RETRIES)
			return strata_error_errno(err, ENOENT, "open `%s` inside the rootfs", prefix);

		_cleanup_free_ char *parent_path = join_path(comps, 0, i);
		if (parent_path == NULL)
			return strata_error_errno(err, ENOMEM, "create `%s`", path);
		_cleanup_close_ int parent = safe_openat2(rootfd, parent_path, O_PATH | O_DIRECTORY, in_root);
		if (parent < 0)
			return strata_error_errno(err, errno, "open `%s` inside the rootfs", parent_path);

		/* Security: the new entry is created relative to a directory fd
		 * resolved inside the root, under a single-component name. */
		int r;
		bool is_last = (i == n - 1);
		if (is_last && last == SAFE_CREATE_FILE) {
			int cfd = openat(parent, comps[i], O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
					 last_mode);
			r = cfd < 0 ? -1 : 0;
			if (cfd >= 0)
				close(cfd);
		} else {
			r = mkdirat(parent, comps[i], is_last ? last_mode : dir_mode);
		}
		if (r == 0)
			continue; /* open it again, now that it exists */
		if (errno != EEXIST)
			return strata_error_errno(err, errno, "create `%s` inside the rootfs", prefix);

		/* It exists but did not resolve: a dangling symlink.  Follow it
		 * by hand; the target is resolved again inside the root. */
		char target[PATH_MAX];
		ssize_t tl = readlinkat(parent, comps[i], target, sizeof(target) - 1);
		if (tl < 0) {
			if (errno == EINVAL)
				continue; /* not a symlink (any more): a race, try again */
			return strata_error_errno(err, errno, "readlink `%s` inside the rootfs", prefix);
		}
		target[tl] = '\0';
		_cleanup_free_ char *rest = join_path(comps, i + 1, n);
		if (rest == NULL)
			return strata_error_errno(err, ENOMEM, "create `%s`", path);
		_cleanup_free_ char *next = NULL;
		int len;
		if (target[0] == '/')
			len = asprintf(&next, "%s/%s", target, rest);
		else
			len = asprintf(&next, "%s/%s/%s", parent_path, target, rest);
		if (len < 0) {
			next = NULL;
			return strata_error_errno(err, ENOMEM, "create `%s`", path);
		}
		return mkdir_all(rootfd, next, dir_mode, last, last_mode, depth + 1, err);
	}
	return strata_error_errno(err, ENOENT, "create `%s` inside the rootfs", path);
}

int safe_mkdir_all_in_root(int rootfd, const char *path, mode_t dir_mode, enum safe_create_kind last,
			   mode_t last_mode, strata_error_t *err)
{
	return mkdir_all(rootfd, path, dir_mode, last, last_mode, 0, err);
}

int safe_parent_in_root(int rootfd, const char *path, mode_t dir_mode, char **name, strata_error_t *err)
{
	size_t n = 0;
	_cleanup_strv_ char **comps = split_path(path, &n);
	if (comps == NULL)
		return strata_error_errno(err, ENOMEM, "path `%s`", path);
	if (n == 0 || strcmp(comps[n - 1], "..") == 0)
		return strata_error_set(err, EINVAL, "path `%s` has no last component", path);
	_cleanup_free_ char *parent_path = join_path(comps, 0, n - 1);
	if (parent_path == NULL)
		return strata_error_errno(err, ENOMEM, "path `%s`", path);
	_cleanup_close_ int fd = safe_mkdir_all_in_root(rootfd, parent_path, dir_mode, SAFE_CREATE_DIR, dir_mode, err);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return strata_error_errno(err, errno, "stat `%s`", parent_path);
	if (!S_ISDIR(st.st_mode))
		return strata_error_errno(err, ENOTDIR, "parent of `%s`", path);
	*name = comps[n - 1];
	comps[n - 1] = NULL; /* ownership moves to the caller; the vector ends here now */
	return steal_fd(&fd);
}

int safe_fd_path(int fd, char *buf, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}
