/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfs_ops.c - operations on resolved names, dispatched by filesystem kind:
 * host-backed names use the host *at() call on (parent O_PATH fd, one
 * component) with no-follow flags; tmpfs names act on sentry memory; the
 * sentry's generated filesystems (proc, dev, sys) refuse changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tmpfs.h"
#include "vfs.h"

static struct tmpfs_inode *tmpfs_node(struct vloc *loc)
{
	struct tmpfs_inode *n;
	return tmpfs_walk(loc->mnt->root, loc->rel, &n) == 0 ? n : NULL;
}

long vfs_mkdir(struct sentry_kernel *k, struct task *t, struct vloc *loc, mode_t mode)
{
	mode = mode & ~t->umask & 07777;
	switch (loc->mnt->kind) {
	case FS_HOST:
		return mkdirat(loc->dirfd, loc->name, mode) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *dir;
		const char *name;
		int rc = tmpfs_parent_of(loc->mnt->root, loc->rel, &dir, &name);
		return rc < 0 ? rc : tmpfs_create(dir, name, S_IFDIR | mode, t->euid, t->egid, NULL, k->vfs->next_ino++, NULL);
	}
	default:
		return -EACCES;
	}
}

long vfs_unlink(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags)
{
	if (strcmp(loc->name, ".") == 0)
		return (flags & AT_REMOVEDIR) ? -EBUSY : -EISDIR;
	switch (loc->mnt->kind) {
	case FS_HOST:
		return unlinkat(loc->dirfd, loc->name, flags) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *dir;
		const char *name;
		int rc = tmpfs_parent_of(loc->mnt->root, loc->rel, &dir, &name);
		return rc < 0 ? rc : tmpfs_unlink(dir, name, flags & AT_REMOVEDIR);
	}
	default:
		return -EPERM;
	}
}

long vfs_rename(struct sentry_kernel *k, struct task *t, struct vloc *o, struct vloc *n, unsigned flags)
{
	if (strcmp(o->name, ".") == 0 || strcmp(n->name, ".") == 0)
		return -EBUSY;
	if (o->mnt != n->mnt)
		return -EXDEV;
	switch (o->mnt->kind) {
	case FS_HOST:
		return syscall(SYS_renameat2, o->dirfd, o->name, n->dirfd, n->name, flags) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *od, *nd;
		const char *on, *nn;
		int rc = tmpfs_parent_of(o->mnt->root, o->rel, &od, &on);
		if (rc == 0)
			rc = tmpfs_parent_of(n->mnt->root, n->rel, &nd, &nn);
		return rc < 0 ? rc : tmpfs_rename(od, on, nd, nn, flags);
	}
	default:
		return -EPERM;
	}
}

long vfs_link(struct sentry_kernel *k, struct task *t, struct vloc *o, struct vloc *n)
{
	if (o->mnt != n->mnt)
		return -EXDEV;
	switch (o->mnt->kind) {
	case FS_HOST:
		return linkat(o->dirfd, o->name, n->dirfd, n->name, 0) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *src = tmpfs_node(o), *dir;
		const char *name;
		int rc = tmpfs_parent_of(n->mnt->root, n->rel, &dir, &name);
		return src == NULL ? -ENOENT : rc < 0 ? rc : tmpfs_link(src, dir, name);
	}
	default:
		return -EPERM;
	}
}

long vfs_symlink(struct sentry_kernel *k, struct task *t, const char *target, struct vloc *loc)
{
	switch (loc->mnt->kind) {
	case FS_HOST:
		return symlinkat(target, loc->dirfd, loc->name) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *dir;
		const char *name;
		int rc = tmpfs_parent_of(loc->mnt->root, loc->rel, &dir, &name);
		return rc < 0 ? rc
			      : tmpfs_create(dir, name, S_IFLNK | 0777, t->euid, t->egid, target, k->vfs->next_ino++, NULL);
	}
	default:
		return -EACCES;
	}
}

