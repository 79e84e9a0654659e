/* SPDX-License-Identifier: GPL-2.0-or-later */
/* p9_server.c - 9P2000.L requests on a share confined with RESOLVE_IN_ROOT. */
#include "kvm-shim/p9_server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kvm-shim/p9_wire.h"

/* Message numbers (Linux include/net/9p/9p.h). */
enum {
	P9_RLERROR = 7,
	P9_TSTATFS = 8,
	P9_TLOPEN = 12,
	P9_TLCREATE = 14,
	P9_TSYMLINK = 16,
	P9_TMKNOD = 18,
	P9_TREADLINK = 22,
	P9_TGETATTR = 24,
	P9_TSETATTR = 26,
	P9_TXATTRWALK = 30,
	P9_TXATTRCREATE = 32,
	P9_TREADDIR = 40,
	P9_TFSYNC = 50,
	P9_TLOCK = 52,
	P9_TGETLOCK = 54,
	P9_TLINK = 70,
	P9_TMKDIR = 72,
	P9_TRENAMEAT = 74,
	P9_TUNLINKAT = 76,
	P9_TVERSION = 100,
	P9_TAUTH = 102,
	P9_TATTACH = 104,
	P9_TFLUSH = 108,
	P9_TWALK = 110,
	P9_TREAD = 116,
	P9_TWRITE = 118,
	P9_TCLUNK = 120,
	P9_TREMOVE = 122,
};

#define P9_QTDIR 0x80
#define P9_QTSYMLINK 0x02
#define P9_QTFILE 0x00
#define P9_GETATTR_BASIC 0x7ffULL
#define P9_MAXWELEM 16
#define P9_SETATTR_MODE 0x1
#define P9_SETATTR_UID 0x2
#define P9_SETATTR_GID 0x4
#define P9_SETATTR_SIZE 0x8
#define P9_SETATTR_ATIME 0x10
#define P9_SETATTR_MTIME 0x20
#define P9_SETATTR_ATIME_SET 0x80
#define P9_SETATTR_MTIME_SET 0x100
#define P9_NOFID 0xffffffffU
/* Open flags a client may pass; O_CREAT etc. are refused (Tlcreate creates). */
#define P9_OPEN_ALLOWED (O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_DIRECTORY | O_NOATIME | O_SYNC)

/* Distinct devices numbered exactly in qid paths (qid_path); more share numbers. */
#define P9_QID_DEVS 64
/* Bits of a qid path that hold the inode number; the device number sits above. */
#define P9_QID_INO_BITS 48

struct p9_fid {
	uint32_t fid;
	bool used;
	char *path;  /* relative to the share, "" = its root */
	int fd;      /* from Tlopen/Tlcreate, -1 when not open */
};

struct p9_server {
	int root_fd;
	bool read_only;
	uint32_t msize;
	struct p9_fid *fids;
	size_t nfids;
	/* Devices seen, in first-seen order: a qid's device number (qid_path). */
	dev_t devs[P9_QID_DEVS];
	size_t ndevs;
};

uint32_t p9_server_msize(const struct p9_server *s)
{
	return s->msize;
}

int p9_server_new(const char *root, bool read_only, struct p9_server **out, strata_error_t *err)
{
	struct p9_server *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return strata_error_errno(err, ENOMEM, "9p server");
	s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		int e = errno;
		free(s);
		return strata_error_errno(err, e, "open 9p share `%s`", root);
	}
	struct stat st;
	if (fstat(s->root_fd, &st) == 0) {
		/* The share's own device is number 0: its qid paths are its inode numbers. */
		s->devs[0] = st.st_dev;
		s->ndevs = 1;
	}
	s->read_only = read_only;
	s->msize = P9_MAX_MSIZE;
	*out = s;
	return 0;
}

static void fid_release(struct p9_fid *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	f->path = NULL;
	f->fd = -1;
	f->used = false;
}

