/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpfs.c - the in-memory tmpfs of the sentry (see tmpfs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

#define TMPFS_DEV 0x2a
#define TMPFS_MAX_FILE (256UL << 20) /* per file, a bound on sentry memory */

static void touch(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static struct tmpfs_inode *inode_new(mode_t mode, uid_t uid, gid_t gid, uint64_t ino)
{
	struct tmpfs_inode *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->mode = mode;
	n->uid = uid;
	n->gid = gid;
	n->ino = ino;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	touch(&n->mtime);
	n->atime = n->ctime = n->mtime;
	return n;
}

static void inode_maybe_free(struct tmpfs_inode *n)
{
	if (n->nlink > 0 || n->opens > 0)
		return;
	free(n->data);
	free(n->link);
	free(n);
}

struct tmpfs_inode *tmpfs_new_root(uint64_t ino)
{
	struct tmpfs_inode *r = inode_new(S_IFDIR | 01777, 0, 0, ino);
	if (r != NULL)
		r->parent = r;
	return r;
}

static struct tmpfs_dirent *find(struct tmpfs_inode *dir, const char *name)
{
	for (struct tmpfs_dirent *d = dir->children; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

int tmpfs_walk(struct tmpfs_inode *root, const char *rel, struct tmpfs_inode **out)
{
	struct tmpfs_inode *cur = root;
	const char *p = rel;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *e = strchrnul(p, '/');
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(e - p);
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!S_ISDIR(cur->mode))
			return -ENOTDIR;
		struct tmpfs_dirent *d = find(cur, comp);
		if (d == NULL)
			return -ENOENT;
		cur = d->ino;
		p = e;
	}
	*out = cur;
	return 0;
}

int tmpfs_parent_of(struct tmpfs_inode *root, const char *rel, struct tmpfs_inode **dir, const char **name)
{
	const char *slash = strrchr(rel, '/');
	if (slash == NULL) {
		*dir = root;
		*name = rel;
		return 0;
	}
	char parent[PATH_MAX];
	size_t n = (size_t)(slash - rel);
	if (n >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, rel, n);
	parent[n] = '\0';
	*name = slash + 1;
	int rc = tmpfs_walk(root, parent, dir);
	if (rc == 0 && !S_ISDIR((*dir)->mode))
		rc = -ENOTDIR;
	return rc;
}

void tmpfs_stat(const struct tmpfs_inode *n, dev_t dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev != 0 ? dev : TMPFS_DEV;
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = n->nlink;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_size = S_ISLNK(n->mode) ? (off_t)strlen(n->link) : S_ISDIR(n->mode) ? 40 : (off_t)n->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((n->size + 511) / 512);
	st->st_atim = n->atime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->ctime;
}

int tmpfs_create(struct tmpfs_inode *dir, const char *name, mode_t mode, uid_t uid, gid_t gid, const char *target,
		 uint64_t ino, struct tmpfs_inode **out)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->nlink == 0)
		return -ENOENT;
	if (find(dir, name) != NULL)
		return -EEXIST;
	struct tmpfs_inode *n = inode_new(mode, uid, gid, ino);
	struct tmpfs_dirent *d = calloc(1, sizeof(*d));
	char *nm = strdup(name);
	char *lk = target != NULL ? strdup(target) : NULL;
	if (n == NULL || d == NULL || nm == NULL || (target != NULL && lk == NULL)) {
		free(n);
		free(d);
		free(nm);
		free(lk);
		return -ENOMEM;
	}
	n->link = lk;
	if (S_ISDIR(mode)) {
		n->parent = dir;
		dir->nlink++;
	}
	d->name = nm;
	d->ino = n;
	d->next = dir->children;
	dir->children = d;
	touch(&dir->mtime);
	dir->ctime = dir->mtime;
	if (out != NULL)
		*out = n;
	return 0;
}

static void remove_entry(struct tmpfs_inode *dir, struct tmpfs_dirent *victim)
{
	for (struct tmpfs_dirent **pp = &dir->children; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == victim) {
			*pp = victim->next;
			break;
		}
	}
	free(victim->name);
	free(victim);
	touch(&dir->mtime);
	dir->ctime = dir->mtime;
}

