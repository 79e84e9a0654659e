/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys_fs.c - system calls that name paths.  Every path goes through
 * vfs_resolve(); the host sees only (O_PATH dirfd, single component) pairs
 * the sentry produced, with no-follow flags (vfs.h explains the security).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/stat.h>

#include "file.h"
#include "syscall_table.h"
#include "tmpfs.h"
#include "vfs.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

long sentry_read_path(struct sentry_kernel *k, struct task *t, uint64_t addr, char *buf)
{
	long n = task_read_string(k, t, addr, buf, PATH_MAX);
	return n < 0 ? n : 0;
}

/* Read path argument `upath` and resolve it (flags: VFS_*). */
static long resolve_arg(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int flags, struct vloc *loc)
{
	char path[PATH_MAX];
	long rc = sentry_read_path(k, t, upath, path);
	if (rc < 0)
		return rc;
	return vfs_resolve(k, t, dirfd, path, flags, loc);
}

static long do_openat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int flags, mode_t mode)
{
	struct vloc loc;
	bool follow = !(flags & O_NOFOLLOW) && !((flags & O_CREAT) && (flags & O_EXCL));
	long rc = resolve_arg(k, t, dirfd, upath, follow ? VFS_FOLLOW : 0, &loc);
	if (rc < 0)
		return rc;
	int err = 0;
	struct sfile *f = vfs_open(k, t, &loc, flags, mode, &err);
	vloc_release(&loc);
	if (f == NULL)
		return err;
	int fd = fd_install(t, f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		sfile_put(f);
	return fd;
}

long sentry_sys_open(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_openat(k, t, AT_FDCWD, a[0], (int)a[1], (mode_t)a[2]);
}

long sentry_sys_openat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_openat(k, t, (int)a[0], a[1], (int)a[2], (mode_t)a[3]);
}

long sentry_sys_creat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_openat(k, t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (mode_t)a[1]);
}

/* stat of dirfd itself (AT_EMPTY_PATH) or of a resolved path. */
static long stat_at(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int atflags, struct stat *st)
{
	char path[PATH_MAX];
	long rc = sentry_read_path(k, t, upath, path);
	if (rc < 0)
		return rc;
	if (path[0] == '\0' && (atflags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct sfile *f = fd_get(t, dirfd);
		if (f == NULL)
			return -EBADF;
		return f->ops->fstat(k, f, st);
	}
	struct vloc loc;
	rc = vfs_resolve(k, t, dirfd, path,
			 ((atflags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW) | ((atflags & AT_EMPTY_PATH) ? VFS_DIRFD_EMPTY : 0),
			 &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? 0 : -ENOENT;
	if (rc == 0)
		*st = loc.st;
	vloc_release(&loc);
	return rc;
}

static long stat_out(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int atflags, uint64_t ubuf)
{
	struct stat st;
	long rc = stat_at(k, t, dirfd, upath, atflags, &st);
	return rc < 0 ? rc : task_write(k, t, ubuf, &st, sizeof(st));
}

long sentry_sys_stat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return stat_out(k, t, AT_FDCWD, a[0], 0, a[1]);
}

long sentry_sys_lstat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return stat_out(k, t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, a[1]);
}

long sentry_sys_newfstatat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return stat_out(k, t, (int)a[0], a[1], (int)a[3], a[2]);
}

long sentry_sys_statx(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct stat st;
	long rc = stat_at(k, t, (int)a[0], a[1], (int)a[2], &st);
	if (rc < 0)
		return rc;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atim.tv_sec;
	sx.stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
	sx.stx_mtime.tv_sec = st.st_mtim.tv_sec;
	sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	sx.stx_ctime.tv_sec = st.st_ctim.tv_sec;
	sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return task_write(k, t, a[4], &sx, sizeof(sx));
}