void p9_server_free(struct p9_server *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nfids; i++)
		if (s->fids[i].used)
			fid_release(&s->fids[i]);
	free(s->fids);
	close(s->root_fd);
	free(s);
}

static struct p9_fid *fid_get(struct p9_server *s, uint32_t fid)
{
	for (size_t i = 0; i < s->nfids; i++)
		if (s->fids[i].used && s->fids[i].fid == fid)
			return &s->fids[i];
	return NULL;
}

/* New fid holding `path` (copied).  Returns an errno on failure. */
static int fid_new(struct p9_server *s, uint32_t fid, const char *path, struct p9_fid **out)
{
	if (fid == P9_NOFID || fid_get(s, fid) != NULL)
		return EBADF;
	struct p9_fid *slot = NULL;
	for (size_t i = 0; i < s->nfids && slot == NULL; i++)
		if (!s->fids[i].used)
			slot = &s->fids[i];
	if (slot == NULL) {
		if (s->nfids >= P9_MAX_FIDS)
			return EMFILE;
		struct p9_fid *n = realloc(s->fids, (s->nfids + 1) * sizeof(*n));
		if (n == NULL)
			return ENOMEM;
		s->fids = n;
		slot = &s->fids[s->nfids++];
	}
	char *p = strdup(path);
	if (p == NULL)
		return ENOMEM;
	*slot = (struct p9_fid){ .fid = fid, .used = true, .path = p, .fd = -1 };
	*out = slot;
	return 0;
}

/*
 * Open `path` (relative to the share) with the share as the root of the
 * resolution: the kernel keeps "..", absolute symlinks and relative symlinks
 * inside it (security: this is the whole confinement of the 9p server).
 * Returns an fd or -errno.
 */
static int share_open(struct p9_server *s, const char *path, uint64_t flags, uint64_t mode)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, s->root_fd, path[0] ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* One path component from the client: no '/', not empty, "." or "..". */
static bool valid_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* parent + "/" + name into out[PATH_MAX]; ENAMETOOLONG when it does not fit. */
static int path_join(const char *parent, const char *name, char *out)
{
	int n = parent[0] ? snprintf(out, PATH_MAX, "%s/%s", parent, name) : snprintf(out, PATH_MAX, "%s", name);
	return (n < 0 || n >= PATH_MAX) ? ENAMETOOLONG : 0;
}

/* Lexical "..": drop the last component, never above the share root. */
static void path_up(char *path)
{
	char *slash = strrchr(path, '/');
	if (slash != NULL)
		*slash = '\0';
	else
		path[0] = '\0';
}

/*
 * A qid path unique across the filesystems mounted inside the share (bind
 * mounts: the vm level's staging directory is a tmpfs with one per entry):
 * inode numbers repeat from one device to another, and a client that sees
 * two files with one qid path takes them for one (qemu's multidevs=remap
 * solves the same).  Each device gets a small number in first-seen order,
 * XORed into the bits above P9_QID_INO_BITS; the share's own device is 0, so
 * a share of one filesystem keeps plain inode numbers.  Past P9_QID_DEVS
 * devices, or for inode numbers above 2^48, two files may share a path.
 */
static uint64_t qid_path(struct p9_server *s, dev_t dev, uint64_t ino)
{
	size_t i = 0;
	while (i < s->ndevs && s->devs[i] != dev)
		i++;
	if (i == s->ndevs) {
		if (s->ndevs < P9_QID_DEVS)
			s->devs[s->ndevs++] = dev;
		else
			i = P9_QID_DEVS + (size_t)(((uint64_t)major(dev) * 31 + minor(dev)) % (0xffff - P9_QID_DEVS));
	}
	return ino ^ ((uint64_t)i << P9_QID_INO_BITS);
}

static struct p9_qid qid_of(struct p9_server *s, const struct stat *st)
{
	struct p9_qid q = { .type = P9_QTFILE, .version = 0, .path = qid_path(s, st->st_dev, st->st_ino) };
	if (S_ISDIR(st->st_mode))
		q.type = P9_QTDIR;
	else if (S_ISLNK(st->st_mode))
		q.type = P9_QTSYMLINK;
	return q;
}

