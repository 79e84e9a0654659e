/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpcopyup.c - copy a directory of the image into the tmpfs that covers
 * it.  See tmpcopyup.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "tmpcopyup.h"

/* Deepest directory level copied. */
#define TMPCOPYUP_MAX_DEPTH 64

static int copy_file(int src, int dst, const char *name, const struct stat *st, const char *what,
		     strata_error_t *err)
{
	/* O_NONBLOCK: never hang on something swapped for a FIFO; the fstat
	 * below checks that it still is the regular file seen before. */
	_cleanup_close_ int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: open", what, name);
	struct stat now;
	if (fstat(in, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino)
		return strata_error_set(err, EAGAIN, "tmpcopyup `%s/%s`: changed while copying", what, name);
	_cleanup_close_ int out =
		openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: create", what, name);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: read", what, name);
		if (n == 0)
			return 0;
		if (write_all(out, buf, (size_t)n) < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: write", what, name);
	}
}

static int copy_dir(int src, int dst, const char *what, int depth, strata_error_t *err);

static int copy_entry(int src, int dst, const char *name, const char *what, int depth, strata_error_t *err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: stat", what, name);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst, name, 0700) < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: mkdir", what, name);
		_cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: open directory", what, name);
		if (copy_dir(s, d, what, depth + 1, err) < 0)
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		if (copy_file(src, dst, name, &st, what, err) < 0)
			return -1;
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: readlink", what, name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: symlink", what, name);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
		if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
			return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: mknod", what, name);
	} else {
		return 0; /* sockets make no sense in a copy */
	}
	if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: chown", what, name);
	if (!S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: chmod", what, name);
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	if (utimensat(dst, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s/%s`: utimensat", what, name);
	return 0;
}

static int copy_dir(int src, int dst, const char *what, int depth, strata_error_t *err)
{
	if (depth > TMPCOPYUP_MAX_DEPTH)
		return strata_error_errno(err, ELOOP, "tmpcopyup `%s`: too deep", what);
	int fd = dup(src);
	if (fd < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s`: dup", what);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (d == NULL) {
		int e = errno;
		close(fd);
		return strata_error_errno(err, e, "tmpcopyup `%s`: opendir", what);
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, de->d_name, what, depth, err) < 0)
			return -1;
		errno = 0;
	}
	if (errno != 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s`: readdir", what);
	return 0;
}

int tmpcopyup_copy(int src, int dst, const char *what, strata_error_t *err)
{
	_cleanup_close_ int s = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s`: open source", what);
	_cleanup_close_ int d = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return strata_error_errno(err, errno, "tmpcopyup `%s`: open tmpfs", what);
	return copy_dir(s, d, what, 0, err);
}
