/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipe.c - pipes kept in sentry memory (pipe(7): 64 KiB capacity, writes of
 * at most PIPE_BUF bytes are atomic, EOF when no writer, EPIPE when no reader).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"

#define PIPE_CAPACITY 65536

static long pipe_read(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off)
{
	struct pipe *p = f->pipe;
	if (off != NULL)
		return -ESPIPE;
	if (f->pipe_write)
		return -EBADF;
	if (len == 0)
		return 0;
	if (p->len == 0)
		return p->writers == 0 ? 0 : -SENTRY_EBLOCK;
	size_t n = len < p->len ? len : p->len;
	for (size_t i = 0; i < n; i++)
		((char *)buf)[i] = p->buf[(p->head + i) % p->cap];
	p->head = (p->head + n) % p->cap;
	p->len -= n;
	return (long)n;
}

static long pipe_write(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off)
{
	struct pipe *p = f->pipe;
	if (off != NULL)
		return -ESPIPE;
	if (!f->pipe_write)
		return -EBADF;
	if (p->readers == 0)
		return -EPIPE;
	size_t space = p->cap - p->len;
	if ((len <= PIPE_BUF && space < len) || space == 0)
		return -SENTRY_EBLOCK;
	size_t n = len < space ? len : space;
	for (size_t i = 0; i < n; i++)
		p->buf[(p->head + p->len + i) % p->cap] = ((const char *)buf)[i];
	p->len += n;
	return (long)n;
}

static long pipe_lseek(struct sfile *f, int64_t off, int whence)
{
	return -ESPIPE;
}

static long pipe_fstat(struct sentry_kernel *k, struct sfile *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_ino = f->pipe->ino;
	st->st_dev = 0xc;
	st->st_blksize = 4096;
	return 0;
}

static short pipe_poll(struct sfile *f, short events, int *hostfd)
{
	struct pipe *p = f->pipe;
	short r = 0;
	if (!f->pipe_write) {
		if (p->len > 0)
			r |= POLLIN;
		if (p->writers == 0)
			r |= POLLHUP;
	} else {
		if (p->readers == 0)
			r |= POLLERR;
		else if (p->cap - p->len >= PIPE_BUF)
			r |= POLLOUT;
	}
	return r & (events | POLLHUP | POLLERR);
}

static void pipe_release(struct sfile *f)
{
	struct pipe *p = f->pipe;
	if (f->pipe_write)
		p->writers--;
	else
		p->readers--;
	if (p->readers == 0 && p->writers == 0) {
		free(p->buf);
		free(p);
	}
}

static long pipe_ioctl(struct sentry_kernel *k, struct task *t, struct sfile *f, unsigned long cmd, uint64_t arg)
{
	return -ENOTTY;
}

static const struct sfile_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.lseek = pipe_lseek,
	.fstat = pipe_fstat,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_new(struct sfile **r, struct sfile **w, int flags, uint64_t ino)
{
	struct pipe *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->cap = PIPE_CAPACITY;
	p->buf = malloc(p->cap);
	p->ino = ino;
	char name[64];
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)ino);
	struct sfile *rf = sfile_new(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK), name);
	struct sfile *wf = sfile_new(&pipe_ops, O_WRONLY | (flags & O_NONBLOCK), name);
	if (p->buf == NULL || rf == NULL || wf == NULL) {
		free(p->buf);
		free(p);
		free(rf);
		free(wf);
		return -ENOMEM;
	}
	rf->pipe = p;
	wf->pipe = p;
	wf->pipe_write = true;
	p->readers = 1;
	p->writers = 1;
	*r = rf;
	*w = wf;
	return 0;
}
