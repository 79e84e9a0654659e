/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, strata_error_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open `%s`", path);
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (buf == NULL)
		return strata_error_errno(err, ENOMEM, "read `%s`", path);
	for (;;) {
		if (used == cap) {
			cap *= 2;
			char *n = realloc(buf, cap + 1);
			if (n == NULL)
				return strata_error_errno(err, ENOMEM, "read `%s`", path);
			buf = n;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return strata_error_errno(err, errno, "read `%s`", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode, strata_error_t *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return strata_error_errno(err, errno, "open `%s`", path);
	if (write_all(fd, data, len) < 0)
		return strata_error_errno(err, errno, "write `%s`", path);
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, strata_error_t *err)
{
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
		return strata_error_errno(err, ENOMEM, "write `%s`", path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return strata_error_errno(err, errno, "open `%s`", tmp);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int saved = errno;
		unlink(tmp);
		return strata_error_errno(err, saved, "write `%s`", tmp);
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return strata_error_errno(err, saved, "rename `%s` to `%s`", tmp, path);
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, strata_error_t *err)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return strata_error_errno(err, ENAMETOOLONG, "mkdir `%s`", path);
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return strata_error_errno(err, errno, "mkdir `%s`", buf);
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return strata_error_errno(err, errno, "mkdir `%s`", buf);
	return 0;
}
