/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file_host.c - files backed by a host fd the sentry opened, and files whose
 * content is a sentry buffer (generated files, directory listings).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "file.h"

static long host_read(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off)
{
	if (off != NULL) {
		ssize_t n = pread(f->hostfd, buf, len, *off);
		if (n < 0)
			return -errno;
		*off += n;
		return n;
	}
	struct pollfd pfd = { f->hostfd, POLLIN, 0 };
	if (poll(&pfd, 1, 0) == 0)
		return -SENTRY_EBLOCK;
	ssize_t n = read(f->hostfd, buf, len);
	if (n < 0)
		return errno == EAGAIN ? -SENTRY_EBLOCK : -errno;
	return n;
}

static long host_write(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off)
{
	if (off != NULL) {
		ssize_t n = pwrite(f->hostfd, buf, len, *off);
		if (n < 0)
			return -errno;
		*off += n;
		return n;
	}
	struct pollfd pfd = { f->hostfd, POLLOUT, 0 };
	if (poll(&pfd, 1, 0) == 0)
		return -SENTRY_EBLOCK;
	/* The sentry must not sleep in a host write: on a pipe write at most the
	 * free space, on other non-regular files (ttys, sockets) at most PIPE_BUF. */
	struct stat st;
	if (fstat(f->hostfd, &st) == 0 && !S_ISREG(st.st_mode)) {
		size_t room = PIPE_BUF;
		int cap = S_ISFIFO(st.st_mode) ? fcntl(f->hostfd, F_GETPIPE_SZ) : -1, queued = 0;
		if (cap > 0 && ioctl(f->hostfd, FIONREAD, &queued) == 0 && cap > queued)
			room = (size_t)(cap - queued);
		if (len > room)
			len = room;
	}
	ssize_t n = write(f->hostfd, buf, len);
	if (n < 0)
		return errno == EAGAIN ? -SENTRY_EBLOCK : -errno;
	return n;
}

static long host_lseek(struct sfile *f, int64_t off, int whence)
{
	off_t r = lseek(f->hostfd, off, whence);
	return r < 0 ? -errno : r;
}

static long host_fstat(struct sentry_kernel *k, struct sfile *f, struct stat *st)
{
	return fstat(f->hostfd, st) < 0 ? -errno : 0;
}

static long host_getdents(struct sentry_kernel *k, struct sfile *f, void *buf, size_t len)
{
	long n = syscall(SYS_getdents64, f->hostfd, buf, len);
	return n < 0 ? -errno : n;
}