/* stat the object at path itself (a final symlink is not followed). */
static int share_stat(struct p9_server *s, const char *path, struct stat *st)
{
	int fd = share_open(s, path, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return -fd;
	int r = fstatat(fd, "", st, AT_EMPTY_PATH);
	int e = errno;
	close(fd);
	return r < 0 ? e : 0;
}

/* Open the directory that holds a new/removed name: fid's path must be a directory. */
static int parent_open(struct p9_server *s, struct p9_fid *dir)
{
	return share_open(s, dir->path, O_PATH | O_DIRECTORY, 0);
}

/* ---- handlers: return 0 after writing the R-message body, or an errno ---- */

static int h_version(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t msize = p9_get32(in);
	char version[32];
	p9_get_str(in, version, sizeof(version));
	if (in->err)
		return EINVAL;
	/* A new session: every fid is dropped (intro(5): version). */
	for (size_t i = 0; i < s->nfids; i++)
		if (s->fids[i].used)
			fid_release(&s->fids[i]);
	if (msize < 4096)
		return EINVAL;
	s->msize = msize < P9_MAX_MSIZE ? msize : P9_MAX_MSIZE;
	p9_put32(o, s->msize);
	p9_put_str(o, strcmp(version, "9P2000.L") == 0 ? "9P2000.L" : "unknown");
	return 0;
}

static int h_attach(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	(void)p9_get32(in); /* afid: no authentication */
	char uname[256], aname[256];
	p9_get_str(in, uname, sizeof(uname));
	p9_get_str(in, aname, sizeof(aname));
	(void)p9_get32(in); /* n_uname */
	if (in->err)
		return EINVAL;
	struct stat st;
	int e = share_stat(s, "", &st);
	if (e)
		return e;
	struct p9_fid *f;
	if ((e = fid_new(s, fid, "", &f)))
		return e;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	return 0;
}

static int h_walk(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in), newfid = p9_get32(in);
	uint16_t n = p9_get16(in);
	if (in->err || n > P9_MAXWELEM)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	if (newfid != fid && fid_get(s, newfid) != NULL)
		return EBADF;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", f->path);
	struct p9_qid qids[P9_MAXWELEM];
	uint16_t done = 0;
	int first_err = 0;
	for (uint16_t i = 0; i < n; i++) {
		char name[NAME_MAX + 1];
		p9_get_str(in, name, sizeof(name));
		if (in->err)
			return EINVAL;
		if (first_err || done != i)
			continue;
		char next[PATH_MAX];
		if (strcmp(name, "..") == 0) {
			snprintf(next, sizeof(next), "%s", path);
			path_up(next);
		} else if (strcmp(name, ".") == 0) {
			snprintf(next, sizeof(next), "%s", path);
		} else if (strchr(name, '/') != NULL || name[0] == '\0') {
			first_err = EINVAL;
			continue;
		} else if ((first_err = path_join(path, name, next))) {
			continue;
		}
		struct stat st;
		int e = share_stat(s, next, &st);
		if (e) {
			first_err = e;
			continue;
		}
		qids[done++] = qid_of(s, &st);
		snprintf(path, sizeof(path), "%s", next);
	}
	if (n > 0 && done == 0)
		return first_err ? first_err : ENOENT;
	if (done == n) {
		if (newfid == fid) {
			char *p = strdup(path);
			if (p == NULL)
				return ENOMEM;
			free(f->path);
			f->path = p;
		} else {
			struct p9_fid *nf;
			int e = fid_new(s, newfid, path, &nf);
			if (e)
				return e;
		}
	}
	p9_put16(o, done);
	for (uint16_t i = 0; i < done; i++)
		p9_put_qid(o, &qids[i]);
	return 0;
}

