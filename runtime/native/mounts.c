/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mounts.c - one config mount onto the rootfs with the new mount API.
 * See mounts.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "cgroup_mount.h"
#include "idmap.h"
#include "mounts.h"
#include "safe_path.h"
#include "tmpcopyup.h"

/* Append the fs_context's own message (fsopen(2): read the fd) to *err. */
static int fs_error(strata_error_t *err, int fsfd, int code, const char *fmt, const char *a, const char *b)
{
	char msg[256];
	ssize_t n = fsfd >= 0 ? read(fsfd, msg, sizeof(msg) - 1) : -1;
	if (n > 2) {
		msg[n] = '\0';
		if (msg[n - 1] == '\n')
			msg[n - 1] = '\0';
		/* messages start with "e ", "w " or "i " */
		return strata_error_errno(err, code, "%s%s%s (%s)", fmt, a ? a : "", b ? b : "", msg + 2);
	}
	return strata_error_errno(err, code, "%s%s%s", fmt, a ? a : "", b ? b : "");
}

int mount_fs_detached(const char *type, const char *source, const char *data, const struct mount_options *o,
		      strata_error_t *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return strata_error_errno(err, errno, "fsopen `%s`", type);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source ? source : type, 0) < 0)
		return fs_error(err, fsfd, errno, "set source of `", type, "`");

	if (data != NULL && *data != '\0') {
		_cleanup_free_ char *copy = strdup(data);
		if (copy == NULL)
			return strata_error_errno(err, ENOMEM, "mount data");
		char *cursor = copy, *key, *value;
		while (mount_data_next(&cursor, &key, &value)) {
			int r = value ? fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0)
				      : fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
			if (r < 0)
				return fs_error(err, fsfd, errno, "mount option `", key, "`");
		}
	}
	if (o != NULL) {
		const char *names[8];
		size_t n = mount_options_sb_flags(o, names, 8);
		for (size_t i = 0; i < n; i++)
			if (fsconfig(fsfd, FSCONFIG_SET_FLAG, names[i], NULL, 0) < 0)
				return fs_error(err, fsfd, errno, "mount option `", names[i], "`");
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(err, fsfd, errno, "create `", type, "` filesystem");

	uint64_t set = 0, clr = 0;
	if (o != NULL)
		mount_options_attr(o, &set, &clr);
	int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)set);
	if (mfd < 0)
		return fs_error(err, fsfd, errno, "fsmount `", type, "`");
	return mfd;
}

int mount_bind_detached(int dirfd, const char *path, bool recursive, strata_error_t *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (recursive)
		flags |= AT_RECURSIVE;
	if (*path == '\0')
		flags |= AT_EMPTY_PATH;
	int fd = open_tree(dirfd, path, flags);
	if (fd < 0)
		return strata_error_errno(err, errno, "bind `%s`", *path ? path : "(fd)");
	return fd;
}

int mount_set_attr(int fd, bool recursive, uint64_t set, uint64_t clr, const char *what, strata_error_t *err)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr };
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
	if (mount_setattr(fd, "", flags, &a, sizeof(a)) < 0)
		return strata_error_errno(err, errno, "set attributes 0x%" PRIx64 "/0x%" PRIx64 " on `%s`", set, clr,
					  what);
	return 0;
}

int mount_set_propagation(int fd, unsigned long prop, const char *what, strata_error_t *err)
{
	struct mount_attr a = { .propagation = prop & ~(unsigned long)MS_REC };
	unsigned int flags = AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0);
	if (mount_setattr(fd, "", flags, &a, sizeof(a)) < 0)
		return strata_error_errno(err, errno, "set propagation of `%s`", what);
	return 0;
}