static long do_access(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int mode, int flags)
{
	struct vloc loc;
	long rc = resolve_arg(k, t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_access(k, t, &loc, mode, flags) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

long sentry_sys_access(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_access(k, t, AT_FDCWD, a[0], (int)a[1], 0);
}

long sentry_sys_faccessat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_access(k, t, (int)a[0], a[1], (int)a[2], 0);
}

long sentry_sys_faccessat2(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_access(k, t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

/* Resolve the last component without following it, for calls that create or
 * remove names.  Only host-backed directories can change. */
static long resolve_parent(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, struct vloc *loc)
{
	long rc = resolve_arg(k, t, dirfd, upath, 0, loc);
	if (rc < 0)
		return rc;
	if (loc->mnt->kind != FS_HOST && loc->mnt->kind != FS_TMPFS && strcmp(loc->name, ".") != 0) {
		vloc_release(loc);
		/* procfs has no way to create names (ENOENT, as Linux's /proc gives). */
		return loc->mnt->kind == FS_PROC && !loc->exists ? -ENOENT : loc->exists ? -EPERM : -EACCES;
	}
	return 0;
}

static long do_mkdirat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct vloc loc;
	long rc = resolve_arg(k, t, dirfd, upath, 0, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? -EEXIST : loc.mnt->kind == FS_PROC ? -ENOENT : vfs_mkdir(k, t, &loc, mode);
	vloc_release(&loc);
	return rc;
}

long sentry_sys_mkdir(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_mkdirat(k, t, AT_FDCWD, a[0], (mode_t)a[1]);
}

long sentry_sys_mkdirat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_mkdirat(k, t, (int)a[0], a[1], (mode_t)a[2]);
}

static long do_unlinkat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	struct vloc loc;
	long rc = resolve_parent(k, t, dirfd, upath, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_unlink(k, t, &loc, flags) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

long sentry_sys_unlink(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_unlinkat(k, t, AT_FDCWD, a[0], 0);
}

long sentry_sys_rmdir(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_unlinkat(k, t, AT_FDCWD, a[0], AT_REMOVEDIR);
}

long sentry_sys_unlinkat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_unlinkat(k, t, (int)a[0], a[1], (int)a[2]);
}

static long do_renameat2(struct sentry_kernel *k, struct task *t, int ofd, uint64_t opath, int nfd, uint64_t npath,
			 unsigned flags)
{
	struct vloc o, n;
	long rc = resolve_parent(k, t, ofd, opath, &o);
	if (rc < 0)
		return rc;
	rc = resolve_parent(k, t, nfd, npath, &n);
	if (rc < 0) {
		vloc_release(&o);
		return rc;
	}
	rc = o.exists ? vfs_rename(k, t, &o, &n, flags) : -ENOENT;
	vloc_release(&o);
	vloc_release(&n);
	return rc;
}

long sentry_sys_rename(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_renameat2(k, t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long sentry_sys_renameat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_renameat2(k, t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

long sentry_sys_renameat2(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_renameat2(k, t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]);
}

static long do_linkat(struct sentry_kernel *k, struct task *t, int ofd, uint64_t opath, int nfd, uint64_t npath, int flags)
{
	struct vloc o, n;
	long rc = resolve_arg(k, t, ofd, opath, (flags & AT_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0, &o);
	if (rc < 0)
		return rc;
	if (o.mnt->kind != FS_HOST && o.mnt->kind != FS_TMPFS) {
		vloc_release(&o);
		return -EXDEV;
	}
	rc = resolve_parent(k, t, nfd, npath, &n);
	if (rc < 0) {
		vloc_release(&o);
		return rc;
	}
	if (!o.exists)
		rc = -ENOENT;
	else if (n.exists)
		rc = -EEXIST;
	else
		rc = vfs_link(k, t, &o, &n);
	vloc_release(&o);
	vloc_release(&n);
	return rc;
}

long sentry_sys_link(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_linkat(k, t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long sentry_sys_linkat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_linkat(k, t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]);
}

static long do_symlinkat(struct sentry_kernel *k, struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char target[PATH_MAX];
	long rc = sentry_read_path(k, t, utarget, target);
	if (rc < 0)
		return rc;
	if (target[0] == '\0')
		return -ENOENT;
	struct vloc loc;
	rc = resolve_parent(k, t, dirfd, upath, &loc);
	if (rc < 0)
		return rc;
	/* The target is stored verbatim; the sentry interprets it on every walk. */
	rc = loc.exists ? -EEXIST : vfs_symlink(k, t, target, &loc);
	vloc_release(&loc);
	return rc;
}

long sentry_sys_symlink(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_symlinkat(k, t, a[0], AT_FDCWD, a[1]);
}

long sentry_sys_symlinkat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_symlinkat(k, t, a[0], (int)a[1], a[2]);
}

static long do_readlinkat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, uint64_t ubuf, int64_t size)
{
	if (size <= 0)
		return -EINVAL;
	struct vloc loc;
	long rc = resolve_arg(k, t, dirfd, upath, 0, &loc);
	if (rc < 0)
		return rc;
	char buf[PATH_MAX];
	rc = vfs_readlink(k, t, &loc, buf, size < (int64_t)sizeof(buf) ? (size_t)size : sizeof(buf));
	vloc_release(&loc);
	if (rc > 0 && task_write(k, t, ubuf, buf, (size_t)rc) < 0)
		return -EFAULT;
	return rc;
}

long sentry_sys_readlink(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_readlinkat(k, t, AT_FDCWD, a[0], a[1], (int64_t)a[2]);
}

long sentry_sys_readlinkat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_readlinkat(k, t, (int)a[0], a[1], a[2], (int64_t)a[3]);
}

static long do_fchmodat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, mode_t mode)
{
	struct vloc loc;
	long rc = resolve_arg(k, t, dirfd, upath, VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_chmod(k, t, &loc, mode) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

long sentry_sys_chmod(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_fchmodat(k, t, AT_FDCWD, a[0], (mode_t)a[1]);
}

long sentry_sys_fchmodat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_fchmodat(k, t, (int)a[0], a[1], (mode_t)a[2]);
}

long sentry_sys_fchmod(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL || (f->flags & O_PATH))
		return -EBADF;
	if (f->ino != NULL) {
		f->ino->mode = (f->ino->mode & S_IFMT) | ((mode_t)a[1] & 07777);
		return 0;
	}
	if (f->hostfd < 0)
		return -EPERM;
	return fchmod(f->hostfd, (mode_t)a[1] & 07777) < 0 ? -errno : 0;
}

static long do_fchownat(struct sentry_kernel *k, struct task *t, int dirfd, uint64_t upath, uid_t uid, gid_t gid, int flags)
{
	struct vloc loc;
	long rc = resolve_arg(k, t, dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_chown(k, t, &loc, uid, gid) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

long sentry_sys_chown(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_fchownat(k, t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], 0);
}

long sentry_sys_lchown(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return do_fchownat(k, t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], AT_SYMLINK_NOFOLLOW);
}

long sentry_sys_fchownat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if (a[4] & AT_EMPTY_PATH) {
		char p[2];
		if (task_read(k, t, a[1], p, 1) == 0 && p[0] == '\0') {
			uint64_t b[6] = { a[0], a[2], a[3], 0, 0, 0 };
			return sentry_sys_fchown(k, t, b);
		}
	}
	return do_fchownat(k, t, (int)a[0], a[1], (uid_t)a[2], (gid_t)a[3], (int)a[4]);
}