int tmpfs_unlink(struct tmpfs_inode *dir, const char *name, int rmdir)
{
	struct tmpfs_dirent *d = find(dir, name);
	if (d == NULL)
		return -ENOENT;
	struct tmpfs_inode *n = d->ino;
	if (rmdir) {
		if (!S_ISDIR(n->mode))
			return -ENOTDIR;
		if (n->children != NULL)
			return -ENOTEMPTY;
		dir->nlink--;
		n->nlink = 0;
	} else {
		if (S_ISDIR(n->mode))
			return -EISDIR;
		n->nlink--;
		touch(&n->ctime);
	}
	remove_entry(dir, d);
	inode_maybe_free(n);
	return 0;
}

int tmpfs_link(struct tmpfs_inode *ino, struct tmpfs_inode *dir, const char *name)
{
	if (S_ISDIR(ino->mode))
		return -EPERM;
	int rc = tmpfs_create(dir, name, S_IFREG, 0, 0, NULL, 0, NULL);
	if (rc < 0)
		return rc;
	struct tmpfs_dirent *d = find(dir, name);
	free(d->ino);
	d->ino = ino;
	ino->nlink++;
	touch(&ino->ctime);
	return 0;
}

int tmpfs_rename(struct tmpfs_inode *odir, const char *oname, struct tmpfs_inode *ndir, const char *nname,
		 unsigned flags)
{
	struct tmpfs_dirent *od = find(odir, oname);
	if (od == NULL)
		return -ENOENT;
	struct tmpfs_inode *n = od->ino;
	/* A directory cannot move under itself. */
	if (S_ISDIR(n->mode))
		for (struct tmpfs_inode *p = ndir;; p = p->parent) {
			if (p == n)
				return -EINVAL;
			if (p->parent == p)
				break;
		}
	struct tmpfs_dirent *nd = find(ndir, nname);
	if (nd != NULL) {
		if (nd == od)
			return 0;
		if (flags & 1 /* RENAME_NOREPLACE */)
			return -EEXIST;
		struct tmpfs_inode *victim = nd->ino;
		if (S_ISDIR(n->mode) != S_ISDIR(victim->mode))
			return S_ISDIR(n->mode) ? -ENOTDIR : -EISDIR;
		int rc = tmpfs_unlink(ndir, nname, S_ISDIR(victim->mode));
		if (rc < 0)
			return rc;
	}
	char *nm = strdup(nname);
	struct tmpfs_dirent *d = calloc(1, sizeof(*d));
	if (nm == NULL || d == NULL) {
		free(nm);
		free(d);
		return -ENOMEM;
	}
	d->name = nm;
	d->ino = n;
	d->next = ndir->children;
	ndir->children = d;
	remove_entry(odir, od);
	if (S_ISDIR(n->mode)) {
		odir->nlink--;
		ndir->nlink++;
		n->parent = ndir;
	}
	touch(&n->ctime);
	return 0;
}

/* ---- open files ---- */

static long tf_read(struct sentry_kernel *k, struct task *t, struct sfile *f, void *buf, size_t len, int64_t *off)
{
	struct tmpfs_inode *n = f->ino;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	int64_t *pos = off != NULL ? off : &f->pos;
	if (*pos < 0 || (size_t)*pos >= n->size)
		return 0;
	size_t c = n->size - (size_t)*pos < len ? n->size - (size_t)*pos : len;
	memcpy(buf, n->data + *pos, c);
	*pos += (int64_t)c;
	return (long)c;
}

static int ensure_size(struct tmpfs_inode *n, size_t want)
{
	if (want > TMPFS_MAX_FILE)
		return -EFBIG;
	if (want > n->cap) {
		size_t cap = n->cap ? n->cap : 4096;
		while (cap < want)
			cap *= 2;
		char *d = realloc(n->data, cap);
		if (d == NULL)
			return -ENOSPC;
		memset(d + n->cap, 0, cap - n->cap);
		n->data = d;
		n->cap = cap;
	}
	if (want > n->size)
		n->size = want;
	return 0;
}