int mount_attach(int rootfd, int tree, int target, const char *dest, strata_error_t *err)
{
	/* Security: the target is the fd resolved inside the rootfs, not a
	 * name, so a symlink swapped in after the check cannot redirect it. */
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return strata_error_errno(err, errno, "attach mount on `%s`", dest);

	/* Verify: the destination, looked up again inside the root, is now
	 * the root of the new mount. */
	const char *rel = dest;
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		return 0;
	struct stat want, got;
	_cleanup_close_ int again = safe_openat2(rootfd, rel, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (again < 0)
		return strata_error_errno(err, errno, "look up `%s` after mounting", dest);
	if (fstat(tree, &want) < 0 || fstat(again, &got) < 0)
		return strata_error_errno(err, errno, "stat `%s` after mounting", dest);
	if (want.st_dev != got.st_dev || want.st_ino != got.st_ino)
		return strata_error_set(err, EXDEV, "mount on `%s` is not visible at its destination", dest);
	return 0;
}

bool mount_in_user_namespace(void)
{
	_cleanup_free_ char *map = NULL;
	strata_error_t e = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/uid_map", &map, NULL, &e) < 0) {
		strata_error_free(&e);
		return false;
	}
	unsigned long inside, outside, count;
	int consumed = 0;
	if (sscanf(map, " %lu %lu %lu %n", &inside, &outside, &count, &consumed) != 3)
		return true;
	bool identity = inside == 0 && outside == 0 && count == 4294967295UL && map[consumed] == '\0';
	return !identity;
}

/*
 * Files under /proc that a non-proc mount may cover (lxcfs-style overrides).
 * Security: anything else in procfs (sysrq-trigger, sys/kernel/core_pattern,
 * ...) must not be replaced by a container-controlled file (CVE-2019-19921).
 */
static const char *const proc_allowed[] = {
	"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
	"/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

static int check_proc_target(const struct mount_context *ctx, int target, const char *type, const char *dest,
			     strata_error_t *err)
{
	struct statfs sfs;
	if (fstatfs(target, &sfs) < 0)
		return strata_error_errno(err, errno, "statfs `%s`", dest);
	if (sfs.f_type != PROC_SUPER_MAGIC || (type && strcmp(type, "proc") == 0))
		return 0;
	char real[4096];
	if (safe_fd_path(target, real, sizeof(real)) < 0)
		return strata_error_errno(err, errno, "path of `%s`", dest);
	size_t rl = strlen(ctx->rootfs);
	const char *inside = real;
	if (strncmp(real, ctx->rootfs, rl) == 0 && (real[rl] == '/' || real[rl] == '\0'))
		inside = real + rl;
	for (size_t i = 0; i < sizeof(proc_allowed) / sizeof(proc_allowed[0]); i++)
		if (strcmp(inside, proc_allowed[i]) == 0)
			return 0;
	return strata_error_set(err, EPERM, "mount destination `%s` is inside procfs (`%s`): not allowed", dest,
				inside);
}

/* A remount of what is already mounted at the destination. */
static int remount_entry(const struct mount_context *ctx, const struct oci_mount *m, const struct mount_options *o,
			 strata_error_t *err)
{
	_cleanup_close_ int target = safe_open_in_root(ctx->rootfd, m->destination, O_PATH, err);
	if (target < 0)
		return -1;
	uint64_t set, clr;
	mount_options_attr(o, &set, &clr);
	if ((set | clr) && mount_set_attr(target, false, set, clr, m->destination, err) < 0)
		return -1;
	if (o->data == NULL)
		return 0;
	_cleanup_close_ int fsfd = fspick(target, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
	if (fsfd < 0)
		return strata_error_errno(err, errno, "fspick `%s`", m->destination);
	_cleanup_free_ char *copy = strdup(o->data);
	if (copy == NULL)
		return strata_error_errno(err, ENOMEM, "mount data");
	char *cursor = copy, *key, *value;
	while (mount_data_next(&cursor, &key, &value)) {
		int r = value ? fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0)
			      : fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
		if (r < 0)
			return fs_error(err, fsfd, errno, "remount option `", key, "`");
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
		return fs_error(err, fsfd, errno, "remount `", m->destination, "`");
	return 0;
}

/* Per-mount flags on a bind (ro, nosuid, ...): only the top mount, as
 * mount(2) MS_REMOUNT|MS_BIND does.  Flags the kernel locked on the host
 * mount (user namespace) cannot be cleared: then only set. */
static int bind_flags(int tree, const struct mount_options *o, const char *dest, strata_error_t *err)
{
	uint64_t set, clr;
	mount_options_attr(o, &set, &clr);
	if ((set | clr) == 0)
		return 0;
	struct mount_attr a = { .attr_set = set, .attr_clr = clr };
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) == 0)
		return 0;
	if (errno != EPERM || clr == 0)
		return strata_error_errno(err, errno, "set flags of bind mount on `%s`", dest);
	a.attr_clr = 0;
	a.attr_set = set & ~(uint64_t)MOUNT_ATTR__ATIME;
	if (a.attr_set == 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) == 0)
		return 0;
	return strata_error_errno(err, errno, "set flags of bind mount on `%s`", dest);
}

