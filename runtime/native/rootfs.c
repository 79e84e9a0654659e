/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs.c - the order of the rootfs steps: propagation, the rootfs bind,
 * the config mounts, /dev, then pivot_root and the post-pivot protections.
 * See rootfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "devices.h"
#include "masked_paths.h"
#include "mounts.h"
#include "rootfs.h"
#include "safe_path.h"
#include "sysctl.h"

/* linux.rootfsPropagation as MS_* bits; 0 when absent.  -1 if unknown. */
static long root_propagation(const struct oci_config *c, strata_error_t *err)
{
	const char *name = c->linux_ ? c->linux_->rootfs_propagation : NULL;
	if (name == NULL || *name == '\0')
		return 0;
	unsigned long p = mount_propagation_parse(name);
	if (p == 0)
		return strata_error_set(err, EINVAL, "linux.rootfsPropagation: unknown value `%s`", name);
	return (long)p;
}

static bool has_namespace(const struct oci_config *c, enum oci_namespace_type t)
{
	if (c->linux_ == NULL)
		return false;
	for (size_t i = 0; i < c->linux_->namespaces_len; i++)
		if (c->linux_->namespaces[i].type == t)
			return true;
	return false;
}

/*
 * The mount that holds `path` (longest mount point that is a prefix of it)
 * becomes private if it is shared: pivot_root(2) refuses a new root whose
 * parent mount is shared, and the rootfs bind must not propagate anywhere.
 */
static int parent_mount_private(const char *path, strata_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return strata_error_errno(err, errno, "open /proc/self/mountinfo");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, best_len = 0;
	char best[4096] = "";
	bool best_shared = false;
	while (getline(&line, &cap, f) > 0) {
		char mnt[4096];
		if (sscanf(line, "%*d %*d %*s %*s %4095s", mnt) != 1)
			continue;
		size_t l = strlen(mnt);
		bool prefix = strcmp(mnt, "/") == 0 ||
			      (strncmp(path, mnt, l) == 0 && (path[l] == '/' || path[l] == '\0'));
		if (!prefix || l < best_len)
			continue;
		/* optional fields sit between the mount options and " - " */
		char *sep = strstr(line, " - ");
		bool shared = false;
		if (sep != NULL) {
			*sep = '\0';
			shared = strstr(line, " shared:") != NULL;
		}
		best_len = l;
		snprintf(best, sizeof(best), "%s", mnt);
		best_shared = shared;
	}
	if (best_shared && mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0)
		return strata_error_errno(err, errno, "make `%s` private", best);
	return 0;
}

/*
 * The bundle directory, for relative bind sources: `rootfs` is
 * "<bundle>/<root.path>" when root.path is relative (that is how the runtime
 * builds it).  NULL when that cannot be told (absolute root.path): relative
 * sources are then taken from the current directory.  Heap.
 */
static char *bundle_of(const struct oci_config *c, const char *rootfs)
{
	const char *rel = c->root ? c->root->path : NULL;
	if (rel == NULL || rel[0] == '/')
		return NULL;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	size_t rl = strlen(rel), fl = strlen(rootfs);
	while (rl > 0 && rel[rl - 1] == '/')
		rl--;
	while (fl > 1 && rootfs[fl - 1] == '/')
		fl--;
	if (rl == 0 || fl <= rl + 1 || strncmp(rootfs + fl - rl, rel, rl) != 0 || rootfs[fl - rl - 1] != '/')
		return NULL;
	return strndup(rootfs, fl - rl - 1);
}

/*
 * Security: true when this process visibly shares its mount namespace with
 * the host (pid 1 of the procfs at /proc, still the host's here) or with
 * its parent (the runtime, when there is no new pid namespace): every mount
 * would then land on the host.  Namespaces that cannot be read (pid 1 may
 * be off limits) are not compared; the runtime makes the namespace anyway.
 */
static bool in_outer_mount_namespace(void)
{
	struct stat self, other;
	if (stat("/proc/self/ns/mnt", &self) < 0)
		return false;
	char path[64];
	pid_t ppid = getppid();
	const pid_t pids[2] = { 1, ppid };
	for (size_t i = 0; i < 2; i++) {
		if (pids[i] <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pids[i]);
		if (stat(path, &other) == 0 && other.st_ino == self.st_ino && other.st_dev == self.st_dev)
			return true;
	}
	return false;
}

