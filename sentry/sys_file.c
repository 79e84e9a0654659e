/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_file.c - system calls on file descriptors: read/write family, fd
 * table calls, pipes, ioctl, fstat, getdents64, poll (man pages of each).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "file.h"
#include "syscall_table.h"
#include "vfs.h"

#define IO_CHUNK (1UL << 20) /* at most this much per call: a short read/write */

static long would_block(struct task *t, struct sfile *f, short events)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (f->hostfd >= 0) {
		t->wait_hostfd = f->hostfd;
		t->wait_events = events;
	}
	return -SENTRY_EBLOCK;
}

static long do_read(struct sentry_kernel *k, struct task *t, int fd, uint64_t ubuf, size_t count, int64_t *off)
{
	struct sfile *f = fd_get(t, fd);
	if (f == NULL || (f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (f->is_dir)
		return -EISDIR;
	if (count > IO_CHUNK)
		count = IO_CHUNK;
	char *buf = malloc(count ? count : 1);
	if (buf == NULL)
		return -ENOMEM;
	long n = f->ops->read(k, t, f, buf, count, off);
	if (n == -SENTRY_EBLOCK)
		n = would_block(t, f, POLLIN);
	if (n > 0 && task_write(k, t, ubuf, buf, (size_t)n) < 0)
		n = -EFAULT;
	free(buf);
	return n;
}

static long do_write(struct sentry_kernel *k, struct task *t, int fd, uint64_t ubuf, size_t count, int64_t *off)
{
	struct sfile *f = fd_get(t, fd);
	if (f == NULL || (f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (count > IO_CHUNK)
		count = IO_CHUNK;
	char *buf = malloc(count ? count : 1);
	if (buf == NULL)
		return -ENOMEM;
	long n = task_read(k, t, ubuf, buf, count) < 0 ? -EFAULT : f->ops->write(k, t, f, buf, count, off);
	free(buf);
	if (n == -SENTRY_EBLOCK)
		n = would_block(t, f, POLLOUT);
	if (n == -EPIPE)
		signal_send(k, t, SIGPIPE, NULL, false);
	return n;
}

long sentry_sys_read(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_read(k, t, (int)a[0], a[1], a[2], NULL);
}

long sentry_sys_write(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_write(k, t, (int)a[0], a[1], a[2], NULL);
}

long sentry_sys_pread64(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	if (off < 0)
		return -EINVAL;
	return do_read(k, t, (int)a[0], a[1], a[2], &off);
}

long sentry_sys_pwrite64(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];
	if (off < 0)
		return -EINVAL;
	return do_write(k, t, (int)a[0], a[1], a[2], &off);
}

static long read_iov(struct sentry_kernel *k, struct task *t, uint64_t uiov, uint64_t cnt, struct iovec **out)
{
	if (cnt > 1024)
		return -EINVAL;
	struct iovec *iov = calloc(cnt ? cnt : 1, sizeof(*iov));
	if (iov == NULL)
		return -ENOMEM;
	if (task_read(k, t, uiov, iov, cnt * sizeof(*iov)) < 0) {
		free(iov);
		return -EFAULT;
	}
	*out = iov;
	return 0;
}

long sentry_sys_readv(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct iovec *iov;
	long rc = read_iov(k, t, a[1], a[2], &iov);
	if (rc < 0)
		return rc;
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL || (f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY) {
		free(iov);
		return -EBADF;
	}
	if (f->is_dir) {
		free(iov);
		return -EISDIR;
	}
	/* One read of the total size, then scattered over the vectors. */
	size_t total = 0;
	for (uint64_t i = 0; i < a[2]; i++)
		total += iov[i].iov_len;
	if (total > IO_CHUNK)
		total = IO_CHUNK;
	char *buf = malloc(total ? total : 1);
	if (buf == NULL) {
		free(iov);
		return -ENOMEM;
	}
	long n = f->ops->read(k, t, f, buf, total, NULL);
	if (n == -SENTRY_EBLOCK)
		n = would_block(t, f, POLLIN);
	size_t o = 0;
	for (uint64_t i = 0; n > 0 && i < a[2] && o < (size_t)n; i++) {
		size_t l = iov[i].iov_len < (size_t)n - o ? iov[i].iov_len : (size_t)n - o;
		if (task_write(k, t, (uint64_t)iov[i].iov_base, buf + o, l) < 0) {
			n = -EFAULT;
			break;
		}
		o += l;
	}
	free(buf);
	free(iov);
	return n;
}

long sentry_sys_writev(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct iovec *iov;
	long rc = read_iov(k, t, a[1], a[2], &iov);
	if (rc < 0)
		return rc;
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL || (f->flags & O_ACCMODE) == O_RDONLY) {
		free(iov);
		return -EBADF;
	}
	size_t total = 0;
	for (uint64_t i = 0; i < a[2]; i++)
		total += iov[i].iov_len;
	if (total > IO_CHUNK)
		total = IO_CHUNK;
	char *buf = malloc(total ? total : 1);
	size_t o = 0;
	for (uint64_t i = 0; buf != NULL && i < a[2] && o < total; i++) {
		size_t l = iov[i].iov_len < total - o ? iov[i].iov_len : total - o;
		if (task_read(k, t, (uint64_t)iov[i].iov_base, buf + o, l) < 0) {
			free(buf);
			free(iov);
			return -EFAULT;
		}
		o += l;
	}
	free(iov);
	if (buf == NULL)
		return -ENOMEM;
	long n = f->ops->write(k, t, f, buf, total, NULL);
	free(buf);
	if (n == -SENTRY_EBLOCK)
		n = would_block(t, f, POLLOUT);
	if (n == -EPIPE)
		signal_send(k, t, SIGPIPE, NULL, false);
	return n;
}

long sentry_sys_lseek(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if ((int)a[2] < SEEK_SET || (int)a[2] > SEEK_END)
		return -EINVAL;
	return f->ops->lseek(f, (int64_t)a[1], (int)a[2]);
}

long sentry_sys_close(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return fd_close(t, (int)a[0]);
}

long sentry_sys_dup(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	int fd = fd_install(t, sfile_get(f), 0, false);
	if (fd < 0)
		sfile_put(f);
	return fd;
}

static long do_dup3(struct task *t, int oldfd, int newfd, bool cloexec)
{
	struct sfile *f = fd_get(t, oldfd);
	if (f == NULL || newfd < 0 || newfd >= SENTRY_MAX_FDS)
		return -EBADF;
	sfile_get(f);
	fd_close(t, newfd);
	t->fdt->fds[newfd].file = f;
	t->fdt->fds[newfd].cloexec = cloexec;
	return newfd;
}

long sentry_sys_dup2(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if ((int)a[0] == (int)a[1])
		return fd_get(t, (int)a[0]) != NULL ? (long)(int)a[1] : -EBADF;
	return do_dup3(t, (int)a[0], (int)a[1], false);
}

long sentry_sys_dup3(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if ((int)a[0] == (int)a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return do_dup3(t, (int)a[0], (int)a[1], a[2] & O_CLOEXEC);
}

long sentry_sys_fcntl(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int fd = (int)a[0];
	struct sfile *f = fd_get(t, fd);
	if (f == NULL)
		return -EBADF;
	switch ((int)a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if ((int)a[2] < 0 || (int)a[2] >= SENTRY_MAX_FDS)
			return -EINVAL;
		int n = fd_install(t, sfile_get(f), (int)a[2], (int)a[1] == F_DUPFD_CLOEXEC);
		if (n < 0)
			sfile_put(f);
		return n;
	}
	case F_GETFD:
		return t->fdt->fds[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		t->fdt->fds[fd].cloexec = (a[2] & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		return (f->flags & ~O_CLOEXEC) | O_LARGEFILE;
	case F_SETFL: {
		int settable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
		if (f->hostfd >= 0 && !(f->flags & O_PATH)) {
			/* O_NONBLOCK stays a sentry notion: the sentry never blocks on a host fd. */
			int hf = fcntl(f->hostfd, F_GETFL);
			if (hf >= 0)
				fcntl(f->hostfd, F_SETFL, (hf & ~O_APPEND) | ((int)a[2] & O_APPEND));
		}
		f->flags = (f->flags & ~settable) | ((int)a[2] & settable);
		return 0;
	}
	case F_GETLK: {
		struct flock fl;
		if (task_read(k, t, a[2], &fl, sizeof(fl)) < 0)
			return -EFAULT;
		fl.l_type = F_UNLCK;
		return task_write(k, t, a[2], &fl, sizeof(fl));
	}
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0; /* one sandbox, advisory locks always granted (partial) */
	case F_GETPIPE_SZ:
		return f->pipe != NULL ? (long)f->pipe->cap : -EBADF;
	default:
		return -EINVAL;
	}
}

long sentry_sys_close_range(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	if (first > last || (a[2] & ~(uint64_t)(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)))
		return -EINVAL;
	for (unsigned fd = first; fd <= last && fd < SENTRY_MAX_FDS; fd++) {
		if (t->fdt->fds[fd].file == NULL)
			continue;
		if (a[2] & CLOSE_RANGE_CLOEXEC)
			t->fdt->fds[fd].cloexec = true;
		else
			fd_close(t, (int)fd);
	}
	return 0;
}

static long do_pipe2(struct sentry_kernel *k, struct task *t, uint64_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct sfile *r, *w;
	int rc = pipe_new(&r, &w, flags, k->vfs->next_ino++);
	if (rc < 0)
		return rc;
	int fds[2];
	fds[0] = fd_install(t, r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		sfile_put(r);
		sfile_put(w);
		return fds[0];
	}
	fds[1] = fd_install(t, w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		sfile_put(w);
		return fds[1];
	}
	if (task_write(k, t, ufds, fds, sizeof(fds)) < 0) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sentry_sys_pipe(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_pipe2(k, t, a[0], 0);
}

long sentry_sys_pipe2(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_pipe2(k, t, a[0], (int)a[1]);
}

long sentry_sys_ioctl(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int fd = (int)a[0];
	struct sfile *f = fd_get(t, fd);
	if (f == NULL)
		return -EBADF;
	switch (a[1]) {
	case FIOCLEX:
		t->fdt->fds[fd].cloexec = true;
		return 0;
	case FIONCLEX:
		t->fdt->fds[fd].cloexec = false;
		return 0;
	case FIONBIO: {
		int on;
		if (task_read(k, t, a[2], &on, sizeof(on)) < 0)
			return -EFAULT;
		f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
		return 0;
	}
	}
	if (f->ops->ioctl == NULL)
		return -ENOTTY;
	return f->ops->ioctl(k, t, f, a[1], a[2]);
}

long sentry_sys_fstat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	struct stat st;
	long rc = f->ops->fstat(k, f, &st);
	if (rc < 0)
		return rc;
	return task_write(k, t, a[1], &st, sizeof(st));
}

long sentry_sys_getdents64(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if (f->ops->getdents == NULL)
		return -ENOTDIR;
	size_t len = a[2] > 65536 ? 65536 : a[2];
	char *buf = malloc(len ? len : 1);
	if (buf == NULL)
		return -ENOMEM;
	long n = f->ops->getdents(k, f, buf, len);
	if (n > 0 && task_write(k, t, a[1], buf, (size_t)n) < 0)
		n = -EFAULT;
	free(buf);
	return n;
}

long sentry_sys_ftruncate(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if ((int64_t)a[1] < 0 || f->ops->truncate == NULL || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return f->ops->truncate(f, (int64_t)a[1]);
}

long sentry_sys_fsync(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if (f->hostfd >= 0 && fsync(f->hostfd) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

long sentry_sys_fdatasync(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return sentry_sys_fsync(k, t, a);
}

long sentry_sys_fadvise64(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return fd_get(t, (int)a[0]) != NULL ? 0 : -EBADF;
}

/* Sleep bookkeeping for calls with a timeout: returns true when it passed. */
static bool deadline_passed(struct task *t, int64_t timeout_ns)
{
	int64_t now = monotonic_ns();
	if (t->block_deadline_ns == 0)
		t->block_deadline_ns = now + timeout_ns;
	return now >= t->block_deadline_ns;
}

static long do_poll(struct sentry_kernel *k, struct task *t, uint64_t ufds, uint64_t nfds, int64_t timeout_ns)
{
	if (nfds > SENTRY_MAX_FDS)
		return -EINVAL;
	struct pollfd *p = calloc(nfds ? nfds : 1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	if (task_read(k, t, ufds, p, nfds * sizeof(*p)) < 0) {
		free(p);
		return -EFAULT;
	}
	long ready = 0;
	int waitfd = -1;
	short waitev = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		struct sfile *f = fd_get(t, p[i].fd);
		if (f == NULL) {
			p[i].revents = POLLNVAL;
		} else {
			int hfd = -1;
			p[i].revents = f->ops->poll != NULL ? f->ops->poll(f, p[i].events, &hfd)
							    : (short)(p[i].events & (POLLIN | POLLOUT));
			if (p[i].revents == 0 && hfd >= 0 && waitfd < 0) {
				waitfd = hfd;
				waitev = p[i].events;
			}
		}
		if (p[i].revents != 0)
			ready++;
	}
	if (ready == 0 && timeout_ns != 0 && !(timeout_ns > 0 && deadline_passed(t, timeout_ns))) {
		free(p);
		if (signal_deliverable(t))
			return -EINTR;
		t->wait_hostfd = waitfd;
		t->wait_events = waitev;
		return -SENTRY_EBLOCK;
	}
	long rc = task_write(k, t, ufds, p, nfds * sizeof(*p));
	free(p);
	return rc < 0 ? rc : ready;
}

long sentry_sys_poll(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int ms = (int)a[2];
	return do_poll(k, t, a[0], a[1], ms < 0 ? -1 : (int64_t)ms * 1000000);
}

long sentry_sys_ppoll(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t ns = -1;
	if (a[2] != 0) {
		struct timespec ts;
		if (task_read(k, t, a[2], &ts, sizeof(ts)) < 0)
			return -EFAULT;
		ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	return do_poll(k, t, a[0], a[1], ns);
}

long sentry_sys_sendfile(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *out = fd_get(t, (int)a[0]), *in = fd_get(t, (int)a[1]);
	if (out == NULL || in == NULL || (in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	int hfd = -1;
	if (out->ops->poll != NULL && !(out->ops->poll(out, POLLOUT, &hfd) & (POLLOUT | POLLERR)))
		return would_block(t, out, POLLOUT);
	int64_t off = 0;
	if (a[2] != 0 && task_read(k, t, a[2], &off, sizeof(off)) < 0)
		return -EFAULT;
	size_t count = a[3] > 65536 ? 65536 : a[3];
	char *buf = malloc(count ? count : 1);
	if (buf == NULL)
		return -ENOMEM;
	long n = in->ops->read(k, t, in, buf, count, a[2] != 0 ? &off : NULL);
	if (n == -SENTRY_EBLOCK)
		n = would_block(t, in, POLLIN);
	if (n > 0) {
		long w = out->ops->write(k, t, out, buf, (size_t)n, NULL);
		if (w == -EPIPE)
			signal_send(k, t, SIGPIPE, NULL, false);
		if (w < 0 && w != -SENTRY_EBLOCK)
			n = w;
		else if (w >= 0)
			n = w;
	}
	free(buf);
	if (n >= 0 && a[2] != 0 && task_write(k, t, a[2], &off, sizeof(off)) < 0)
		return -EFAULT;
	return n;
}

/* select(2)/pselect6(2) over the same readiness checks as poll.  fd sets are
 * bitmaps of nfds bits (at most SENTRY_MAX_FDS). */
static long do_select(struct sentry_kernel *k, struct task *t, int nfds, uint64_t ur, uint64_t uw, uint64_t ue,
		      int64_t timeout_ns)
{
	if (nfds < 0 || nfds > SENTRY_MAX_FDS)
		return -EINVAL;
	size_t bytes = ((size_t)nfds + 63) / 64 * 8;
	uint64_t in[3][SENTRY_MAX_FDS / 64] = { { 0 } }, out[3][SENTRY_MAX_FDS / 64] = { { 0 } };
	uint64_t u[3] = { ur, uw, ue };
	for (int i = 0; i < 3; i++)
		if (u[i] != 0 && task_read(k, t, u[i], in[i], bytes) < 0)
			return -EFAULT;
	long ready = 0;
	int waitfd = -1;
	short waitev = 0;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		short want = ((in[0][fd / 64] & bit) ? POLLIN : 0) | ((in[1][fd / 64] & bit) ? POLLOUT : 0) |
			     ((in[2][fd / 64] & bit) ? POLLPRI : 0);
		if (want == 0)
			continue;
		struct sfile *f = fd_get(t, fd);
		if (f == NULL)
			return -EBADF;
		int hfd = -1;
		short got = f->ops->poll != NULL ? f->ops->poll(f, want, &hfd) : (short)(want & (POLLIN | POLLOUT));
		if ((want & POLLIN) && (got & (POLLIN | POLLHUP | POLLERR))) {
			out[0][fd / 64] |= bit;
			ready++;
		}
		if ((want & POLLOUT) && (got & (POLLOUT | POLLERR))) {
			out[1][fd / 64] |= bit;
			ready++;
		}
		if (got == 0 && hfd >= 0 && waitfd < 0) {
			waitfd = hfd;
			waitev = want;
		}
	}
	if (ready == 0 && timeout_ns != 0 && !(timeout_ns > 0 && deadline_passed(t, timeout_ns))) {
		if (signal_deliverable(t))
			return -EINTR;
		t->wait_hostfd = waitfd;
		t->wait_events = waitev;
		return -SENTRY_EBLOCK;
	}
	for (int i = 0; i < 3; i++)
		if (u[i] != 0 && task_write(k, t, u[i], out[i], bytes) < 0)
			return -EFAULT;
	return ready;
}

long sentry_sys_select(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t ns = -1;
	if (a[4] != 0) {
		struct timeval tv;
		if (task_read(k, t, a[4], &tv, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ns = (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	}
	return do_select(k, t, (int)a[0], a[1], a[2], a[3], ns);
}

long sentry_sys_pselect6(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	int64_t ns = -1;
	if (a[4] != 0) {
		struct timespec ts;
		if (task_read(k, t, a[4], &ts, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	return do_select(k, t, (int)a[0], a[1], a[2], a[3], ns);
}