long vfs_chmod(struct sentry_kernel *k, struct task *t, struct vloc *loc, mode_t mode)
{
	switch (loc->mnt->kind) {
	case FS_HOST:
		return fchmodat(loc->dirfd, loc->name, mode & 07777, 0) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *n = tmpfs_node(loc);
		if (n == NULL)
			return -ENOENT;
		if (t->euid != 0 && t->euid != n->uid)
			return -EPERM;
		n->mode = (n->mode & S_IFMT) | (mode & 07777);
		clock_gettime(CLOCK_REALTIME, &n->ctime);
		return 0;
	}
	default:
		return -EPERM;
	}
}

long vfs_chown(struct sentry_kernel *k, struct task *t, struct vloc *loc, uid_t uid, gid_t gid)
{
	switch (loc->mnt->kind) {
	case FS_HOST:
		return fchownat(loc->dirfd, loc->name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *n = tmpfs_node(loc);
		if (n == NULL)
			return -ENOENT;
		if (t->euid != 0)
			return -EPERM;
		if (uid != (uid_t)-1)
			n->uid = uid;
		if (gid != (gid_t)-1)
			n->gid = gid;
		clock_gettime(CLOCK_REALTIME, &n->ctime);
		return 0;
	}
	default:
		return -EPERM;
	}
}

static void set_time(struct timespec *dst, const struct timespec *src)
{
	if (src == NULL || src->tv_nsec == UTIME_NOW)
		clock_gettime(CLOCK_REALTIME, dst);
	else if (src->tv_nsec != UTIME_OMIT)
		*dst = *src;
}

long vfs_utimens(struct sentry_kernel *k, struct task *t, struct vloc *loc, const struct timespec *ts)
{
	switch (loc->mnt->kind) {
	case FS_HOST:
		return utimensat(loc->dirfd, loc->name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	case FS_TMPFS: {
		struct tmpfs_inode *n = tmpfs_node(loc);
		if (n == NULL)
			return -ENOENT;
		set_time(&n->atime, ts != NULL ? &ts[0] : NULL);
		set_time(&n->mtime, ts != NULL ? &ts[1] : NULL);
		clock_gettime(CLOCK_REALTIME, &n->ctime);
		return 0;
	}
	default:
		return -EPERM;
	}
}

long vfs_truncate(struct sentry_kernel *k, struct task *t, struct vloc *loc, int64_t len)
{
	switch (loc->mnt->kind) {
	case FS_HOST: {
		int fd = openat(loc->dirfd, loc->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		long rc = ftruncate(fd, (off_t)len) < 0 ? -errno : 0;
		close(fd);
		return rc;
	}
	case FS_TMPFS: {
		int err = 0;
		struct tmpfs_inode *n = tmpfs_node(loc);
		if (n == NULL)
			return -ENOENT;
		struct sfile *f = tmpfs_open(n, O_WRONLY, loc->path, &err);
		if (f == NULL)
			return err;
		long rc = f->ops->truncate(f, len);
		sfile_put(f);
		return rc;
	}
	default:
		return -EACCES;
	}
}

long vfs_access(struct sentry_kernel *k, struct task *t, struct vloc *loc, int mode, int flags)
{
	if (mode == F_OK)
		return 0;
	if (loc->mnt->kind == FS_HOST)
		return syscall(SYS_faccessat2, loc->dirfd, loc->name, mode, AT_SYMLINK_NOFOLLOW | (flags & AT_EACCESS)) < 0
			       ? -errno
			       : 0;
	const struct stat *st = &loc->st;
	if (t->euid == 0)
		return (mode & X_OK) && !S_ISDIR(st->st_mode) && !(st->st_mode & 0111) ? -EACCES : 0;
	mode_t bits = t->euid == st->st_uid ? (st->st_mode >> 6) : t->egid == st->st_gid ? (st->st_mode >> 3) : st->st_mode;
	if (((mode & R_OK) && !(bits & 4)) || ((mode & W_OK) && !(bits & 2)) || ((mode & X_OK) && !(bits & 1)))
		return -EACCES;
	if ((mode & W_OK) && loc->mnt->kind != FS_TMPFS && !S_ISCHR(st->st_mode))
		return -EACCES;
	return 0;
}
