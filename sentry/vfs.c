/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfs.c - mount table, path resolution and open (see vfs.h for the rules).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/path.h"
#include "tmpfs.h"
#include "vfs.h"

#define MAX_SYMLINKS 40

static void pcopy(char *out, size_t outlen, const char *in);

/* Append a mount to the table.  Returns 0, or -1 with *err set (ENOMEM);
 * on failure the table is unchanged (nothing half-filled is left in it). */
static int add_mount(struct vfs *v, const char *path, enum vfs_fs_kind kind, const char *source, const char *fstype,
		     const char *options, strata_error_t *err)
{
	struct vmount *n = realloc(v->mounts, (v->nmounts + 1) * sizeof(*n));
	if (n == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: mount table entry for `%s`", path);
	v->mounts = n;
	struct vmount m = { .kind = kind };
	m.path = strdup(path);
	m.source = strdup(source != NULL ? source : "none");
	m.fstype = strdup(fstype != NULL ? fstype : "none");
	m.options = strdup(options != NULL ? options : "rw");
	if (m.path == NULL || m.source == NULL || m.fstype == NULL || m.options == NULL) {
		free(m.path);
		free(m.source);
		free(m.fstype);
		free(m.options);
		return strata_error_errno(err, ENOMEM, "sentry: mount table entry for `%s`", path);
	}
	n[v->nmounts++] = m;
	return 0;
}

int vfs_new(const struct oci_config *config, struct vfs **out, strata_error_t *err)
{
	struct vfs *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return strata_error_errno(err, ENOMEM, "sentry: vfs");
	v->next_ino = 1000;
	v->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (v->rootfd < 0) {
		free(v);
		return strata_error_errno(err, errno, "sentry: open container root");
	}
	if (add_mount(v, "/", FS_HOST, "rootfs", "rootfs", config->root != NULL && config->root->readonly ? "ro" : "rw",
		      err) < 0) {
		vfs_free(v);
		return -1;
	}
	for (size_t i = 0; i < config->mounts_len; i++) {
		const struct oci_mount *m = &config->mounts[i];
		/* Canonical, like every path in the mount table ("/a//b/../c" -> "/a/c"). */
		_cleanup_free_ char *dst = path_clean(m->destination, err);
		if (dst == NULL) {
			vfs_free(v);
			return strata_error_wrap(err, "sentry: mount table");
		}
		const char *type = m->type != NULL ? m->type : "none";
		enum vfs_fs_kind kind = FS_HOST;
		if (strcmp(type, "proc") == 0)
			kind = FS_PROC;
		else if (strcmp(dst, "/dev") == 0)
			kind = FS_DEV;
		else if (strcmp(type, "sysfs") == 0 || strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0 ||
			 strcmp(type, "devpts") == 0 || strcmp(type, "mqueue") == 0)
			kind = FS_EMPTY;
		else if (strcmp(type, "tmpfs") == 0)
			kind = FS_TMPFS;
		/* Bind mounts and the rest: the runtime mounted them in the container's
		 * mount namespace; the sentry reaches them as host files. */
		char opts[256] = "rw";
		if (m->options != NULL) {
			size_t o = 0;
			opts[0] = '\0';
			for (size_t j = 0; j < m->options_len; j++)
				o += snprintf(opts + o, o < sizeof(opts) ? sizeof(opts) - o : 0, "%s%s", j ? "," : "",
					      m->options[j]);
		}
		if (add_mount(v, dst, kind, m->source, type, opts, err) < 0) {
			vfs_free(v);
			return -1;
		}
		if (kind == FS_TMPFS) {
			struct vmount *vm = &v->mounts[v->nmounts - 1];
			vm->root = tmpfs_new_root(v->next_ino++);
			if (vm->root == NULL) {
				vfs_free(v);
				return strata_error_errno(err, ENOMEM, "sentry: tmpfs");
			}
			const char *mode = strstr(opts, "mode=");
			if (mode != NULL)
				vm->root->mode = S_IFDIR | (mode_t)(strtoul(mode + 5, NULL, 8) & 07777);
		}
	}
	*out = v;
	return 0;
}

void vfs_free(struct vfs *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nmounts; i++) {
		free(v->mounts[i].path);
		free(v->mounts[i].source);
		free(v->mounts[i].fstype);
		free(v->mounts[i].options);
	}
	free(v->mounts);
	close(v->rootfd);
	free(v);
}