static int h_getattr(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	(void)p9_get64(in); /* request mask: we always answer the basic set */
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	struct stat st;
	int e;
	if (f->fd >= 0)
		e = fstat(f->fd, &st) < 0 ? errno : 0;
	else
		e = share_stat(s, f->path, &st);
	if (e)
		return e;
	struct p9_qid q = qid_of(s, &st);
	p9_put64(o, P9_GETATTR_BASIC);
	p9_put_qid(o, &q);
	p9_put32(o, st.st_mode);
	p9_put32(o, st.st_uid);
	p9_put32(o, st.st_gid);
	p9_put64(o, st.st_nlink);
	p9_put64(o, st.st_rdev);
	p9_put64(o, (uint64_t)st.st_size);
	p9_put64(o, (uint64_t)st.st_blksize);
	p9_put64(o, (uint64_t)st.st_blocks);
	p9_put64(o, (uint64_t)st.st_atim.tv_sec);
	p9_put64(o, (uint64_t)st.st_atim.tv_nsec);
	p9_put64(o, (uint64_t)st.st_mtim.tv_sec);
	p9_put64(o, (uint64_t)st.st_mtim.tv_nsec);
	p9_put64(o, (uint64_t)st.st_ctim.tv_sec);
	p9_put64(o, (uint64_t)st.st_ctim.tv_nsec);
	for (int i = 0; i < 4; i++)
		p9_put64(o, 0); /* btime sec/nsec, gen, data_version */
	return 0;
}

static bool wants_write(uint32_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

static int h_lopen(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in), flags = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	if (f->fd >= 0)
		return EBUSY;
	if (s->read_only && wants_write(flags))
		return EROFS;
	/* O_NOFOLLOW: a fid that names a symlink is the link itself; the client
	 * resolves links by Treadlink, and we never follow one to the host. */
	int fd = share_open(s, f->path, (flags & P9_OPEN_ALLOWED) | O_NOFOLLOW, 0);
	if (fd < 0)
		return -fd;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return e;
	}
	f->fd = fd;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	p9_put32(o, 0); /* iounit: let the client use msize */
	return 0;
}

static int h_lcreate(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	char name[NAME_MAX + 1];
	p9_get_str(in, name, sizeof(name));
	uint32_t flags = p9_get32(in), mode = p9_get32(in);
	(void)p9_get32(in); /* gid */
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	if (f->fd >= 0)
		return EBUSY;
	char path[PATH_MAX];
	int e = path_join(f->path, name, path);
	if (e)
		return e;
	int fd = share_open(s, path, (flags & P9_OPEN_ALLOWED) | O_CREAT | O_NOFOLLOW, mode & 07777);
	if (fd < 0)
		return -fd;
	struct stat st;
	char *p = strdup(path);
	if (p == NULL || fstat(fd, &st) < 0) {
		e = p ? errno : ENOMEM;
		free(p);
		close(fd);
		return e;
	}
	free(f->path);
	f->path = p;
	f->fd = fd;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	p9_put32(o, 0);
	return 0;
}

static int h_read(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	uint64_t off = p9_get64(in);
	uint32_t count = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL || f->fd < 0)
		return EBADF;
	size_t room = o->cap - o->pos - 4;
	if (count > room)
		count = (uint32_t)room;
	uint8_t *count_at = p9_put_reserve(o, 4);
	ssize_t n = pread(f->fd, o->p + o->pos, count, (off_t)off);
	if (n < 0)
		return errno;
	o->pos += (size_t)n;
	struct p9_out c = { .p = count_at, .cap = 4 };
	p9_put32(&c, (uint32_t)n);
	return 0;
}

