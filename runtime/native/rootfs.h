/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs.h - the container's root filesystem at the native level: mount
 * propagation, the config's `mounts`, /dev, pivot_root, maskedPaths,
 * readonlyPaths, root.readonly and linux.sysctl.
 *
 * Call order, all in the container's init process:
 *
 *     rootfs_mount_all()   in the new mount namespace, before pivot_root
 *     rootfs_pivot()       switches / to the rootfs, then masks/ro paths
 *     sysctl_apply()       after the pivot (writes the container's /proc/sys)
 *
 * Security: every mount target is resolved inside the rootfs with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) and mounted onto through
 * the resolved fd, so a symlink in the rootfs (`etc -> /`, `proc -> /host`,
 * `dev/null -> /etc/passwd`) can never redirect a mount to a host path.
 *
 * Source: runtime-spec v1.3.0 config.md#mounts, config-linux.md (devices,
 * rootfs-mount-propagation, masked-paths, readonly-paths, sysctl,
 * default-filesystems, default-devices); mount(2), mount_setattr(2),
 * pivot_root(2), openat2(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_ROOTFS_H
#define STRATA_RUNTIME_NATIVE_ROOTFS_H

#include <stdbool.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * rootfs_mount_all - prepare the rootfs at `rootfs` for pivot_root.
 *
 * Must run in the container's init process, already inside its new mount
 * namespace (and its other new namespaces, including the user namespace with
 * mappings written), as root of that user namespace, before rootfs_pivot().
 * `rootfs` is the absolute host path of the container's root directory.
 *
 * Steps, in order:
 *  1. make every mount MS_SLAVE|MS_REC (or what linux.rootfsPropagation
 *     says: [r]shared, [r]slave, [r]private, [r]unbindable) so nothing done
 *     here propagates back to the host;
 *  2. bind-mount `rootfs` onto itself (pivot_root needs a mount point);
 *  3. perform every entry of c->mounts, in order (proc, sysfs, tmpfs, devpts,
 *     mqueue, cgroup, bind/rbind and any other filesystem type), with the
 *     runc mount options (flags, propagation, data, rro and the other
 *     recursive r* attributes, tmpcopyup, idmap/ridmap with the mount's or
 *     the container's id mappings); missing mount points are created
 *     inside the rootfs (a file for a bind of a file).  A relative bind
 *     source is relative to the bundle, found as `rootfs` minus a relative
 *     root.path (with an absolute root.path: the current directory);
 *  4. the default devices (null zero full random urandom tty: mknod, or a
 *     bind of the host node inside a user namespace) and linux.devices;
 *     the /dev symlinks fd, stdin, stdout, stderr, ptmx (-> pts/ptmx).
 *     /dev/console is left to the terminal code.
 *
 * c->root->path is not used: `rootfs` is authoritative.
 * Returns 0, or -1 with *err set (the mount errno, the destination and
 * source in the message, e.g. "mount `proc` on `/proc`: Operation not
 * permitted"; EXDEV/ELOOP when a destination escapes the rootfs).
 * On failure the mount namespace is left half-built; the caller exits.
 */
int rootfs_mount_all(const struct oci_config *c, const char *rootfs, strata_error_t *err);

/*
 * rootfs_pivot - make `rootfs` the process's "/", then apply the
 * post-pivot protections.
 *
 * Without no_pivot: pivot_root(".", ".") from inside rootfs, then the old
 * root is detached (umount2 MNT_DETACH).  With no_pivot (runc --no-pivot):
 * the host's other mounts are detached, then MS_MOVE rootfs onto "/" and
 * chroot(".").
 * Done on the finished rootfs just before the switch (paths resolved inside
 * it, so the result is the same as after it):
 *  - linux.sysctl is written (see sysctl_apply), because the next step
 *    makes /proc/sys read-only;
 *  - linux.maskedPaths: a directory gets an empty read-only tmpfs, anything
 *    else gets the host's /dev/null bind-mounted (checked to be char device
 *    1:3, never the container's own /dev/null); a missing path is skipped;
 *  - linux.readonlyPaths: bind onto itself, made read-only recursively,
 *    nosuid/nodev/noexec kept; a missing path is skipped.
 * After the switch: linux.rootfsPropagation is applied to the new "/",
 * root.readonly makes "/" read-only (other flags kept), chdir("/").
 * Must be called after rootfs_mount_all() in the same process.
 * Returns 0, or -1 with *err set (the failing call's errno and the path).
 */
int rootfs_pivot(const struct oci_config *c, const char *rootfs, bool no_pivot, strata_error_t *err);

/*
 * sysctl_apply - write each linux.sysctl key/value to
 * /proc/sys/<key, dots turned into slashes>.
 *
 * Call after rootfs_pivot(), so /proc is the container's.  rootfs_pivot()
 * already wrote the values it could (before /proc/sys became read-only);
 * a key that already holds its value is not written again, so this call
 * only does work when the rootfs had no procfs at that point.  Keys are
 * validated as runc does: only namespaced sysctls are accepted (ipc:
 * kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall,
 * kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*; net.*
 * needs a new network namespace; kernel.hostname and kernel.domainname need
 * a new UTS namespace).  A key holding "..", "/" or empty components is
 * refused.  Returns 0, or -1 with *err set: EINVAL with
 * "sysctl `<key>` is not allowed ..." for a refused key, or the open/write
 * errno with the path.
 * Source: config-linux.md#sysctl, proc(5) /proc/sys.
 */
int sysctl_apply(const struct oci_config *c, strata_error_t *err);

#endif
