/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.h - the container's /dev: the default device nodes, the config's
 * linux.devices, and the /dev symlinks (ptmx, fd, stdin, stdout, stderr, core).
 *
 * Defaults (config-linux.md#default-devices): null 1:3, zero 1:5, full 1:7,
 * random 1:8, urandom 1:9, tty 5:0, all char devices, mode 0666, owner 0:0;
 * an entry of linux.devices with the same path replaces the default.
 * Outside a user namespace each node is made with mknod (falling back to a
 * bind of the host node on EPERM); inside one, the host node of the same
 * path is bind-mounted onto an empty file (mknod is not permitted there).
 * Nothing is done when a config mount binds something onto /dev, as runc.
 * /dev/console is left to the terminal code.
 *
 * Source: runtime-spec v1.3.0 config-linux.md#devices, #default-devices,
 * #dev-symbolic-links; mknod(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_DEVICES_H
#define STRATA_RUNTIME_NATIVE_DEVICES_H

#include "../../common/error.h"
#include "../../oci-spec/config.h"
#include "mounts.h"

/*
 * devices_setup - create the devices and symlinks above inside the rootfs
 * (ctx->rootfd).  An existing non-directory entry at a device path (a
 * leftover file, or a symlink planted in the rootfs) is removed first, never
 * followed.  Returns 0, or -1 with *err set (the failing call and the path).
 */
int devices_setup(const struct mount_context *ctx, const struct oci_config *c, strata_error_t *err);

/*
 * devices_dev_is_bind_mounted - true when a config mount binds something
 * onto /dev (then the runtime leaves /dev alone).
 */
bool devices_dev_is_bind_mounted(const struct oci_config *c);

#endif
