/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mounts.h - one runtime-spec `mounts` entry onto the rootfs, and the small
 * mount-API steps the other rootfs files share.
 *
 * Every mount is built detached first (fsopen/fsconfig/fsmount for a
 * filesystem, open_tree(OPEN_TREE_CLONE) for a bind), gets its flags with
 * mount_setattr(2) while still detached, and is attached with move_mount(2)
 * onto an O_PATH fd of the destination that safe_path.h resolved inside the
 * rootfs.  So a mount never appears with the wrong flags, and a destination
 * is never looked up again by name after it was checked.
 *
 * Source: runtime-spec v1.3.0 config.md#mounts; fsopen(2), fsconfig(2),
 * fsmount(2), open_tree(2), move_mount(2), mount_setattr(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_MOUNTS_H
#define STRATA_RUNTIME_NATIVE_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"
#include "mount_options.h"

/* What a mount entry needs to know about the container being set up. */
struct mount_context {
	int rootfd;          /* O_PATH fd of the rootfs, after its bind onto itself */
	const char *rootfs;  /* absolute host path of the rootfs, for messages and /proc checks */
	const char *bundle;  /* the bundle directory, for relative bind sources; NULL: the cwd */
	bool userns;         /* running in a user namespace other than the initial one */
	bool cgroupns;       /* the config gives the container a cgroup namespace */
	/* the container's linux.uidMappings/gidMappings, used by an idmap or
	 * ridmap mount that has no mappings of its own (may be empty) */
	const struct oci_id_mapping *uid_mappings;
	size_t uid_mappings_len;
	const struct oci_id_mapping *gid_mappings;
	size_t gid_mappings_len;
};

/*
 * mount_entry - perform config mount `m` inside the rootfs (see rootfs.h
 * for the option list).  Bind sources are host paths; a relative source is
 * relative to ctx->bundle (the current directory when that is NULL).
 * Type "cgroup" is handed to cgroup_mount_tree().
 * Returns 0, or -1 with *err set naming the destination.
 */
int mount_entry(const struct mount_context *ctx, const struct oci_mount *m, strata_error_t *err);

/*
 * mount_fs_detached - create a detached mount of a new filesystem instance:
 * fsopen(type), "source" (type when NULL), each item of `data`, the
 * superblock flags of `o`, then fsmount with the per-mount attributes of
 * `o` (o may be NULL).  Returns the mount fd (owned by the caller) or -1
 * with *err set; the kernel's own message for a bad parameter is appended.
 */
int mount_fs_detached(const char *type, const char *source, const char *data, const struct mount_options *o,
		      strata_error_t *err);

/*
 * mount_bind_detached - open_tree(OPEN_TREE_CLONE) of dirfd/path (AT_FDCWD
 * and a host path, or an fd and "" for the fd itself); with `recursive`
 * the submounts come too.  Returns the mount fd (owned by the caller) or -1
 * with *err set.
 */
int mount_bind_detached(int dirfd, const char *path, bool recursive, strata_error_t *err);

/*
 * mount_set_attr - mount_setattr(2) on the mount at fd: set `set`, clear
 * `clr` (MOUNT_ATTR_* bits), on the whole tree when `recursive`.
 * Returns 0, or -1 with *err set (what names the mount in the message).
 */
int mount_set_attr(int fd, bool recursive, uint64_t set, uint64_t clr, const char *what, strata_error_t *err);

/*
 * mount_set_propagation - change the propagation of the mount at fd to
 * `prop` (MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, with MS_REC for
 * the whole tree).  Returns 0, or -1 with *err set.
 */
int mount_set_propagation(int fd, unsigned long prop, const char *what, strata_error_t *err);

/*
 * mount_attach - move_mount(2) the detached mount `tree` onto the object
 * that the O_PATH fd `target` refers to, then check that looking up `dest`
 * again inside the root now reaches the new mount (same device and inode as
 * the tree's root).  `dest` names the destination inside the rootfs.
 * Returns 0, or -1 with *err set.
 */
int mount_attach(int rootfd, int tree, int target, const char *dest, strata_error_t *err);

/*
 * mount_in_user_namespace - true when the calling process is in a user
 * namespace whose uid map is not the identity map of the initial one
 * (reads /proc/self/uid_map).
 */
bool mount_in_user_namespace(void);

#endif
