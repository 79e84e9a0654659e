/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpfs.h - a tmpfs kept in sentry memory (tmpfs(5)): directories, regular
 * files, symlinks and hard links, nothing backed by a host file.
 * Inodes are freed when their last link and last open file are gone.
 */
#ifndef STRATA_SENTRY_TMPFS_H
#define STRATA_SENTRY_TMPFS_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "file.h"

struct tmpfs_dirent {
	char *name;
	struct tmpfs_inode *ino;
	struct tmpfs_dirent *next;
};

struct tmpfs_inode {
	mode_t mode;              /* type and permission bits */
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	uint64_t ino;
	struct timespec atime, mtime, ctime;
	char *data;               /* regular file content */
	size_t size, cap;
	char *link;               /* symlink target */
	struct tmpfs_dirent *children; /* directory entries (without . and ..) */
	struct tmpfs_inode *parent;    /* directory: its parent (root: itself) */
	int opens;                /* open files referring to it */
};

/* tmpfs_new_root - a root directory with mode 01777 (tmpfs default). NULL on ENOMEM. */
struct tmpfs_inode *tmpfs_new_root(uint64_t ino);
/* tmpfs_walk - the inode at rel ("" = root, components separated by '/',
 * no symlink following: callers give canonical paths).  -ENOENT/-ENOTDIR. */
int tmpfs_walk(struct tmpfs_inode *root, const char *rel, struct tmpfs_inode **out);
/* tmpfs_stat - fill st for ino on device dev. */
void tmpfs_stat(const struct tmpfs_inode *ino, dev_t dev, struct stat *st);
/* tmpfs_parent_of - the directory holding rel's last component and that
 * component's name (a pointer into rel). */
int tmpfs_parent_of(struct tmpfs_inode *root, const char *rel, struct tmpfs_inode **dir, const char **name);
/* tmpfs_create - a new file (S_IFREG), directory (S_IFDIR) or symlink (S_IFLNK,
 * target given) called name in dir.  -EEXIST, -ENOTDIR, -ENOMEM. */
int tmpfs_create(struct tmpfs_inode *dir, const char *name, mode_t mode, uid_t uid, gid_t gid, const char *target,
		 uint64_t ino, struct tmpfs_inode **out);
/* tmpfs_unlink - remove name from dir (rmdir: must be an empty directory). */
int tmpfs_unlink(struct tmpfs_inode *dir, const char *name, int rmdir);
/* tmpfs_link - a new name for a non-directory inode. */
int tmpfs_link(struct tmpfs_inode *ino, struct tmpfs_inode *dir, const char *name);
/* tmpfs_rename - rename(2) within one tmpfs (flags: RENAME_NOREPLACE). */
int tmpfs_rename(struct tmpfs_inode *odir, const char *oname, struct tmpfs_inode *ndir, const char *nname,
		 unsigned flags);
/* tmpfs_open - an open file on ino (one reference); truncates on O_TRUNC. */
struct sfile *tmpfs_open(struct tmpfs_inode *ino, int flags, const char *path, int *errp);

#endif
