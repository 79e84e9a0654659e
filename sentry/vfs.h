/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfs.h - the sentry's mount table and path resolution.
 *
 * Every path a task passes is resolved here, by the sentry, one component at
 * a time:
 *  - host-backed components are opened with openat(dirfd, name,
 *    O_PATH|O_NOFOLLOW) relative to the previous component's fd, starting at
 *    the sentry's own "/" (the container rootfs, with the runtime's bind mounts
 *    under it); the host kernel never sees "/", ".." or a symlink from a task;
 *  - symlinks are read and interpreted by the sentry relative to the container
 *    root; ".." is applied to the sentry's canonical path and clamped at "/";
 *  - mount points of sentry filesystems (proc, dev, tmpfs, sys) replace the
 *    host directory under them.
 * Security: nothing outside the rootfs and its mounts can be named, including
 * through /proc/self/root or /proc/PID/cwd (sentry-generated links to
 * container paths), and a rename race cannot move a walk outside: each step
 * holds an fd on the directory it came from.
 */
#ifndef STRATA_SENTRY_VFS_H
#define STRATA_SENTRY_VFS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "file.h"
#include "kernel.h"

enum vfs_fs_kind { FS_HOST, FS_PROC, FS_DEV, FS_TMPFS, FS_EMPTY };

struct vmount {
	char *path;      /* canonical container path of the mount point */
	enum vfs_fs_kind kind;
	char *source, *fstype, *options;
	struct tmpfs_inode *root; /* FS_TMPFS */
};

struct vfs {
	int rootfd;      /* O_PATH fd of the container root */
	struct vmount *mounts;
	size_t nmounts;
	uint64_t next_ino;
};

/* A resolved location.  For FS_HOST: dirfd is an O_PATH fd of the parent
 * directory (owned by the vloc) and name the last component ("." for a mount
 * root).  For sentry filesystems: rel is the path inside the mount. */
struct vloc {
	struct vmount *mnt;
	char path[PATH_MAX];  /* canonical container path */
	int dirfd;
	char name[NAME_MAX + 1];
	const char *rel;      /* points into path */
	bool exists;
	struct stat st;       /* valid when exists */
	struct tmpfs_inode *parent_ino, *ino; /* FS_TMPFS */
};

/* flags for vfs_resolve */
#define VFS_FOLLOW 1      /* follow a symlink in the last component */
#define VFS_DIRFD_EMPTY 2 /* AT_EMPTY_PATH: empty path names dirfd itself */

/* vfs_new - mount table from the config's mounts (proc -> sentry procfs,
 * tmpfs/dev -> sentry, sysfs -> empty dir, the rest host-backed).  Returns 0
 * with *out owned by the caller (vfs_free), or -1 with *err set (ENOMEM, or
 * the errno of opening the container root) and nothing allocated. */
int vfs_new(const struct oci_config *config, struct vfs **out, strata_error_t *err);
/* vfs_free - close the root fd and free the mount table. */
void vfs_free(struct vfs *vfs);
/* vfs_resolve - resolve path (relative to dirfd or t's cwd).  Returns 0 with
 * *loc filled (exists says whether the last component exists), or -errno
 * (ENOENT for a missing intermediate, ENOTDIR, ELOOP, ENAMETOOLONG).
 * Release with vloc_release(). */
int vfs_resolve(struct sentry_kernel *k, struct task *t, int dirfd, const char *path, int flags, struct vloc *loc);
/* vloc_release - close the parent fd a resolved location holds. */
void vloc_release(struct vloc *loc);
/* vfs_open - open a resolved location (creating it for O_CREAT).  Returns the
 * new file (one reference) or NULL with *errp = -errno. */
struct sfile *vfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, mode_t mode, int *errp);
/* vfs_readlink - target of a symlink location. Returns length or -errno. */
long vfs_readlink(struct sentry_kernel *k, struct task *t, struct vloc *loc, char *buf, size_t len);

/* ---- vfs_ops.c: changes to resolved names (0 or -errno) ---- */
long vfs_mkdir(struct sentry_kernel *k, struct task *t, struct vloc *loc, mode_t mode);
long vfs_unlink(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags);
long vfs_rename(struct sentry_kernel *k, struct task *t, struct vloc *o, struct vloc *n, unsigned flags);
long vfs_link(struct sentry_kernel *k, struct task *t, struct vloc *o, struct vloc *n);
long vfs_symlink(struct sentry_kernel *k, struct task *t, const char *target, struct vloc *loc);
long vfs_chmod(struct sentry_kernel *k, struct task *t, struct vloc *loc, mode_t mode);
long vfs_chown(struct sentry_kernel *k, struct task *t, struct vloc *loc, uid_t uid, gid_t gid);
/* ts: two timespecs (atime, mtime) as utimensat(2), or NULL for now. */
long vfs_utimens(struct sentry_kernel *k, struct task *t, struct vloc *loc, const struct timespec *ts);
long vfs_truncate(struct sentry_kernel *k, struct task *t, struct vloc *loc, int64_t len);
/* vfs_access - faccessat2(2) check of mode (R_OK|W_OK|X_OK) on an existing name. */
long vfs_access(struct sentry_kernel *k, struct task *t, struct vloc *loc, int mode, int flags);

/* ---- procfs.c / devfs.c: sentry-generated filesystems ----
 * *_lookup: stat of the name at rel (path inside the mount, "" = its root)
 * and, for a symlink, its target in link[linklen]; 0 or -ENOENT.
 * *_open: an open file for loc (one reference) or NULL with *errp = -errno. */
int procfs_lookup(struct sentry_kernel *k, struct task *t, const char *rel, struct stat *st, char *link, size_t linklen);
struct sfile *procfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, int *errp);
int devfs_lookup(struct sentry_kernel *k, const char *rel, struct stat *st, char *link, size_t linklen);
struct sfile *devfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, int *errp);
/* synthetic_dir_file - a directory file listing the given names (. and .. added). */
struct sfile *synthetic_dir_file(const char *path, const char *const *names, const unsigned char *types, size_t n);

#endif
