/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fs.c - reading and writing cgroup files: every error names the file.
 * Source: kernel Documentation/admin-guide/cgroup-v1/cgroups.rst (cgroup.procs,
 * rmdir of empty cgroups), cgroup-v2.rst ("max" in limit files).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "internal.h"

int cg_write(const char *dir, const char *file, strata_error_t *err, const char *fmt, ...)
{
	_cleanup_free_ char *val = NULL;
	va_list ap;
	va_start(ap, fmt);
	int len = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (len < 0)
		return strata_error_errno(err, ENOMEM, "format value for `%s`", file);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return strata_error_errno(err, ENOMEM, "write `%s`", file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open `%s`", path);
	/* One write(2): a cgroup file parses each write as one value. */
	ssize_t w;
	do
		w = write(fd, val, (size_t)len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return strata_error_errno(err, errno, "write `%s` to `%s`", val, path);
	return 0;
}

int cg_read(const char *dir, const char *file, char **out, strata_error_t *err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return strata_error_errno(err, ENOMEM, "read `%s`", file);
	size_t len = 0;
	char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, &buf, &len, err) < 0)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	*out = buf;
	return 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out, strata_error_t *err)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, file, &s, err) < 0)
		return -1;
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || (*end != '\0' && *end != '\n'))
		return strata_error_set(err, EINVAL, "%s/%s: not a number: `%s`", dir, file, s);
	*out = v;
	return 0;
}

bool cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, file) < 0)
		return false;
	return access(path, F_OK) == 0;
}

bool cg_keyed_u64(const char *content, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = content;
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*out = strtoull(p + klen + 1, NULL, 10);
			return true;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return false;
}

int cg_rmdir_tree(const char *path, strata_error_t *err)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return strata_error_errno(err, errno, "open cgroup `%s`", path);
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *child = NULL;
		if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
			return strata_error_errno(err, ENOMEM, "remove cgroup `%s`", path);
		if (cg_rmdir_tree(child, err) < 0)
			return -1;
	}
	/* rmdir of a cgroup whose last task just exited can see EBUSY briefly. */
	for (int i = 0; i < 100; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		usleep(10000);
	}
	return strata_error_errno(err, errno, "remove cgroup `%s`", path);
}

int cg_procs(const char *dir, pid_t **pids, size_t *n, strata_error_t *err)
{
	_cleanup_free_ char *content = NULL;
	if (cg_read(dir, "cgroup.procs", &content, err) < 0)
		return -1;
	for (char *save = NULL, *tok = strtok_r(content, "\n", &save); tok != NULL; tok = strtok_r(NULL, "\n", &save)) {
		pid_t *np = realloc(*pids, (*n + 1) * sizeof(pid_t));
		if (np == NULL)
			return strata_error_errno(err, ENOMEM, "read `%s/cgroup.procs`", dir);
		*pids = np;
		(*pids)[(*n)++] = (pid_t)strtol(tok, NULL, 10);
	}
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (d == NULL)
		return strata_error_errno(err, errno, "open cgroup `%s`", dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *child = NULL;
		if (asprintf(&child, "%s/%s", dir, e->d_name) < 0)
			return strata_error_errno(err, ENOMEM, "read cgroup `%s`", dir);
		if (cg_procs(child, pids, n, err) < 0)
			return -1;
	}
	return 0;
}
