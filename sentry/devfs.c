/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devfs.c - the sentry's /dev: null, zero, full, random, urandom, tty and
 * the usual links (fd, stdin, stdout, stderr), implemented in the sentry
 * (null(4), zero(4), full(4), random(4), tty(4)).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vfs.h"

enum dev_id { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEV__CHR, DEV_PTS, DEV_SHM, DEV_MQUEUE,
	      DEV_FD, DEV_STDIN, DEV_STDOUT, DEV_STDERR, DEV__COUNT };

static const struct {
	const char *name;
	unsigned maj, min;
	const char *link;
} dev_nodes[DEV__COUNT] = {
	[DEV_NULL] = { "null", 1, 3, NULL },	    [DEV_ZERO] = { "zero", 1, 5, NULL },
	[DEV_FULL] = { "full", 1, 7, NULL },	    [DEV_RANDOM] = { "random", 1, 8, NULL },
	[DEV_URANDOM] = { "urandom", 1, 9, NULL },  [DEV_TTY] = { "tty", 5, 0, NULL },
	[DEV__CHR] = { NULL, 0, 0, NULL },	    [DEV_PTS] = { "pts", 0, 0, NULL },
	[DEV_SHM] = { "shm", 0, 0, NULL },	    [DEV_MQUEUE] = { "mqueue", 0, 0, NULL },
	[DEV_FD] = { "fd", 0, 0, "/proc/self/fd" }, [DEV_STDIN] = { "stdin", 0, 0, "/proc/self/fd/0" },
	[DEV_STDOUT] = { "stdout", 0, 0, "/proc/self/fd/1" }, [DEV_STDERR] = { "stderr", 0, 0, "/proc/self/fd/2" },
};

static int dev_find(const char *rel)
{
	for (int i = 0; i < DEV__COUNT; i++)
		if (dev_nodes[i].name != NULL && strcmp(dev_nodes[i].name, rel) == 0)
			return i;
	return -1;
}

int devfs_lookup(struct sentry_kernel *k, const char *rel, struct stat *st, char *link, size_t linklen)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x5;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	link[0] = '\0';
	if (*rel == '\0') {
		st->st_mode = S_IFDIR | 0755;
		st->st_ino = 1;
		st->st_nlink = 2;
		return 0;
	}
	int id = dev_find(rel);
	if (id < 0)
		return -ENOENT;
	st->st_ino = 10 + (ino_t)id;
	if (id < DEV__CHR) {
		st->st_mode = S_IFCHR | 0666;
		st->st_rdev = makedev(dev_nodes[id].maj, dev_nodes[id].min);
	} else if (dev_nodes[id].link != NULL) {
		st->st_mode = S_IFLNK | 0777;
		snprintf(link, linklen, "%s", dev_nodes[id].link);
	} else {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	}
	return 0;
}

static long dev_read(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off)
{
	switch (f->dev) {
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
	case DEV_FULL:
		memset(buf, 0, len);
		return (long)len;
	default: {
		/* random/urandom: the host's CSPRNG through getrandom(2). */
		ssize_t n = getrandom(buf, len, 0);
		return n < 0 ? -errno : n;
	}
	}
}

static long dev_write(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off)
{
	return f->dev == DEV_FULL ? -ENOSPC : (long)len;
}

static long dev_lseek(struct sfile *f, int64_t off, int whence)
{
	return 0;
}

static long dev_fstat(struct sentry_kernel *k, struct sfile *f, struct stat *st)
{
	char link[8];
	return devfs_lookup(k, dev_nodes[f->dev].name, st, link, sizeof(link));
}

static long dev_ioctl(struct sentry_kernel *k, struct task *t, struct sfile *f, unsigned long cmd, uint64_t arg)
{
	return -ENOTTY;
}

static short dev_poll(struct sfile *f, short events, int *hostfd)
{
	return events & (POLLIN | POLLOUT);
}

static const struct sfile_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.lseek = dev_lseek,
	.fstat = dev_fstat,
	.ioctl = dev_ioctl,
	.poll = dev_poll,
};

struct sfile *devfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, int *errp)
{
	if (*loc->rel == '\0') {
		const char *names[DEV__COUNT];
		unsigned char types[DEV__COUNT];
		size_t n = 0;
		for (int i = 0; i < DEV__COUNT; i++) {
			if (dev_nodes[i].name == NULL)
				continue;
			names[n] = dev_nodes[i].name;
			types[n++] = i < DEV__CHR ? DT_CHR : dev_nodes[i].link != NULL ? DT_LNK : DT_DIR;
		}
		struct sfile *f = synthetic_dir_file(loc->path, names, types, n);
		if (f == NULL)
			*errp = -ENOMEM;
		return f;
	}
	int id = dev_find(loc->rel);
	if (id < 0) {
		*errp = (flags & O_CREAT) ? -EACCES : -ENOENT;
		return NULL;
	}
	if (dev_nodes[id].link != NULL) {
		*errp = -ELOOP; /* reached only with O_NOFOLLOW: links are followed by the VFS */
		return NULL;
	}
	if (id > DEV__CHR) {
		struct sfile *f = synthetic_dir_file(loc->path, NULL, NULL, 0);
		if (f == NULL)
			*errp = -ENOMEM;
		return f;
	}
	if (id == DEV_TTY) {
		/* The controlling terminal is the container's stdin when it is one. */
		if (!isatty(0)) {
			*errp = -ENXIO;
			return NULL;
		}
		int fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			*errp = -errno;
			return NULL;
		}
		struct sfile *f = sfile_from_host_fd(fd, flags & ~O_CLOEXEC, loc->path);
		if (f == NULL) {
			close(fd);
			*errp = -ENOMEM;
		}
		return f;
	}
	struct sfile *f = sfile_new(&dev_ops, flags & ~O_CLOEXEC, loc->path);
	if (f == NULL) {
		*errp = -ENOMEM;
		return NULL;
	}
	f->dev = id;
	f->mnt = loc->mnt;
	return f;
}