/* The mount whose mount point is exactly path (the latest one), or NULL. */
static struct vmount *mount_exact(struct vfs *v, const char *path)
{
	for (size_t i = v->nmounts; i-- > 0;)
		if (strcmp(v->mounts[i].path, path) == 0)
			return &v->mounts[i];
	return NULL;
}

/* The mount that holds canonical path. */
static struct vmount *mount_for(struct vfs *v, const char *path)
{
	struct vmount *best = &v->mounts[0];
	size_t bestlen = 0;
	for (size_t i = 0; i < v->nmounts; i++) {
		const char *mp = v->mounts[i].path;
		size_t n = strlen(mp);
		if (n == 1)
			continue;
		if (strncmp(path, mp, n) == 0 && (path[n] == '\0' || path[n] == '/') && n >= bestlen) {
			best = &v->mounts[i];
			bestlen = n;
		}
	}
	return best;
}

/* Open canonical path as an O_PATH directory fd, walking host components
 * from the root with O_NOFOLLOW (the path has no symlinks by construction; a
 * raced-in symlink fails the walk instead of being followed). */
static int host_walk(struct vfs *v, const char *path)
{
	int fd = fcntl(v->rootfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	const char *p = path;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		const char *e = strchrnul(p, '/');
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(e - p);
		if (n > NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		int nfd = openat(fd, comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		int e2 = errno;
		close(fd);
		if (nfd < 0)
			return -e2;
		fd = nfd;
		p = e;
	}
	return fd;
}

static const char *rel_in(const struct vmount *m, const char *path)
{
	size_t n = strlen(m->path);
	const char *r = path + (n == 1 ? 0 : n);
	while (*r == '/')
		r++;
	return r;
}

/* Look a name up in a sentry filesystem. */
static int synth_lookup(struct sentry_kernel *k, struct task *t, struct vmount *m, const char *path, struct stat *st,
			char *link, size_t linklen)
{
	const char *rel = rel_in(m, path);
	link[0] = '\0';
	switch (m->kind) {
	case FS_PROC:
		return procfs_lookup(k, t, rel, st, link, linklen);
	case FS_DEV:
		return devfs_lookup(k, rel, st, link, linklen);
	case FS_TMPFS: {
		struct tmpfs_inode *n;
		int rc = tmpfs_walk(m->root, rel, &n);
		if (rc < 0)
			return rc;
		tmpfs_stat(n, 0x2a + (dev_t)(m - k->vfs->mounts), st);
		if (S_ISLNK(n->mode))
			pcopy(link, linklen, n->link);
		return 0;
	}
	case FS_EMPTY:
		if (*rel != '\0')
			return -ENOENT;
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		st->st_ino = 1;
		return 0;
	default:
		return -ENOENT;
	}
}

struct walk {
	struct vmount *mnt;
	char path[PATH_MAX];
	int fd; /* FS_HOST: O_PATH fd of path */
};

static int walk_enter(struct sentry_kernel *k, struct walk *w, const char *path)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	pcopy(w->path, sizeof(w->path), path);
	w->mnt = mount_for(k->vfs, path);
	if (w->mnt->kind == FS_HOST) {
		w->fd = host_walk(k->vfs, path);
		if (w->fd < 0)
			return w->fd;
	}
	return 0;
}

/* out = a + "/" + b (no doubled slash after "/"). -ENAMETOOLONG when it does not fit. */
static int join2(char *out, size_t outlen, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la == 1 && a[0] == '/')
		la = 0;
	if (la + 1 + lb + 1 > outlen)
		return -ENAMETOOLONG;
	memmove(out + la + 1, b, lb + 1);
	if (out != a)
		memcpy(out, a, la);
	out[la] = '/';
	return 0;
}

