/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup_mount.h - a runtime-spec mount of type `cgroup` (usually
 * /sys/fs/cgroup), built the way runc builds it.
 *
 * cgroup v1 or hybrid host (a tmpfs at /sys/fs/cgroup): a tmpfs (mode 755,
 * nosuid, nodev, noexec) at the destination, one cgroup v1 mount per
 * hierarchy mounted on the host (named like the host's directory, e.g.
 * "cpu,cpuacct", with a symlink per controller of a combined name, and
 * "systemd" for name=systemd), and the cgroup2 hierarchy at "unified" when
 * the host has one; everything read-only when the mount says ro.
 * Pure cgroup v2 host: one cgroup2 mount.
 *
 * With a cgroup namespace each hierarchy is a new mount of the filesystem,
 * whose root is the container's own cgroup.  Without one, each hierarchy is
 * a bind of the host directory of the process's cgroup (from
 * /proc/self/cgroup), so the container sees its own cgroup as the root too.
 * On v2 without a cgroup namespace a cgroup2 mount is tried first, and the
 * bind is the fallback (EPERM/EBUSY), as runc does.
 *
 * Source: runtime-spec config-linux.md, cgroups(7), cgroup_namespaces(7),
 * Documentation/admin-guide/cgroup-v1/cgroups.rst.
 */
#ifndef STRATA_RUNTIME_NATIVE_CGROUP_MOUNT_H
#define STRATA_RUNTIME_NATIVE_CGROUP_MOUNT_H

#include "../../common/error.h"
#include "../../oci-spec/config.h"
#include "mount_options.h"
#include "mounts.h"

/*
 * cgroup_mount_tree - mount the cgroup tree for entry `m` (options already
 * parsed into `o`) at m->destination inside the rootfs.  Reads the host's
 * hierarchies from /proc/self/mountinfo (mounts under the rootfs are
 * ignored) and the process's cgroups from /proc/self/cgroup.
 * Returns 0, or -1 with *err set (the failing step and path).
 */
int cgroup_mount_tree(const struct mount_context *ctx, const struct oci_mount *m, const struct mount_options *o,
		      strata_error_t *err);

#endif
