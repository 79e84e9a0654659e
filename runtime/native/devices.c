/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c - device nodes and /dev symlinks inside the rootfs.  See devices.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "devices.h"
#include "safe_path.h"

struct default_device {
	const char *path;
	unsigned int major, minor;
};

static const struct default_device default_devices[] = {
	{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* Same path component by component: "/dev/x", "dev/x", "/dev//x/" match. */
static bool same_path(const char *a, const char *b)
{
	for (;;) {
		while (*a == '/')
			a++;
		while (*b == '/')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
		if (la != lb || strncmp(a, b, la) != 0)
			return false;
		a += la;
		b += lb;
	}
}

static const char *skip_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return p;
}

bool devices_dev_is_bind_mounted(const struct oci_config *c)
{
	for (size_t i = 0; i < c->mounts_len; i++) {
		const struct oci_mount *m = &c->mounts[i];
		if (m->destination == NULL || !same_path(skip_slashes(m->destination), "dev"))
			continue;
		if (m->type != NULL && strcmp(m->type, "bind") == 0)
			return true;
		for (size_t j = 0; j < m->options_len; j++)
			if (strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0)
				return true;
	}
	return false;
}

/* A device to create: mode holds the S_IF* type and the permission bits. */
struct node {
	const char *path;
	mode_t mode;
	dev_t rdev;
	uid_t uid;
	gid_t gid;
};

static int node_from_config(const struct oci_device *d, struct node *n, strata_error_t *err)
{
	mode_t type;
	if (d->type == NULL || d->path == NULL)
		return strata_error_set(err, EINVAL, "linux.devices entry without type or path");
	if (strcmp(d->type, "c") == 0 || strcmp(d->type, "u") == 0)
		type = S_IFCHR;
	else if (strcmp(d->type, "b") == 0)
		type = S_IFBLK;
	else if (strcmp(d->type, "p") == 0)
		type = S_IFIFO;
	else
		return strata_error_set(err, EINVAL, "device `%s`: unknown type `%s`", d->path, d->type);
	if (type != S_IFIFO && (d->major < 0 || d->minor < 0 || d->major > 0xfffff || d->minor > 0xfffff))
		return strata_error_set(err, EINVAL, "device `%s`: bad major/minor %lld:%lld", d->path,
					(long long)d->major, (long long)d->minor);
	n->path = d->path;
	n->mode = type | (d->has_file_mode ? (d->file_mode & 07777) : 0666);
	n->rdev = type == S_IFIFO ? 0 : makedev((unsigned int)d->major, (unsigned int)d->minor);
	n->uid = d->has_uid ? d->uid : 0;
	n->gid = d->has_gid ? d->gid : 0;
	return 0;
}

/* Bind the host node at the same path onto an empty file parent/name. */
static int bind_host_node(const struct mount_context *ctx, int parent, const char *name, const struct node *n,
			  strata_error_t *err)
{
	int cfd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (cfd < 0)
		return strata_error_errno(err, errno, "create mount point for device `%s`", n->path);
	close(cfd);
	_cleanup_close_ int target = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return strata_error_errno(err, errno, "open `%s`", n->path);
	_cleanup_close_ int tree = mount_bind_detached(AT_FDCWD, n->path, false, err);
	if (tree < 0)
		return strata_error_wrap(err, "device `%s` from the host", n->path);
	/* Security: only a node of the requested kind and number is bound. */
	struct stat st;
	if (fstat(tree, &st) < 0)
		return strata_error_errno(err, errno, "stat host `%s`", n->path);
	if ((st.st_mode & S_IFMT) != (n->mode & S_IFMT) || st.st_rdev != n->rdev)
		return strata_error_set(err, EINVAL, "host `%s` is not device %u:%u", n->path, major(n->rdev),
					minor(n->rdev));
	return mount_attach(ctx->rootfd, tree, target, n->path, err);
}

static int create_node(const struct mount_context *ctx, const struct node *n, strata_error_t *err)
{
	_cleanup_free_ char *name = NULL;
	/* Security: the parent is resolved (and created) inside the rootfs;
	 * the node itself is handled by name relative to it, never followed. */
	_cleanup_close_ int parent = safe_parent_in_root(ctx->rootfd, n->path, 0755, &name, err);
	if (parent < 0)
		return strata_error_wrap(err, "device `%s`", n->path);

	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/* already the right node (a rootfs shipping its own /dev): keep it */
		if (!ctx->userns && st.st_mode == n->mode && st.st_rdev == n->rdev)
			goto owner;
		if (S_ISDIR(st.st_mode))
			return strata_error_errno(err, EISDIR, "device `%s`", n->path);
		/* Security: a leftover entry, maybe a symlink to a host path
		 * (CVE-2025-31133 class), is removed, never written through. */
		if (unlinkat(parent, name, 0) < 0) {
			if (errno == EBUSY)
				return 0; /* a config mount sits there: it wins */
			return strata_error_errno(err, errno, "remove existing `%s`", n->path);
		}
	}
	if (ctx->userns && !S_ISFIFO(n->mode))
		return bind_host_node(ctx, parent, name, n, err);
	if (mknodat(parent, name, n->mode, n->rdev) < 0) {
		if (errno == EPERM && !S_ISFIFO(n->mode))
			return bind_host_node(ctx, parent, name, n, err);
		return strata_error_errno(err, errno, "mknod `%s`", n->path);
	}
owner:
	if (fchownat(parent, name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return strata_error_errno(err, errno, "chown `%s` to %u:%u", n->path, n->uid, n->gid);
	return 0;
}

static int dev_symlinks(const struct mount_context *ctx, strata_error_t *err)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	/* Security: /dev itself is resolved inside the rootfs. */
	_cleanup_close_ int dev = safe_mkdir_all_in_root(ctx->rootfd, "/dev", 0755, SAFE_CREATE_DIR, 0755, err);
	if (dev < 0)
		return -1;
	/* /dev/ptmx -> pts/ptmx: the pty multiplexer of the container's devpts */
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return strata_error_errno(err, errno, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return strata_error_errno(err, errno, "symlink /dev/ptmx");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0 && errno != EEXIST)
			return strata_error_errno(err, errno, "symlink /dev/%s", links[i][0]);
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
		return strata_error_errno(err, errno, "symlink /dev/core");
	return 0;
}

int devices_setup(const struct mount_context *ctx, const struct oci_config *c, strata_error_t *err)
{
	if (devices_dev_is_bind_mounted(c))
		return 0;
	const struct oci_linux *l = c->linux_;
	size_t ndev = l ? l->devices_len : 0;
	mode_t old_umask = umask(0); /* modes are exact, as configured */
	int ret = -1;

	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		const struct default_device *d = &default_devices[i];
		bool overridden = false;
		for (size_t j = 0; j < ndev; j++)
			if (l->devices[j].path && same_path(skip_slashes(l->devices[j].path), skip_slashes(d->path)))
				overridden = true;
		if (overridden)
			continue;
		struct node n = { d->path, S_IFCHR | 0666, makedev(d->major, d->minor), 0, 0 };
		if (create_node(ctx, &n, err) < 0)
			goto out;
	}
	for (size_t j = 0; j < ndev; j++) {
		struct node n;
		if (node_from_config(&l->devices[j], &n, err) < 0 || create_node(ctx, &n, err) < 0)
			goto out;
	}
	ret = dev_symlinks(ctx, err);
out:
	umask(old_umask);
	return ret;
}