/* At most this many host mounts are hidden by --no-pivot. */
#define ROOTFS_MAX_HOST_MOUNTS 4096

static int by_length_desc(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/*
 * --no-pivot leaves the host's mounts under the moved rootfs.  Detach every
 * mount that is neither the rootfs, inside it, nor one of its ancestors
 * (deepest first), so a process that gets out of the chroot finds less of
 * the host; a mount the kernel keeps locked (user namespace) gets an empty
 * read-only tmpfs over it instead.  Each is made a slave first: its
 * detaching must not propagate to the host.
 */
static int hide_host_mounts(const char *rootfs, strata_error_t *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return strata_error_errno(err, errno, "open /proc/self/mountinfo");
	char **mps = calloc(ROOTFS_MAX_HOST_MOUNTS, sizeof(char *));
	if (mps == NULL)
		return strata_error_errno(err, ENOMEM, "mount list");
	size_t n = 0, rl = strlen(rootfs);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int ret = 0;
	while (n < ROOTFS_MAX_HOST_MOUNTS && getline(&line, &cap, f) > 0) {
		char mnt[4096];
		if (sscanf(line, "%*d %*d %*s %*s %4095s", mnt) != 1)
			continue;
		size_t ml = strlen(mnt);
		bool inside = strncmp(mnt, rootfs, rl) == 0 && (mnt[rl] == '/' || mnt[rl] == '\0');
		bool ancestor = strcmp(mnt, "/") == 0 || (strncmp(rootfs, mnt, ml) == 0 && rootfs[ml] == '/');
		if (inside || ancestor)
			continue;
		if ((mps[n] = strdup(mnt)) == NULL) {
			ret = strata_error_errno(err, ENOMEM, "mount list");
			goto out;
		}
		n++;
	}
	qsort(mps, n, sizeof(char *), by_length_desc);
	for (size_t i = 0; i < n; i++) {
		(void)mount(NULL, mps[i], NULL, MS_SLAVE | MS_REC, NULL); /* gone already: fine */
		if (umount2(mps[i], MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT)
			continue;
		if (errno != EPERM) {
			ret = strata_error_errno(err, errno, "detach host mount `%s`", mps[i]);
			goto out;
		}
		struct mount_options ro = { .flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC };
		_cleanup_close_ int tree = mount_fs_detached("tmpfs", "tmpfs", NULL, &ro, err);
		if (tree < 0 || move_mount(tree, "", AT_FDCWD, mps[i], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			if (tree >= 0)
				strata_error_errno(err, errno, "cover host mount `%s`", mps[i]);
			ret = -1;
			goto out;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(mps[i]);
	free(mps);
	return ret;
}

int rootfs_mount_all(const struct oci_config *c, const char *rootfs_arg, strata_error_t *err)
{
	if (rootfs_arg == NULL || rootfs_arg[0] != '/')
		return strata_error_set(err, EINVAL, "rootfs `%s` is not an absolute path", rootfs_arg ? rootfs_arg : "");
	/* a host path, canonical so that it matches /proc/self/mountinfo */
	_cleanup_free_ char *rootfs = realpath(rootfs_arg, NULL);
	if (rootfs == NULL)
		return strata_error_errno(err, errno, "rootfs `%s`", rootfs_arg);
	long prop = root_propagation(c, err);
	if (prop < 0)
		return -1;
	if (!has_namespace(c, OCI_NS_MOUNT))
		return strata_error_set(err, EINVAL, "the rootfs needs a mount namespace of its own");
	if (in_outer_mount_namespace())
		return strata_error_set(err, EPERM, "refusing to set up the rootfs in the host's mount namespace");

	/* Security: first cut propagation towards the host (slave by default),
	 * so nothing mounted below can appear in the host's namespace. */
	unsigned long first = prop ? (unsigned long)prop : MS_SLAVE | MS_REC;
	if (first & MS_UNBINDABLE)
		first = MS_SLAVE | MS_REC; /* an unbindable / could not be bound; applied after the pivot */
	if (mount(NULL, "/", NULL, first, NULL) < 0)
		return strata_error_errno(err, errno, "set propagation of /");
	if (parent_mount_private(rootfs, err) < 0)
		return -1;

	/* pivot_root needs the new root to be a mount point: bind it onto itself. */
	{
		_cleanup_close_ int tree = open_tree(AT_FDCWD, rootfs, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return strata_error_errno(err, errno, "bind rootfs `%s`", rootfs);
		if (move_mount(tree, "", AT_FDCWD, rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return strata_error_errno(err, errno, "bind rootfs `%s` onto itself", rootfs);
	}
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return strata_error_errno(err, errno, "open rootfs `%s`", rootfs);

	_cleanup_free_ char *bundle = bundle_of(c, rootfs_arg);
	struct mount_context ctx = {
		.rootfd = rootfd,
		.rootfs = rootfs,
		.bundle = bundle,
		.userns = mount_in_user_namespace(),
		.cgroupns = has_namespace(c, OCI_NS_CGROUP),
	};
	if (c->linux_ != NULL) {
		ctx.uid_mappings = c->linux_->uid_mappings;
		ctx.uid_mappings_len = c->linux_->uid_mappings_len;
		ctx.gid_mappings = c->linux_->gid_mappings;
		ctx.gid_mappings_len = c->linux_->gid_mappings_len;
	}
	/* mount points get exactly 0755 (directories) / 0644 (files) */
	mode_t old_umask = umask(022);
	int ret = 0;
	for (size_t i = 0; i < c->mounts_len && ret == 0; i++)
		ret = mount_entry(&ctx, &c->mounts[i], err);
	if (ret == 0)
		ret = devices_setup(&ctx, c, err);
	umask(old_umask);
	return ret;
}

int rootfs_pivot(const struct oci_config *c, const char *rootfs_arg, bool no_pivot, strata_error_t *err)
{
	long prop = root_propagation(c, err);
	if (prop < 0)
		return -1;
	_cleanup_free_ char *rootfs = realpath(rootfs_arg, NULL);
	if (rootfs == NULL)
		return strata_error_errno(err, errno, "rootfs `%s`", rootfs_arg);
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return strata_error_errno(err, errno, "open rootfs `%s`", rootfs);

	/* sysctls go in before readonlyPaths makes /proc/sys read-only (the
	 * order runc has).  The container's procfs is found inside the rootfs;
	 * if there is none, sysctl_apply() reports it after the pivot. */
	if (c->linux_ != NULL && c->linux_->sysctl.len > 0) {
		_cleanup_close_ int procsys =
			safe_openat2(rootfd, "proc/sys", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (procsys >= 0 && sysctl_write_at(c, procsys, err) < 0)
			return -1;
	}

	/* Done before the switch, while the host's /dev/null (the verified
	 * masking source) is still reachable; paths resolve inside rootfd. */
	if (masked_paths_apply(rootfd, c, err) < 0 || readonly_paths_apply(rootfd, c, err) < 0)
		return -1;

	_cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (newroot < 0)
		return strata_error_errno(err, errno, "open rootfs `%s`", rootfs);
	if (fchdir(newroot) < 0)
		return strata_error_errno(err, errno, "chdir to rootfs `%s`", rootfs);

	if (!no_pivot) {
		_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (oldroot < 0)
			return strata_error_errno(err, errno, "open old root");
		/* pivot_root(".", "."): the old root ends up mounted on top of
		 * the new one, from where it is detached below. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return strata_error_errno(err, errno, "pivot_root to `%s`", rootfs);
		if (fchdir(oldroot) < 0)
			return strata_error_errno(err, errno, "chdir to old root");
		/* Security: the old root may still share peer groups with the
		 * host; as a slave, detaching it cannot unmount anything there. */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return strata_error_errno(err, errno, "make old root a slave");
		if (umount2(".", MNT_DETACH) < 0)
			return strata_error_errno(err, errno, "detach old root");
	} else {
		if (hide_host_mounts(rootfs, err) < 0)
			return -1;
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return strata_error_errno(err, errno, "move rootfs `%s` to /", rootfs);
		if (chroot(".") < 0)
			return strata_error_errno(err, errno, "chroot to `%s`", rootfs);
	}
	if (chdir("/") < 0)
		return strata_error_errno(err, errno, "chdir /");

	/* The container's own root gets the configured propagation now that
	 * it is "/" (its peer group is new: nothing reaches the host). */
	if (prop && mount(NULL, "/", NULL, (unsigned long)prop, NULL) < 0)
		return strata_error_errno(err, errno, "set propagation of the container's /");

	if (c->root != NULL && c->root->readonly) {
		struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof(a)) < 0)
			return strata_error_errno(err, errno, "make / read-only");
	}
	return 0;
}
