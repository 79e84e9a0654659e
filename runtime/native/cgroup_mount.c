/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup_mount.c - the /sys/fs/cgroup tree of a container.  See cgroup_mount.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "cgroup_mount.h"
#include "safe_path.h"

/* At most this many cgroup hierarchies are considered (v1 has ~14 controllers). */
#define CGROUP_MAX_HIERARCHIES 32

struct hierarchy {
	char *mountpoint; /* host path, e.g. /sys/fs/cgroup/cpu,cpuacct */
	char *root;       /* root of that mount inside the hierarchy, usually "/" */
	char *controllers; /* "cpu,cpuacct", "name=systemd"; NULL for cgroup2 */
};

static void hierarchies_free(struct hierarchy *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].mountpoint);
		free(h[i].root);
		free(h[i].controllers);
	}
}

/* Super options that are not a controller or a name=. */
static bool is_controller(const char *opt)
{
	static const char *const not_controllers[] = {
		"rw", "ro", "xattr", "noprefix", "clone_children", "cpuset_v2_mode", "favordynmods",
		"nofavordynmods", "none", "all", "sane_behavior",
	};
	if (strncmp(opt, "release_agent=", 14) == 0)
		return false;
	for (size_t i = 0; i < sizeof(not_controllers) / sizeof(not_controllers[0]); i++)
		if (strcmp(opt, not_controllers[i]) == 0)
			return false;
	return true;
}

static char *controllers_of(const char *superopts)
{
	_cleanup_free_ char *copy = strdup(superopts);
	char *out = calloc(1, strlen(superopts) + 1);
	if (copy == NULL || out == NULL) {
		free(out);
		return NULL;
	}
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!is_controller(t))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, t);
	}
	return out;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/*
 * The host's cgroup hierarchies from /proc/self/mountinfo: v1 ones into
 * v1[], the cgroup2 one into *v2 (mountpoint NULL when none).  Mounts under
 * the rootfs (made for this container) are skipped; duplicate directory
 * names keep the first.
 */
static int read_hierarchies(const char *rootfs, struct hierarchy *v1, size_t *n1, struct hierarchy *v2,
			    strata_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return strata_error_errno(err, errno, "open /proc/self/mountinfo");
	size_t rl = strlen(rootfs);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	*n1 = 0;
	while (getline(&line, &cap, f) > 0) {
		char root[4096], mnt[4096], fstype[64], superopts[1024];
		char *sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		if (sscanf(line, "%*d %*d %*s %4095s %4095s", root, mnt) != 2)
			continue;
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
			continue;
		if (strncmp(mnt, rootfs, rl) == 0 && (mnt[rl] == '/' || mnt[rl] == '\0'))
			continue;
		if (strcmp(fstype, "cgroup2") == 0) {
			if (v2->mountpoint == NULL) {
				v2->mountpoint = strdup(mnt);
				v2->root = strdup(root);
				if (v2->mountpoint == NULL || v2->root == NULL)
					return strata_error_errno(err, ENOMEM, "cgroup mounts");
			}
			continue;
		}
		if (strcmp(fstype, "cgroup") != 0 || *n1 == CGROUP_MAX_HIERARCHIES)
			continue;
		bool dup = false;
		for (size_t i = 0; i < *n1; i++)
			if (strcmp(base_name(v1[i].mountpoint), base_name(mnt)) == 0)
				dup = true;
		if (dup)
			continue;
		struct hierarchy *h = &v1[*n1];
		h->mountpoint = strdup(mnt);
		h->root = strdup(root);
		h->controllers = controllers_of(superopts);
		(*n1)++;
		if (h->mountpoint == NULL || h->root == NULL || h->controllers == NULL)
			return strata_error_errno(err, ENOMEM, "cgroup mounts");
	}
	return 0;
}

/* Same controller set, in any order ("cpu,cpuacct" == "cpuacct,cpu"). */
static bool same_controllers(const char *a, const char *b)
{
	size_t na = 1, nb = 1;
	for (const char *p = a; *p; p++)
		na += *p == ',';
	for (const char *p = b; *p; p++)
		nb += *p == ',';
	if (na != nb)
		return false;
	_cleanup_free_ char *copy = strdup(a);
	if (copy == NULL)
		return false;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t tl = strlen(t);
		const char *p = b;
		bool found = false;
		while (*p) {
			const char *e = strchr(p, ',');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (l == tl && strncmp(p, t, l) == 0)
				found = true;
			p += l + (e ? 1 : 0);
		}
		if (!found)
			return false;
	}
	return true;
}

/* The process's cgroup path in the hierarchy with these controllers
 * (NULL: cgroup2, the "0::" line).  Heap; "/" when not found. */
static char *own_cgroup(const char *controllers)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (f != NULL && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *ctrl = c1 + 1;
		bool match = controllers == NULL ? (strcmp(line, "0") == 0 && *ctrl == '\0')
						 : (*ctrl != '\0' && same_controllers(ctrl, controllers));
		if (match)
			return strdup(c2 + 1);
	}
	return strdup("/");
}

/* A detached mount of hierarchy h (controllers NULL: cgroup2): a new
 * instance with a cgroup namespace, else a bind of our own cgroup dir. */