static long host_ioctl(struct sentry_kernel *k, struct task *t, struct sfile *f, unsigned long cmd, uint64_t arg)
{
	switch (cmd) {
	case TCGETS: {
		struct termios tio;
		if (ioctl(f->hostfd, TCGETS, &tio) < 0)
			return -errno;
		return task_write(k, t, arg, &tio, sizeof(tio));
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios tio;
		if (task_read(k, t, arg, &tio, sizeof(tio)) < 0)
			return -EFAULT;
		return ioctl(f->hostfd, cmd, &tio) < 0 ? -errno : 0;
	}
	case TIOCGWINSZ: {
		struct winsize ws;
		if (ioctl(f->hostfd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return task_write(k, t, arg, &ws, sizeof(ws));
	}
	case TIOCSWINSZ: {
		struct winsize ws;
		if (task_read(k, t, arg, &ws, sizeof(ws)) < 0)
			return -EFAULT;
		return ioctl(f->hostfd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
	}
	case TIOCGPGRP: {
		/* The sandbox's own process group numbers, not the host's. */
		if (!isatty(f->hostfd))
			return -ENOTTY;
		int pg = t->pgid;
		return task_write(k, t, arg, &pg, sizeof(pg));
	}
	case TIOCSPGRP:
		return isatty(f->hostfd) ? 0 : -ENOTTY;
	case FIONREAD: {
		int n;
		if (ioctl(f->hostfd, FIONREAD, &n) < 0)
			return -errno;
		return task_write(k, t, arg, &n, sizeof(n));
	}
	default:
		return -ENOTTY;
	}
}

static short host_poll(struct sfile *f, short events, int *hostfd)
{
	struct pollfd pfd = { f->hostfd, events, 0 };
	if (poll(&pfd, 1, 0) > 0)
		return pfd.revents;
	*hostfd = f->hostfd;
	return 0;
}

static long host_truncate(struct sfile *f, int64_t len)
{
	return ftruncate(f->hostfd, len) < 0 ? -errno : 0;
}

const struct sfile_ops host_file_ops = {
	.read = host_read,
	.write = host_write,
	.lseek = host_lseek,
	.fstat = host_fstat,
	.getdents = host_getdents,
	.ioctl = host_ioctl,
	.poll = host_poll,
	.truncate = host_truncate,
};

struct sfile *sfile_from_host_fd(int hostfd, int flags, const char *path)
{
	struct sfile *f = sfile_new(&host_file_ops, flags, path);
	if (f == NULL)
		return NULL;
	f->hostfd = hostfd;
	return f;
}

/* ---- buffer files ---- */

static long buf_read(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off)
{
	if (f->is_dir)
		return -EISDIR;
	int64_t *pos = off != NULL ? off : &f->pos;
	if (*pos < 0 || (size_t)*pos >= f->data_len)
		return 0;
	size_t n = f->data_len - (size_t)*pos;
	if (n > len)
		n = len;
	memcpy(buf, f->data + *pos, n);
	*pos += n;
	return (long)n;
}

static long buf_write(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off)
{
	return f->is_dir ? -EISDIR : -EACCES;
}

static long buf_lseek(struct sfile *f, int64_t off, int whence)
{
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : whence == SEEK_END ? (int64_t)f->data_len : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static long buf_fstat(struct sentry_kernel *k, struct sfile *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = f->is_dir ? (S_IFDIR | 0555) : (S_IFREG | 0444);
	st->st_nlink = f->is_dir ? 2 : 1;
	st->st_blksize = 4096;
	st->st_dev = 0x50;
	st->st_ino = (uintptr_t)f & 0xffffff;
	return 0;
}

struct linux_dirent64_hdr {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
} __attribute__((packed));

int dirent_append(char **buf, size_t *len, uint64_t ino, int64_t off, unsigned char type, const char *name)
{
	size_t nl = strlen(name);
	size_t rec = (sizeof(struct linux_dirent64_hdr) + nl + 1 + 7) & ~7UL;
	char *n = realloc(*buf, *len + rec);
	if (n == NULL)
		return -ENOMEM;
	*buf = n;
	memset(n + *len, 0, rec);
	struct linux_dirent64_hdr h = { ino, off, (unsigned short)rec, type };
	memcpy(n + *len, &h, sizeof(h));
	memcpy(n + *len + sizeof(h), name, nl);
	*len += rec;
	return 0;
}

static long buf_getdents(struct sentry_kernel *k, struct sfile *f, void *buf, size_t len)
{
	if (!f->is_dir)
		return -ENOTDIR;
	size_t out = 0;
	while ((size_t)f->pos < f->data_len) {
		struct linux_dirent64_hdr h;
		memcpy(&h, f->data + f->pos, sizeof(h));
		if (out + h.d_reclen > len)
			return out == 0 ? -EINVAL : (long)out;
		memcpy((char *)buf + out, f->data + f->pos, h.d_reclen);
		out += h.d_reclen;
		f->pos += h.d_reclen;
	}
	return (long)out;
}

static short buf_poll(struct sfile *f, short events, int *hostfd)
{
	return events & (POLLIN | POLLOUT);
}

const struct sfile_ops buffer_file_ops = {
	.read = buf_read,
	.write = buf_write,
	.lseek = buf_lseek,
	.fstat = buf_fstat,
	.getdents = buf_getdents,
	.poll = buf_poll,
};

struct sfile *synthetic_dir_file(const char *path, const char *const *names, const unsigned char *types, size_t n)
{
	struct sfile *f = sfile_new(&buffer_file_ops, O_RDONLY | O_DIRECTORY, path);
	if (f == NULL)
		return NULL;
	f->is_dir = true;
	int64_t off = 1;
	if (dirent_append(&f->data, &f->data_len, 1, off++, DT_DIR, ".") < 0 ||
	    dirent_append(&f->data, &f->data_len, 1, off++, DT_DIR, "..") < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (dirent_append(&f->data, &f->data_len, 100 + i, off++, types[i], names[i]) < 0)
			goto fail;
	return f;
fail:
	sfile_put(f);
	return NULL;
}