/* Give the detached bind `tree` the mount's id mappings (or the container's
 * when the mount has none).  Must happen before it is attached. */
static int idmap_bind(const struct mount_context *ctx, const struct oci_mount *m, const struct mount_options *o,
		      int tree, strata_error_t *err)
{
	const struct oci_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
	size_t nu = m->uid_mappings_len, ng = m->gid_mappings_len;
	if (nu == 0 && ng == 0) {
		u = ctx->uid_mappings;
		nu = ctx->uid_mappings_len;
		g = ctx->gid_mappings;
		ng = ctx->gid_mappings_len;
	}
	_cleanup_close_ int userns = idmap_userns_open(u, nu, g, ng, err);
	if (userns < 0)
		return strata_error_wrap(err, "mount on `%s`", m->destination);
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	unsigned int flags = AT_EMPTY_PATH | (o->idmap_recursive ? AT_RECURSIVE : 0);
	if (mount_setattr(tree, "", flags, &a, sizeof(a)) < 0)
		return strata_error_errno(err, errno, "idmap the bind mount on `%s`", m->destination);
	return 0;
}

/* A detached bind of the (host) source of m, with idmap and flags applied.
 * *kind says whether the mount point must be a file or a directory. */
static int bind_tree(const struct mount_context *ctx, const struct oci_mount *m, const struct mount_options *o,
		     bool idmap, enum safe_create_kind *kind, strata_error_t *err)
{
	/* The source is a host path, resolved on the host: that is the point
	 * of a bind mount. */
	if (m->source == NULL)
		return strata_error_set(err, EINVAL, "bind mount on `%s` without a source", m->destination);
	/* runtime-spec: a relative source is relative to the bundle */
	_cleanup_free_ char *source = NULL;
	if (m->source[0] != '/' && ctx->bundle != NULL && asprintf(&source, "%s/%s", ctx->bundle, m->source) < 0) {
		source = NULL;
		return strata_error_errno(err, ENOMEM, "bind mount source");
	}
	const char *src = source ? source : m->source;
	struct stat st;
	if (stat(src, &st) < 0)
		return strata_error_errno(err, errno, "bind mount source `%s`", src);
	*kind = S_ISDIR(st.st_mode) ? SAFE_CREATE_DIR : SAFE_CREATE_FILE;
	_cleanup_close_ int tree = mount_bind_detached(AT_FDCWD, src, mount_options_is_recursive_bind(o), err);
	if (tree < 0)
		return -1;
	if (idmap && idmap_bind(ctx, m, o, tree, err) < 0)
		return -1;
	if (bind_flags(tree, o, m->destination, err) < 0)
		return -1;
	return steal_fd(&tree);
}

/* A detached new filesystem of m->type.  With tmpcopyup a read-only tmpfs
 * is created writable and o->rec_attr_set gets RDONLY for after the copy. */
static int fs_tree(const struct mount_context *ctx, const struct oci_mount *m, struct mount_options *o,
		   strata_error_t *err)
{
	const char *type = m->type;
	if (type == NULL)
		return strata_error_set(err, EINVAL, "mount on `%s` has no type", m->destination);
	bool ro_later = o->tmpcopyup && (o->flags & MS_RDONLY);
	if (ro_later)
		o->flags &= ~(unsigned long)MS_RDONLY;
	int tree = mount_fs_detached(type, m->source, o->data, o, err);
	if (ro_later) {
		o->flags |= MS_RDONLY;
		o->rec_attr_set |= MOUNT_ATTR_RDONLY;
	}
	if (tree >= 0 || !ctx->userns || (*err)->code != EPERM ||
	    (strcmp(type, "sysfs") != 0 && strcmp(type, "mqueue") != 0))
		return tree;
	/* In a user namespace that does not own the network or IPC namespace
	 * the kernel refuses a new sysfs/mqueue: bind the host's, as runc does. */
	const char *host = strcmp(type, "sysfs") == 0 ? "/sys" : "/dev/mqueue";
	strata_error_free(err);
	_cleanup_close_ int bind = mount_bind_detached(AT_FDCWD, host, true, err);
	if (bind < 0)
		return strata_error_wrap(err, "%s refused in this user namespace; the host's instead", type);
	uint64_t set, clr;
	mount_options_attr(o, &set, &clr);
	set &= ~(uint64_t)MOUNT_ATTR__ATIME;
	if (set && mount_set_attr(bind, true, set, 0, m->destination, err) < 0)
		return -1;
	return steal_fd(&bind);
}