static int h_write(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	uint64_t off = p9_get64(in);
	uint32_t count = p9_get32(in);
	if (in->err || count > in->len - in->pos)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL || f->fd < 0)
		return EBADF;
	if (s->read_only)
		return EROFS;
	ssize_t n = pwrite(f->fd, in->p + in->pos, count, (off_t)off);
	if (n < 0)
		return errno;
	p9_put32(o, (uint32_t)n);
	return 0;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int h_readdir(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	uint64_t off = p9_get64(in);
	uint32_t count = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL || f->fd < 0)
		return EBADF;
	size_t room = o->cap - o->pos - 4;
	if (count > room)
		count = (uint32_t)room;
	if (lseek(f->fd, (off_t)off, SEEK_SET) < 0)
		return errno;
	/* An entry's device is taken as the directory's: a mount point's
	 * entry names the covered inode, as getdents(2) does on the host. */
	struct stat dst;
	if (fstat(f->fd, &dst) < 0)
		return errno;
	uint8_t *count_at = p9_put_reserve(o, 4);
	size_t start = o->pos;
	char buf[8192];
	for (;;) {
		long n = syscall(SYS_getdents64, f->fd, buf, sizeof(buf));
		if (n < 0)
			return errno;
		if (n == 0)
			break;
		bool full = false;
		for (long pos = 0; pos < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + pos);
			pos += d->d_reclen;
			size_t need = 13 + 8 + 1 + 2 + strlen(d->d_name);
			if (o->pos - start + need > count) {
				full = true;
				break;
			}
			struct p9_qid q = { .type = d->d_type == DT_DIR ? P9_QTDIR
						     : d->d_type == DT_LNK ? P9_QTSYMLINK : P9_QTFILE,
					    .path = qid_path(s, dst.st_dev, d->d_ino) };
			p9_put_qid(o, &q);
			p9_put64(o, (uint64_t)d->d_off);
			p9_put8(o, d->d_type);
			p9_put_str(o, d->d_name);
		}
		if (full)
			break;
	}
	struct p9_out c = { .p = count_at, .cap = 4 };
	p9_put32(&c, (uint32_t)(o->pos - start));
	return 0;
}