static void pcopy(char *out, size_t outlen, const char *in)
{
	size_t n = strnlen(in, outlen - 1);
	memmove(out, in, n);
	out[n] = '\0';
}

int vfs_resolve(struct sentry_kernel *k, struct task *t, int dirfd, const char *path, int flags, struct vloc *loc)
{
	memset(loc, 0, sizeof(*loc));
	loc->dirfd = -1;
	if (path[0] == '\0' && !(flags & VFS_DIRFD_EMPTY))
		return -ENOENT;
	const char *base = "/";
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			base = t->cwd;
		} else {
			struct sfile *f = fd_get(t, dirfd);
			if (f == NULL)
				return -EBADF;
			if (path[0] == '\0') {
				base = f->path;
				if (base[0] != '/')
					return -ENOENT; /* pipes have no path to resolve */
			} else {
				struct stat st;
				if (f->ops->fstat(k, f, &st) < 0 || !S_ISDIR(st.st_mode))
					return -ENOTDIR;
				base = f->path;
			}
		}
	}
	size_t plen = strlen(path);
	bool trailing_slash = plen > 0 && path[plen - 1] == '/';
	/* The remaining work: base + "/" + path; symlink targets are spliced in. */
	_cleanup_free_ char *work = malloc(2 * PATH_MAX + 2);
	if (work == NULL)
		return -ENOMEM;
	if (strlen(base) + plen + 2 > 2 * PATH_MAX)
		return -ENAMETOOLONG;
	join2(work, 2 * PATH_MAX + 2, base, path);

	struct walk w = { .fd = -1 };
	int rc = walk_enter(k, &w, "/");
	if (rc < 0)
		return rc;
	int links = 0;
	char *p = work;
	char linkbuf[PATH_MAX];
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (n > NAME_MAX) {
			rc = -ENAMETOOLONG;
			goto fail;
		}
		char comp[NAME_MAX + 1];
		memcpy(comp, p, n);
		comp[n] = '\0';
		p = e;
		const char *q = p;
		while (*q == '/')
			q++;
		bool last = *q == '\0';

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			/* Lexical on the canonical path, clamped at the container root. */
			char parent[PATH_MAX];
			pcopy(parent, sizeof(parent), w.path);
			char *slash = strrchr(parent, '/');
			if (slash == parent)
				parent[1] = '\0';
			else if (slash != NULL)
				*slash = '\0';
			if ((rc = walk_enter(k, &w, parent)) < 0)
				goto fail;
			continue;
		}
		char cand[PATH_MAX];
		if ((rc = join2(cand, sizeof(cand), w.path, comp)) < 0)
			goto fail;
		struct vmount *m = mount_exact(k->vfs, cand);
		struct stat st;
		int exists;
		linkbuf[0] = '\0';
		if (m != NULL) {
			exists = synth_lookup(k, t, m, cand, &st, linkbuf, sizeof(linkbuf));
			if (m->kind == FS_HOST) {
				int fd = host_walk(k->vfs, cand);
				exists = fd < 0 ? fd : (fstat(fd, &st) < 0 ? -errno : 0);
				if (fd >= 0)
					close(fd);
			}
		} else if (w.mnt->kind == FS_HOST) {
			exists = fstatat(w.fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
			if (exists == 0 && S_ISLNK(st.st_mode) && (!last || (flags & VFS_FOLLOW) || trailing_slash)) {
				ssize_t ln = readlinkat(w.fd, comp, linkbuf, sizeof(linkbuf) - 1);
				if (ln < 0) {
					rc = -errno;
					goto fail;
				}
				linkbuf[ln] = '\0';
			}
		} else {
			exists = synth_lookup(k, t, w.mnt, cand, &st, linkbuf, sizeof(linkbuf));
		}
		if (exists < 0 && exists != -ENOENT) {
			rc = exists;
			goto fail;
		}
		if (exists == 0 && S_ISLNK(st.st_mode) && (!last || (flags & VFS_FOLLOW) || trailing_slash) &&
		    linkbuf[0] != '\0') {
			if (++links > MAX_SYMLINKS) {
				rc = -ELOOP;
				goto fail;
			}
			/* Splice the target in front of the rest; an absolute target restarts at the container root. */
			char *rest = strdup(p);
			if (rest == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
			if (strlen(linkbuf) + strlen(rest) + 2 > 2 * PATH_MAX) {
				free(rest);
				rc = -ENAMETOOLONG;
				goto fail;
			}
			join2(work, 2 * PATH_MAX + 2, linkbuf, rest);
			if (linkbuf[0] == '/' && work[0] != '/')
				work[0] = '/';
			free(rest);
			p = work;
			if (linkbuf[0] == '/' && (rc = walk_enter(k, &w, "/")) < 0)
				goto fail;
			continue;
		}
		if (last) {
			pcopy(loc->path, sizeof(loc->path), cand);
			pcopy(loc->name, sizeof(loc->name), comp);
			loc->exists = exists == 0;
			if (loc->exists)
				loc->st = st;
			if (loc->exists && trailing_slash && !S_ISDIR(st.st_mode)) {
				rc = -ENOTDIR;
				goto fail;
			}
			if (m != NULL) {
				/* A mount point names the mounted root: "." in it. */
				loc->mnt = m;
				snprintf(loc->name, sizeof(loc->name), ".");
				if (m->kind == FS_HOST)
					loc->dirfd = host_walk(k->vfs, cand);
			} else {
				loc->mnt = w.mnt;
				loc->dirfd = w.fd;
				w.fd = -1;
			}
			loc->rel = rel_in(loc->mnt, loc->path);
			if (w.fd >= 0)
				close(w.fd);
			return 0;
		}
		if (exists < 0) {
			rc = -ENOENT;
			goto fail;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc = -ENOTDIR;
			goto fail;
		}
		/* Descend. */
		if (m != NULL || w.mnt->kind != FS_HOST) {
			if ((rc = walk_enter(k, &w, cand)) < 0)
				goto fail;
		} else {
			int nfd = openat(w.fd, comp, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
			if (nfd < 0) {
				rc = -errno;
				goto fail;
			}
			close(w.fd);
			w.fd = nfd;
			pcopy(w.path, sizeof(w.path), cand);
		}
	}
	/* The path names the walk's current directory itself. */
	pcopy(loc->path, sizeof(loc->path), w.path);
	loc->mnt = w.mnt;
	loc->rel = rel_in(loc->mnt, loc->path);
	loc->exists = true;
	if (w.mnt->kind == FS_HOST) {
		loc->dirfd = w.fd;
		w.fd = -1;
		snprintf(loc->name, sizeof(loc->name), ".");
		if (fstat(loc->dirfd, &loc->st) < 0) {
			rc = -errno;
			goto fail;
		}
	} else {
		snprintf(loc->name, sizeof(loc->name), ".");
		if ((rc = synth_lookup(k, t, w.mnt, w.path, &loc->st, linkbuf, sizeof(linkbuf))) < 0)
			goto fail;
	}
	return 0;
fail:
	if (w.fd >= 0)
		close(w.fd);
	vloc_release(loc);
	return rc;
}

void vloc_release(struct vloc *loc)
{
	if (loc->dirfd >= 0)
		close(loc->dirfd);
	loc->dirfd = -1;
}

struct sfile *vfs_open(struct sentry_kernel *k, struct task *t, struct vloc *loc, int flags, mode_t mode, int *errp)
{
	switch (loc->mnt->kind) {
	case FS_HOST: {
		if (!loc->exists && !(flags & O_CREAT)) {
			*errp = -ENOENT;
			return NULL;
		}
		if (loc->exists && (flags & O_CREAT) && (flags & O_EXCL)) {
			*errp = -EEXIST;
			return NULL;
		}
		int hflags = (flags & ~(O_CLOEXEC | O_NOCTTY)) | O_NOFOLLOW | O_CLOEXEC;
		/* The sentry must never sleep in a host open: a FIFO is opened non-blocking. */
		if (loc->exists && S_ISFIFO(loc->st.st_mode))
			hflags |= O_NONBLOCK;
		int fd = openat(loc->dirfd, loc->name, hflags, mode & ~t->umask & 07777);
		if (fd < 0) {
			*errp = -errno;
			return NULL;
		}
		struct sfile *f = sfile_from_host_fd(fd, flags & ~O_CLOEXEC, loc->path);
		if (f == NULL) {
			close(fd);
			*errp = -ENOMEM;
			return NULL;
		}
		f->mnt = loc->mnt;
		struct stat st;
		if (fstat(fd, &st) == 0)
			f->is_dir = S_ISDIR(st.st_mode);
		return f;
	}
	case FS_PROC:
		return procfs_open(k, t, loc, flags, errp);
	case FS_TMPFS: {
		struct tmpfs_inode *n = NULL;
		if (!loc->exists) {
			if (!(flags & O_CREAT)) {
				*errp = -ENOENT;
				return NULL;
			}
			struct tmpfs_inode *dir;
			const char *name;
			int rc = tmpfs_parent_of(loc->mnt->root, loc->rel, &dir, &name);
			if (rc == 0)
				rc = tmpfs_create(dir, name, S_IFREG | (mode & ~t->umask & 07777), t->euid, t->egid, NULL,
						  k->vfs->next_ino++, &n);
			if (rc < 0) {
				*errp = rc;
				return NULL;
			}
		} else {
			if ((flags & O_CREAT) && (flags & O_EXCL)) {
				*errp = -EEXIST;
				return NULL;
			}
			if (S_ISLNK(loc->st.st_mode)) {
				*errp = -ELOOP;
				return NULL;
			}
			int rc = tmpfs_walk(loc->mnt->root, loc->rel, &n);
			if (rc < 0) {
				*errp = rc;
				return NULL;
			}
		}
		struct sfile *f = tmpfs_open(n, flags, loc->path, errp);
		if (f != NULL)
			f->mnt = loc->mnt;
		return f;
	}
	case FS_DEV:
		return devfs_open(k, t, loc, flags, errp);
	default:
		if (!loc->exists) {
			*errp = (flags & O_CREAT) ? -EACCES : -ENOENT;
			return NULL;
		}
		if ((flags & O_ACCMODE) != O_RDONLY) {
			*errp = -EISDIR;
			return NULL;
		}
		struct sfile *f = synthetic_dir_file(loc->path, NULL, NULL, 0);
		if (f == NULL)
			*errp = -ENOMEM;
		return f;
	}
}

long vfs_readlink(struct sentry_kernel *k, struct task *t, struct vloc *loc, char *buf, size_t len)
{
	if (!loc->exists)
		return -ENOENT;
	if (!S_ISLNK(loc->st.st_mode))
		return -EINVAL;
	char tmp[PATH_MAX];
	ssize_t n;
	if (loc->mnt->kind == FS_HOST) {
		n = readlinkat(loc->dirfd, loc->name, tmp, sizeof(tmp));
		if (n < 0)
			return -errno;
	} else {
		struct stat st;
		int rc = synth_lookup(k, t, loc->mnt, loc->path, &st, tmp, sizeof(tmp));
		if (rc < 0)
			return rc;
		n = (ssize_t)strlen(tmp);
	}
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(buf, tmp, (size_t)n);
	return n;
}