int mount_entry(const struct mount_context *ctx, const struct oci_mount *m, strata_error_t *err)
{
	const char *dest = m->destination;
	if (dest == NULL || *dest == '\0')
		return strata_error_set(err, EINVAL, "mount without a destination");

	struct mount_options o;
	if (mount_options_parse(m->options, m->options_len, &o, err) < 0)
		return strata_error_wrap(err, "mount on `%s`", dest);
	int ret = -1;
	_cleanup_close_ int tree = -1;
	_cleanup_close_ int target = -1;
	const char *type = m->type;
	bool bind = (type != NULL && strcmp(type, "bind") == 0) || mount_options_is_bind(&o);
	bool idmap = o.idmap || m->uid_mappings_len > 0 || m->gid_mappings_len > 0;
	enum safe_create_kind kind = SAFE_CREATE_DIR;

	if (idmap && !bind) {
		strata_error_set(err, EINVAL, "mount on `%s`: idmapped mounts must be bind mounts", dest);
		goto out;
	}
	if (idmap && ctx->userns) {
		/* the kernel wants CAP_SYS_ADMIN over the source filesystem's
		 * user namespace (the host's): only a process outside could */
		strata_error_set(err, EOPNOTSUPP,
				 "mount on `%s`: idmapped mounts in a container with a user namespace are not supported",
				 dest);
		goto out;
	}
	if (o.tmpcopyup && (bind || type == NULL || strcmp(type, "tmpfs") != 0)) {
		strata_error_set(err, EINVAL, "mount on `%s`: tmpcopyup needs a tmpfs", dest);
		goto out;
	}
	if (!bind && type != NULL && strcmp(type, "cgroup") == 0) {
		ret = cgroup_mount_tree(ctx, m, &o, err);
		goto out;
	}
	if (o.flags & MS_REMOUNT) {
		ret = remount_entry(ctx, m, &o, err);
		goto out;
	}

	tree = bind ? bind_tree(ctx, m, &o, idmap, &kind, err) : fs_tree(ctx, m, &o, err);
	if (tree < 0)
		goto out;
	/* Security: the destination is resolved and created inside the rootfs
	 * only (RESOLVE_IN_ROOT), never through a symlink that leaves it. */
	target = safe_mkdir_all_in_root(ctx->rootfd, dest, 0755, kind, kind == SAFE_CREATE_FILE ? 0644 : 0755, err);
	if (target < 0)
		goto out;
	if (check_proc_target(ctx, target, bind ? NULL : type, dest, err) < 0)
		goto out;
	if (o.tmpcopyup && tmpcopyup_copy(target, tree, dest, err) < 0)
		goto out;
	if ((o.rec_attr_set | o.rec_attr_clr) &&
	    mount_set_attr(tree, true, o.rec_attr_set, o.rec_attr_clr, dest, err) < 0)
		goto out;
	if (mount_attach(ctx->rootfd, tree, target, dest, err) < 0)
		goto out;
	for (size_t i = 0; i < o.propagation_len; i++)
		if (mount_set_propagation(tree, o.propagation[i], dest, err) < 0)
			goto out;
	ret = 0;
out:
	if (ret < 0 && *err != NULL && strstr((*err)->msg, dest) == NULL)
		strata_error_wrap(err, "mount `%s` on `%s`", m->source ? m->source : (type ? type : "?"), dest);
	mount_options_free(&o);
	return ret;
}
