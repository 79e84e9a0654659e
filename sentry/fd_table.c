/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd_table.c - per-task fd tables and the reference counting of open files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

struct sfile *sfile_new(const struct sfile_ops *ops, int flags, const char *path)
{
	struct sfile *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	f->hostfd = -1;
	f->path = strdup(path != NULL ? path : "");
	if (f->path == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

struct sfile *sfile_get(struct sfile *f)
{
	f->refs++;
	return f;
}

void sfile_put(struct sfile *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	if (f->ops->release != NULL)
		f->ops->release(f);
	if (f->hostfd >= 0)
		close(f->hostfd);
	free(f->data);
	free(f->path);
	free(f);
}

struct fd_table *fdtable_new(void)
{
	struct fd_table *t = calloc(1, sizeof(struct fd_table));
	if (t != NULL)
		t->refs = 1;
	return t;
}

struct fd_table *fdtable_copy(const struct fd_table *src)
{
	struct fd_table *n = fdtable_new();
	if (n == NULL)
		return NULL;
	for (int i = 0; i < SENTRY_MAX_FDS; i++) {
		if (src->fds[i].file != NULL) {
			n->fds[i].file = sfile_get(src->fds[i].file);
			n->fds[i].cloexec = src->fds[i].cloexec;
		}
	}
	return n;
}

void fdtable_free(struct fd_table *fdt)
{
	if (--fdt->refs > 0)
		return;
	for (int i = 0; i < SENTRY_MAX_FDS; i++)
		sfile_put(fdt->fds[i].file);
	free(fdt);
}

int fd_install(struct task *t, struct sfile *f, int min, bool cloexec)
{
	uint64_t limit = t->rlim[RLIMIT_NOFILE].rlim_cur;
	if (limit == 0 || limit > SENTRY_MAX_FDS)
		limit = SENTRY_MAX_FDS;
	for (int i = min < 0 ? 0 : min; i < (int)limit; i++) {
		if (t->fdt->fds[i].file == NULL) {
			t->fdt->fds[i].file = f;
			t->fdt->fds[i].cloexec = cloexec;
			return i;
		}
	}
	return -EMFILE;
}

struct sfile *fd_get(struct task *t, int fd)
{
	if (t->fdt == NULL || fd < 0 || fd >= SENTRY_MAX_FDS)
		return NULL;
	return t->fdt->fds[fd].file;
}

int fd_close(struct task *t, int fd)
{
	struct sfile *f = fd_get(t, fd);
	if (f == NULL)
		return -EBADF;
	t->fdt->fds[fd].file = NULL;
	t->fdt->fds[fd].cloexec = false;
	sfile_put(f);
	return 0;
}

void fd_close_on_exec(struct task *t)
{
	for (int i = 0; i < SENTRY_MAX_FDS; i++)
		if (t->fdt->fds[i].file != NULL && t->fdt->fds[i].cloexec)
			fd_close(t, i);
}