static int h_clunk(struct p9_server *s, struct p9_in *in, struct p9_out *o, bool remove)
{
	(void)o;
	uint32_t fid = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	int e = 0;
	if (remove) {
		if (s->read_only) {
			e = EROFS;
		} else if (f->path[0] == '\0') {
			e = EBUSY; /* the share root itself */
		} else {
			char parent[PATH_MAX];
			snprintf(parent, sizeof(parent), "%s", f->path);
			path_up(parent);
			const char *name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
			int dfd = share_open(s, parent, O_PATH | O_DIRECTORY, 0);
			if (dfd < 0) {
				e = -dfd;
			} else {
				struct stat st;
				int flag = (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
						   ? AT_REMOVEDIR : 0;
				if (unlinkat(dfd, name, flag) < 0)
					e = errno;
				close(dfd);
			}
		}
	}
	fid_release(f); /* Tremove clunks the fid even when removal fails */
	return e;
}

static int h_mkdir(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t dfid = p9_get32(in);
	char name[NAME_MAX + 1];
	p9_get_str(in, name, sizeof(name));
	uint32_t mode = p9_get32(in);
	(void)p9_get32(in); /* gid */
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *d = fid_get(s, dfid);
	if (d == NULL)
		return EBADF;
	int dfd = parent_open(s, d);
	if (dfd < 0)
		return -dfd;
	struct stat st;
	int e = 0;
	if (mkdirat(dfd, name, mode & 07777) < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		e = errno;
	close(dfd);
	if (e)
		return e;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	return 0;
}

static int h_symlink(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t dfid = p9_get32(in);
	char name[NAME_MAX + 1], target[PATH_MAX];
	p9_get_str(in, name, sizeof(name));
	p9_get_str(in, target, sizeof(target));
	(void)p9_get32(in);
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *d = fid_get(s, dfid);
	if (d == NULL)
		return EBADF;
	int dfd = parent_open(s, d);
	if (dfd < 0)
		return -dfd;
	struct stat st;
	int e = 0;
	if (symlinkat(target, dfd, name) < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		e = errno;
	close(dfd);
	if (e)
		return e;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	return 0;
}

static int h_mknod(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t dfid = p9_get32(in);
	char name[NAME_MAX + 1];
	p9_get_str(in, name, sizeof(name));
	uint32_t mode = p9_get32(in);
	(void)p9_get32(in); /* major */
	(void)p9_get32(in); /* minor */
	(void)p9_get32(in); /* gid */
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	/* Security: a guest must not create device nodes in a host directory;
	 * only FIFOs, sockets and regular files. */
	if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISREG(mode))
		return EPERM;
	struct p9_fid *d = fid_get(s, dfid);
	if (d == NULL)
		return EBADF;
	int dfd = parent_open(s, d);
	if (dfd < 0)
		return -dfd;
	struct stat st;
	int e = 0;
	if (mknodat(dfd, name, mode & (S_IFMT | 07777), 0) < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		e = errno;
	close(dfd);
	if (e)
		return e;
	struct p9_qid q = qid_of(s, &st);
	p9_put_qid(o, &q);
	return 0;
}

static int h_unlinkat(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	(void)o;
	uint32_t dfid = p9_get32(in);
	char name[NAME_MAX + 1];
	p9_get_str(in, name, sizeof(name));
	uint32_t flags = p9_get32(in);
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *d = fid_get(s, dfid);
	if (d == NULL)
		return EBADF;
	int dfd = parent_open(s, d);
	if (dfd < 0)
		return -dfd;
	int e = unlinkat(dfd, name, flags & AT_REMOVEDIR) < 0 ? errno : 0;
	close(dfd);
	return e;
}

static int h_renameat(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	(void)o;
	uint32_t ofid = p9_get32(in);
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	p9_get_str(in, oname, sizeof(oname));
	uint32_t nfid = p9_get32(in);
	p9_get_str(in, nname, sizeof(nname));
	if (in->err || !valid_name(oname) || !valid_name(nname))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *od = fid_get(s, ofid), *nd = fid_get(s, nfid);
	if (od == NULL || nd == NULL)
		return EBADF;
	int ofd = parent_open(s, od);
	if (ofd < 0)
		return -ofd;
	int nfd = parent_open(s, nd);
	if (nfd < 0) {
		close(ofd);
		return -nfd;
	}
	int e = renameat(ofd, oname, nfd, nname) < 0 ? errno : 0;
	close(ofd);
	close(nfd);
	return e;
}

static int h_link(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	(void)o;
	uint32_t dfid = p9_get32(in), fid = p9_get32(in);
	char name[NAME_MAX + 1];
	p9_get_str(in, name, sizeof(name));
	if (in->err || !valid_name(name))
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *d = fid_get(s, dfid), *f = fid_get(s, fid);
	if (d == NULL || f == NULL)
		return EBADF;
	int sfd = share_open(s, f->path, O_PATH | O_NOFOLLOW, 0);
	if (sfd < 0)
		return -sfd;
	int dfd = parent_open(s, d);
	if (dfd < 0) {
		close(sfd);
		return -dfd;
	}
	int e = linkat(sfd, "", dfd, name, AT_EMPTY_PATH) < 0 ? errno : 0;
	close(sfd);
	close(dfd);
	return e;
}

static int h_readlink(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	int fd = share_open(s, f->path, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return -fd;
	char target[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return e;
	target[n] = '\0';
	p9_put_str(o, target);
	return 0;
}

static int h_setattr(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	(void)o;
	uint32_t fid = p9_get32(in), valid = p9_get32(in), mode = p9_get32(in), uid = p9_get32(in), gid = p9_get32(in);
	uint64_t size = p9_get64(in);
	struct timespec ts[2];
	ts[0].tv_sec = (time_t)p9_get64(in);
	ts[0].tv_nsec = (long)p9_get64(in);
	ts[1].tv_sec = (time_t)p9_get64(in);
	ts[1].tv_nsec = (long)p9_get64(in);
	if (in->err)
		return EINVAL;
	if (s->read_only)
		return EROFS;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL)
		return EBADF;
	int fd = share_open(s, f->path, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return -fd;
	struct stat st;
	int e = fstatat(fd, "", &st, AT_EMPTY_PATH) < 0 ? errno : 0;
	/* chmod/utimes go through /proc/self/fd of an O_PATH fd; for anything
	 * but a symlink that names exactly this inode.  Symlinks have no mode
	 * and their times are left alone. */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (!e && (valid & P9_SETATTR_MODE) && !S_ISLNK(st.st_mode) && chmod(proc, mode & 07777) < 0)
		e = errno;
	if (!e && (valid & (P9_SETATTR_UID | P9_SETATTR_GID)) &&
	    fchownat(fd, "", (valid & P9_SETATTR_UID) ? uid : (uid_t)-1, (valid & P9_SETATTR_GID) ? gid : (gid_t)-1,
		     AT_EMPTY_PATH) < 0)
		e = errno;
	if (!e && (valid & P9_SETATTR_SIZE)) {
		if (!S_ISREG(st.st_mode)) {
			e = EINVAL;
		} else {
			int wfd = share_open(s, f->path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
			if (wfd < 0)
				e = -wfd;
			else if (ftruncate(wfd, (off_t)size) < 0)
				e = errno;
			if (wfd >= 0)
				close(wfd);
		}
	}
	if (!e && (valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)) && !S_ISLNK(st.st_mode)) {
		if (!(valid & P9_SETATTR_ATIME))
			ts[0].tv_nsec = UTIME_OMIT;
		else if (!(valid & P9_SETATTR_ATIME_SET))
			ts[0].tv_nsec = UTIME_NOW;
		if (!(valid & P9_SETATTR_MTIME))
			ts[1].tv_nsec = UTIME_OMIT;
		else if (!(valid & P9_SETATTR_MTIME_SET))
			ts[1].tv_nsec = UTIME_NOW;
		if (utimensat(AT_FDCWD, proc, ts, 0) < 0)
			e = errno;
	}
	close(fd);
	return e;
}

static int h_statfs(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	uint32_t fid = p9_get32(in);
	if (in->err)
		return EINVAL;
	if (fid_get(s, fid) == NULL)
		return EBADF;
	struct statfs sf;
	if (fstatfs(s->root_fd, &sf) < 0)
		return errno;
	p9_put32(o, (uint32_t)sf.f_type);
	p9_put32(o, (uint32_t)sf.f_bsize);
	p9_put64(o, sf.f_blocks);
	p9_put64(o, sf.f_bfree);
	p9_put64(o, sf.f_bavail);
	p9_put64(o, sf.f_files);
	p9_put64(o, sf.f_ffree);
	uint64_t fsid;
	memcpy(&fsid, &sf.f_fsid, sizeof(fsid));
	p9_put64(o, fsid);
	p9_put32(o, (uint32_t)sf.f_namelen);
	return 0;
}

static int h_fsync(struct p9_server *s, struct p9_in *in, struct p9_out *o)
{
	(void)o;
	uint32_t fid = p9_get32(in), datasync = p9_get32(in);
	if (in->err)
		return EINVAL;
	struct p9_fid *f = fid_get(s, fid);
	if (f == NULL || f->fd < 0)
		return EBADF;
	return (datasync ? fdatasync(f->fd) : fsync(f->fd)) < 0 ? errno : 0;
}

static int h_lock(struct p9_server *s, struct p9_in *in, struct p9_out *o, bool get)
{
	uint32_t fid = p9_get32(in);
	uint8_t type = p9_get8(in);
	if (!get)
		(void)p9_get32(in); /* flags */
	uint64_t start = p9_get64(in), length = p9_get64(in);
	uint32_t proc_id = p9_get32(in);
	char client[256];
	p9_get_str(in, client, sizeof(client));
	if (in->err)
		return EINVAL;
	if (fid_get(s, fid) == NULL)
		return EBADF;
	/* POSIX locks are kept inside the guest only (one client per share). */
	(void)type;
	if (!get) {
		p9_put8(o, 0); /* P9_LOCK_SUCCESS */
		return 0;
	}
	p9_put8(o, 2); /* F_UNLCK: nothing conflicts */
	p9_put64(o, start);
	p9_put64(o, length);
	p9_put32(o, proc_id);
	p9_put_str(o, client);
	return 0;
}

size_t p9_server_handle(struct p9_server *s, const uint8_t *req, size_t req_len, uint8_t *resp, size_t resp_cap)
{
	if (resp_cap < P9_HEADER_SIZE + 4)
		return 0; /* cannot even hold an Rlerror */
	struct p9_in in = { .p = req, .len = req_len };
	uint32_t size = p9_get32(&in);
	uint8_t type = p9_get8(&in);
	uint16_t tag = p9_get16(&in);
	if (resp_cap > s->msize)
		resp_cap = s->msize;
	struct p9_out o = { .p = resp, .cap = resp_cap, .pos = P9_HEADER_SIZE };
	int e;
	if (in.err) {
		tag = 0xffff;
		e = EPROTO;
	} else if (size < P9_HEADER_SIZE || size > req_len) {
		e = EPROTO;
	} else {
		in.len = size; /* never read past the declared message */
		switch (type) {
		case P9_TVERSION: e = h_version(s, &in, &o); break;
		case P9_TATTACH: e = h_attach(s, &in, &o); break;
		case P9_TAUTH: e = EOPNOTSUPP; break;
		case P9_TFLUSH: e = 0; break; /* requests complete synchronously */
		case P9_TWALK: e = h_walk(s, &in, &o); break;
		case P9_TGETATTR: e = h_getattr(s, &in, &o); break;
		case P9_TSETATTR: e = h_setattr(s, &in, &o); break;
		case P9_TLOPEN: e = h_lopen(s, &in, &o); break;
		case P9_TLCREATE: e = h_lcreate(s, &in, &o); break;
		case P9_TREAD: e = h_read(s, &in, &o); break;
		case P9_TWRITE: e = h_write(s, &in, &o); break;
		case P9_TREADDIR: e = h_readdir(s, &in, &o); break;
		case P9_TCLUNK: e = h_clunk(s, &in, &o, false); break;
		case P9_TREMOVE: e = h_clunk(s, &in, &o, true); break;
		case P9_TMKDIR: e = h_mkdir(s, &in, &o); break;
		case P9_TSYMLINK: e = h_symlink(s, &in, &o); break;
		case P9_TMKNOD: e = h_mknod(s, &in, &o); break;
		case P9_TUNLINKAT: e = h_unlinkat(s, &in, &o); break;
		case P9_TRENAMEAT: e = h_renameat(s, &in, &o); break;
		case P9_TLINK: e = h_link(s, &in, &o); break;
		case P9_TREADLINK: e = h_readlink(s, &in, &o); break;
		case P9_TSTATFS: e = h_statfs(s, &in, &o); break;
		case P9_TFSYNC: e = h_fsync(s, &in, &o); break;
		case P9_TLOCK: e = h_lock(s, &in, &o, false); break;
		case P9_TGETLOCK: e = h_lock(s, &in, &o, true); break;
		case P9_TXATTRWALK:
		case P9_TXATTRCREATE: e = EOPNOTSUPP; break;
		default: e = EOPNOTSUPP; break;
		}
	}
	if (e == 0 && o.err)
		e = ENOBUFS;
	if (e != 0) {
		o = (struct p9_out){ .p = resp, .cap = resp_cap, .pos = P9_HEADER_SIZE };
		p9_put32(&o, (uint32_t)e);
		type = P9_RLERROR - 1;
	}
	struct p9_out h = { .p = resp, .cap = P9_HEADER_SIZE };
	p9_put32(&h, (uint32_t)o.pos);
	p9_put8(&h, (uint8_t)(type + 1));
	p9_put16(&h, tag);
	return o.pos;
}