static int hierarchy_tree(const struct mount_context *ctx, const struct hierarchy *h, bool v2_try_mount,
			  strata_error_t *err)
{
	struct mount_options base = { .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };
	if (ctx->cgroupns || v2_try_mount) {
		_cleanup_free_ char *data = NULL;
		if (h->controllers != NULL) {
			data = strdup(h->controllers);
			if (data == NULL)
				return strata_error_errno(err, ENOMEM, "cgroup data");
		}
		int fd = mount_fs_detached(h->controllers ? "cgroup" : "cgroup2", "cgroup", data, &base, err);
		if (fd >= 0 || ctx->cgroupns || ((*err)->code != EPERM && (*err)->code != EBUSY))
			return fd;
		strata_error_free(err); /* v2 without cgroupns: fall back to the bind */
	}
	_cleanup_free_ char *path = own_cgroup(h->controllers);
	if (path == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup path");
	/* path is relative to the hierarchy; the host mount shows h->root of it */
	const char *rel = path;
	size_t rootlen = strlen(h->root);
	if (strcmp(h->root, "/") != 0 && strncmp(path, h->root, rootlen) == 0)
		rel = path + rootlen;
	_cleanup_free_ char *source = NULL;
	if (asprintf(&source, "%s%s", h->mountpoint, strcmp(rel, "/") == 0 ? "" : rel) < 0) {
		source = NULL;
		return strata_error_errno(err, ENOMEM, "cgroup path");
	}
	int fd = mount_bind_detached(AT_FDCWD, source, true, err);
	if (fd < 0)
		return -1;
	if (mount_set_attr(fd, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, source, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Mount hierarchy h at <dest>/<name> under the tmpfs whose root is `dir`. */
static int mount_hierarchy(const struct mount_context *ctx, int dir, const char *dest, const char *name,
			   const struct hierarchy *h, bool ro, strata_error_t *err)
{
	_cleanup_free_ char *sub = NULL;
	if (asprintf(&sub, "%s/%s", dest, name) < 0) {
		sub = NULL;
		return strata_error_errno(err, ENOMEM, "cgroup path");
	}
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return strata_error_errno(err, errno, "mkdir `%s`", sub);
	/* Security: the tmpfs was just made by us; still never follow a link. */
	_cleanup_close_ int target = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return strata_error_errno(err, errno, "open `%s`", sub);
	_cleanup_close_ int tree = hierarchy_tree(ctx, h, false, err);
	if (tree < 0)
		return strata_error_wrap(err, "cgroup `%s`", sub);
	if (ro && mount_set_attr(tree, true, MOUNT_ATTR_RDONLY, 0, sub, err) < 0)
		return -1;
	return mount_attach(ctx->rootfd, tree, target, sub, err);
}

int cgroup_mount_tree(const struct mount_context *ctx, const struct oci_mount *m, const struct mount_options *o,
		      strata_error_t *err)
{
	const char *dest = m->destination;
	bool ro = (o->flags & MS_RDONLY) || (o->rec_attr_set & MOUNT_ATTR_RDONLY);
	struct statfs sfs;
	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		return strata_error_errno(err, errno, "statfs /sys/fs/cgroup");

	/* Security: the destination is resolved inside the rootfs only. */
	_cleanup_close_ int target = safe_mkdir_all_in_root(ctx->rootfd, dest, 0755, SAFE_CREATE_DIR, 0755, err);
	if (target < 0)
		return -1;

	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		struct hierarchy h = { .mountpoint = (char *)"/sys/fs/cgroup", .root = (char *)"/" };
		_cleanup_close_ int tree = hierarchy_tree(ctx, &h, true, err);
		if (tree < 0)
			return -1;
		if (ro && mount_set_attr(tree, true, MOUNT_ATTR_RDONLY, 0, dest, err) < 0)
			return -1;
		if (mount_attach(ctx->rootfd, tree, target, dest, err) < 0)
			return -1;
		for (size_t i = 0; i < o->propagation_len; i++)
			if (mount_set_propagation(tree, o->propagation[i], dest, err) < 0)
				return -1;
		return 0;
	}

	struct hierarchy v1[CGROUP_MAX_HIERARCHIES];
	struct hierarchy v2 = { 0 };
	size_t n1 = 0;
	memset(v1, 0, sizeof(v1));
	int ret = -1;
	_cleanup_close_ int tmpfs = -1;
	if (read_hierarchies(ctx->rootfs, v1, &n1, &v2, err) < 0)
		goto out;

	struct mount_options tmpfs_opts = { .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };
	tmpfs = mount_fs_detached("tmpfs", "tmpfs", "mode=755", &tmpfs_opts, err);
	if (tmpfs < 0 || mount_attach(ctx->rootfd, tmpfs, target, dest, err) < 0)
		goto out;

	for (size_t i = 0; i < n1; i++) {
		const char *name = base_name(v1[i].mountpoint);
		if (mount_hierarchy(ctx, tmpfs, dest, name, &v1[i], ro, err) < 0)
			goto out;
		/* a combined hierarchy "cpu,cpuacct" also answers to "cpu" and "cpuacct" */
		if (strchr(name, ',') == NULL)
			continue;
		_cleanup_free_ char *copy = strdup(name);
		char *save = NULL;
		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
			if (symlinkat(name, tmpfs, t) < 0 && errno != EEXIST) {
				strata_error_errno(err, errno, "symlink `%s/%s`", dest, t);
				goto out;
			}
	}
	if (v2.mountpoint != NULL && mount_hierarchy(ctx, tmpfs, dest, "unified", &v2, ro, err) < 0)
		goto out;
	if (ro && mount_set_attr(tmpfs, false, MOUNT_ATTR_RDONLY, 0, dest, err) < 0)
		goto out;
	for (size_t i = 0; i < o->propagation_len; i++)
		if (mount_set_propagation(tmpfs, o->propagation[i], dest, err) < 0)
			goto out;
	ret = 0;
out:
	hierarchies_free(v1, n1);
	free(v2.mountpoint);
	free(v2.root);
	return ret;
}
