/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file.h - open file descriptions of the sentry and the per-task fd table.
 *
 * A struct sfile is what an fd points at (Linux's struct file): shared by
 * dup() and fork(), reference counted.  Its ops say what backs it: a host fd
 * the sentry opened (host files, the container's stdio), a pipe kept in
 * sentry memory, a sentry-generated file (procfs), a device (devfs), or a
 * tmpfs inode.  Read/write ops return a byte count or -errno; -SENTRY_EBLOCK
 * means "would block" (the caller turns it into EAGAIN for O_NONBLOCK).
 */
#ifndef STRATA_SENTRY_FILE_H
#define STRATA_SENTRY_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "kernel.h"

struct sfile;
struct vmount;
struct tmpfs_inode;

struct sfile_ops {
	/* off NULL: use and advance the file position. */
	long (*read)(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off);
	long (*write)(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off);
	long (*lseek)(struct sfile *f, int64_t off, int whence);
	long (*fstat)(struct sentry_kernel *k, struct sfile *f, struct stat *st);
	/* getdents - fill buf with linux_dirent64 records. */
	long (*getdents)(struct sentry_kernel *k, struct sfile *f, void *buf, size_t len);
	long (*ioctl)(struct sentry_kernel *k, struct task *t, struct sfile *f, unsigned long cmd, uint64_t arg);
	/* poll - ready events (POLLIN/POLLOUT/POLLHUP) now; *hostfd set to a host
	 * fd the main loop can wait on when not ready (or -1). */
	short (*poll)(struct sfile *f, short events, int *hostfd);
	long (*truncate)(struct sfile *f, int64_t len);
	void (*release)(struct sfile *f);
};

struct pipe {
	char *buf;
	size_t cap, head, len;
	int readers, writers;
	uint64_t ino;
};

struct sfile {
	int refs;
	const struct sfile_ops *ops;
	int flags;                /* O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY... as opened */
	int hostfd;               /* host-backed: the sentry's fd, owned; else -1 */
	int64_t pos;              /* synthetic files */
	char *path;               /* canonical container path ("pipe:[N]" for pipes), heap */
	struct vmount *mnt;
	struct pipe *pipe;        /* pipes */
	bool pipe_write;
	char *data;               /* sentry-generated content or directory records, heap */
	size_t data_len;
	int dev;                  /* devfs node id */
	struct tmpfs_inode *ino;  /* tmpfs */
	bool is_dir;
};

/* sfile_new - a file with one reference; path is copied. NULL on ENOMEM. */
struct sfile *sfile_new(const struct sfile_ops *ops, int flags, const char *path);
/* sfile_get - take one more reference; returns f. */
struct sfile *sfile_get(struct sfile *f);
/* sfile_put - drop one reference; the last one releases the backing object
 * (closes the host fd, frees buffers).  NULL is fine. */
void sfile_put(struct sfile *f);

/* Host-fd backed files (host files, stdio): ops over the sentry's own fd. */
extern const struct sfile_ops host_file_ops;
/* sfile_from_host_fd - wrap host fd (ownership passes to the file). */
struct sfile *sfile_from_host_fd(int hostfd, int flags, const char *path);
/* Files whose whole content is a sentry buffer (procfs files, directory listings). */
extern const struct sfile_ops buffer_file_ops;
/* dirent_append - append one linux_dirent64 record to a growing buffer. */
int dirent_append(char **buf, size_t *len, uint64_t ino, int64_t off, unsigned char type, const char *name);

/* pipe_new - a pipe pair: *r and *w each hold one reference. -ENOMEM on failure. */
int pipe_new(struct sfile **r, struct sfile **w, int flags, uint64_t ino);

/* ---- fd table (one per task; fork copies it, taking a reference per fd) ---- */
/* fdtable_new - an empty table (heap, owned by the caller); NULL on ENOMEM. */
struct fd_table *fdtable_new(void);
/* fdtable_copy - a copy sharing src's open files (fork(2)); NULL on ENOMEM. */
struct fd_table *fdtable_copy(const struct fd_table *src);
/* fdtable_free - drop one task's use of the table; the last one drops every
 * file reference and frees it. */
void fdtable_free(struct fd_table *fdt);
/* fd_install - lowest free fd >= min; takes the reference. -EMFILE when full. */
int fd_install(struct task *t, struct sfile *f, int min, bool cloexec);
/* fd_get - borrowed pointer to the file of fd, or NULL. */
struct sfile *fd_get(struct task *t, int fd);
/* fd_close - -EBADF when fd is not open. */
int fd_close(struct task *t, int fd);
/* fd_close_on_exec - close every O_CLOEXEC fd (execve). */
void fd_close_on_exec(struct task *t);

#endif