long sentry_sys_fchown(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if (f->ino != NULL) {
		if (t->euid != 0)
			return -EPERM;
		if ((uid_t)a[1] != (uid_t)-1)
			f->ino->uid = (uid_t)a[1];
		if ((gid_t)a[2] != (gid_t)-1)
			f->ino->gid = (gid_t)a[2];
		return 0;
	}
	if (f->hostfd < 0)
		return -EPERM;
	return fchown(f->hostfd, (uid_t)a[1], (gid_t)a[2]) < 0 ? -errno : 0;
}

long sentry_sys_utimensat(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct timespec ts[2], *tp = NULL;
	if (a[2] != 0) {
		if (task_read(k, t, a[2], ts, sizeof(ts)) < 0)
			return -EFAULT;
		tp = ts;
	}
	if (a[1] == 0) {
		struct sfile *f = fd_get(t, (int)a[0]);
		if (f == NULL)
			return -EBADF;
		if (f->ino != NULL) {
			clock_gettime(CLOCK_REALTIME, &f->ino->mtime);
			if (tp != NULL && tp[1].tv_nsec != UTIME_NOW && tp[1].tv_nsec != UTIME_OMIT)
				f->ino->mtime = tp[1];
			return 0;
		}
		if (f->hostfd < 0)
			return -EPERM;
		return futimens(f->hostfd, tp) < 0 ? -errno : 0;
	}
	struct vloc loc;
	long rc = resolve_arg(k, t, (int)a[0], a[1], (a[3] & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_utimens(k, t, &loc, tp) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

/* The working directory and umask are shared by a thread group (CLONE_FS). */
static long set_cwd(struct sentry_kernel *k, struct task *t, const char *path)
{
	for (struct task *x = k->tasks; x != NULL; x = x->next) {
		if (x->tgid != t->tgid || x->state == TASK_ZOMBIE)
			continue;
		char *c = strdup(path);
		if (c == NULL)
			return -ENOMEM;
		free(x->cwd);
		x->cwd = c;
	}
	return 0;
}

long sentry_sys_chdir(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct vloc loc;
	long rc = resolve_arg(k, t, AT_FDCWD, a[0], VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	if (!loc.exists)
		rc = -ENOENT;
	else if (!S_ISDIR(loc.st.st_mode))
		rc = -ENOTDIR;
	else
		rc = vfs_access(k, t, &loc, X_OK, 0);
	if (rc == 0) {
		rc = set_cwd(k, t, loc.path);
	}
	vloc_release(&loc);
	return rc;
}

long sentry_sys_fchdir(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if (!f->is_dir || f->path[0] != '/')
		return -ENOTDIR;
	return set_cwd(k, t, f->path);
}

long sentry_sys_getcwd(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	size_t n = strlen(t->cwd) + 1;
	if (a[1] < n)
		return -ERANGE;
	return task_write(k, t, a[0], t->cwd, n) < 0 ? -EFAULT : (long)n;
}

long sentry_sys_umask(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	mode_t old = t->umask;
	for (struct task *x = k->tasks; x != NULL; x = x->next)
		if (x->tgid == t->tgid)
			x->umask = (mode_t)a[0] & 0777;
	return old;
}

long sentry_sys_truncate(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	struct vloc loc;
	long rc = resolve_arg(k, t, AT_FDCWD, a[0], VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	rc = loc.exists ? vfs_truncate(k, t, &loc, (int64_t)a[1]) : -ENOENT;
	vloc_release(&loc);
	return rc;
}

static long statfs_synthetic(struct sentry_kernel *k, struct task *t, enum vfs_fs_kind kind, uint64_t ubuf)
{
	struct statfs sf;
	memset(&sf, 0, sizeof(sf));
	sf.f_type = kind == FS_PROC ? 0x9fa0 : 0x01021994; /* PROC_SUPER_MAGIC, TMPFS_MAGIC */
	sf.f_bsize = 4096;
	sf.f_namelen = NAME_MAX;
	sf.f_frsize = 4096;
	return task_write(k, t, ubuf, &sf, sizeof(sf));
}

long sentry_sys_statfs(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct vloc loc;
	long rc = resolve_arg(k, t, AT_FDCWD, a[0], VFS_FOLLOW, &loc);
	if (rc < 0)
		return rc;
	if (!loc.exists) {
		rc = -ENOENT;
	} else if (loc.mnt->kind != FS_HOST) {
		rc = statfs_synthetic(k, t, loc.mnt->kind, a[1]);
	} else {
		int fd = openat(loc.dirfd, loc.name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct statfs sf;
		rc = fd < 0 ? -errno : (fstatfs(fd, &sf) < 0 ? -errno : task_write(k, t, a[1], &sf, sizeof(sf)));
		if (fd >= 0)
			close(fd);
	}
	vloc_release(&loc);
	return rc;
}

long sentry_sys_fstatfs(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	struct sfile *f = fd_get(t, (int)a[0]);
	if (f == NULL)
		return -EBADF;
	if (f->hostfd < 0)
		return statfs_synthetic(k, t, f->mnt != NULL ? f->mnt->kind : FS_EMPTY, a[1]);
	struct statfs sf;
	if (fstatfs(f->hostfd, &sf) < 0)
		return -errno;
	return task_write(k, t, a[1], &sf, sizeof(sf));
}

long sentry_sys_sync(struct sentry_kernel *k, struct task *t, const uint64_t a[6])
{
	return 0;
}