static long tf_write(struct sentry_kernel *k, struct task *t, struct sfile *f, const void *buf, size_t len, int64_t *off)
{
	struct tmpfs_inode *n = f->ino;
	int64_t *pos = off != NULL ? off : &f->pos;
	if ((f->flags & O_APPEND) && off == NULL)
		*pos = (int64_t)n->size;
	int rc = ensure_size(n, (size_t)*pos + len);
	if (rc < 0)
		return rc;
	memcpy(n->data + *pos, buf, len);
	*pos += (int64_t)len;
	touch(&n->mtime);
	n->ctime = n->mtime;
	return (long)len;
}

static long tf_lseek(struct sfile *f, int64_t off, int whence)
{
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos : whence == SEEK_END ? (int64_t)f->ino->size : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static long tf_fstat(struct sentry_kernel *k, struct sfile *f, struct stat *st)
{
	tmpfs_stat(f->ino, 0, st);
	return 0;
}

static long tf_getdents(struct sentry_kernel *k, struct sfile *f, void *buf, size_t len)
{
	struct tmpfs_inode *n = f->ino;
	if (!S_ISDIR(n->mode))
		return -ENOTDIR;
	if (f->data == NULL) {
		/* Snapshot the listing at the first getdents (or after rewinddir). */
		int64_t off = 1;
		dirent_append(&f->data, &f->data_len, n->ino, off++, DT_DIR, ".");
		dirent_append(&f->data, &f->data_len, n->parent->ino, off++, DT_DIR, "..");
		for (struct tmpfs_dirent *d = n->children; d != NULL; d = d->next)
			dirent_append(&f->data, &f->data_len, d->ino->ino, off++,
				      S_ISDIR(d->ino->mode) ? DT_DIR : S_ISLNK(d->ino->mode) ? DT_LNK : DT_REG, d->name);
		f->pos = 0;
	}
	return buffer_file_ops.getdents(k, f, buf, len);
}

static short tf_poll(struct sfile *f, short events, int *hostfd)
{
	return events & (POLLIN | POLLOUT);
}

static long tf_truncate(struct sfile *f, int64_t len)
{
	struct tmpfs_inode *n = f->ino;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	if ((size_t)len > n->size) {
		int rc = ensure_size(n, (size_t)len);
		if (rc < 0)
			return rc;
	} else {
		if (n->data != NULL)
			memset(n->data + len, 0, n->size - (size_t)len);
		n->size = (size_t)len;
	}
	touch(&n->mtime);
	return 0;
}

static void tf_release(struct sfile *f)
{
	f->ino->opens--;
	inode_maybe_free(f->ino);
}

static long tf_ioctl(struct sentry_kernel *k, struct task *t, struct sfile *f, unsigned long cmd, uint64_t arg)
{
	return -ENOTTY;
}

static const struct sfile_ops tmpfs_file_ops = {
	.read = tf_read,
	.write = tf_write,
	.lseek = tf_lseek,
	.fstat = tf_fstat,
	.getdents = tf_getdents,
	.ioctl = tf_ioctl,
	.poll = tf_poll,
	.truncate = tf_truncate,
	.release = tf_release,
};

struct sfile *tmpfs_open(struct tmpfs_inode *ino, int flags, const char *path, int *errp)
{
	if (S_ISDIR(ino->mode) && (flags & O_ACCMODE) != O_RDONLY) {
		*errp = -EISDIR;
		return NULL;
	}
	if (!S_ISDIR(ino->mode) && (flags & O_DIRECTORY)) {
		*errp = -ENOTDIR;
		return NULL;
	}
	struct sfile *f = sfile_new(&tmpfs_file_ops, flags & ~O_CLOEXEC, path);
	if (f == NULL) {
		*errp = -ENOMEM;
		return NULL;
	}
	f->ino = ino;
	f->is_dir = S_ISDIR(ino->mode);
	ino->opens++;
	if ((flags & O_TRUNC) && S_ISREG(ino->mode) && (flags & O_ACCMODE) != O_RDONLY)
		tf_truncate(f, 0);
	return f;
}
