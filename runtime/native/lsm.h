/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lsm.h - process.apparmorProfile and process.selinuxLabel.
 *
 * Both are set as the label of the next execve through procfs, without
 * libapparmor or libselinux: AppArmor writes "exec <profile>" to
 * /proc/thread-self/attr/apparmor/exec (or the older
 * /proc/thread-self/attr/exec), SELinux writes the label to
 * /proc/thread-self/attr/exec.  Whether the host has the LSM is read from
 * /sys/kernel/security/lsm (and /sys/module/apparmor/parameters/enabled,
 * /sys/fs/selinux/enforce as fallbacks).  Requesting a label for an LSM the
 * host does not have is an error, never a silent ignore.
 *
 * Source: runtime-spec v1.3.0 config.md#process (apparmorProfile,
 * selinuxLabel), config-linux.md#mount-label; proc(5) /proc/pid/attr;
 * kernel Documentation/admin-guide/LSM/apparmor.rst, selinux.
 */
#ifndef STRATA_RUNTIME_NATIVE_LSM_H
#define STRATA_RUNTIME_NATIVE_LSM_H

#include <stdbool.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * lsm_apply - in the container's init, after pivot_root and before
 * execve: set p->apparmor_profile and p->selinux_label as the exec labels.
 * mount_label (linux.mountLabel) is only checked here (selinux must be
 * enabled when it is set); the mount code applies it as a context= option.
 * Nothing to do when all are NULL.  /proc must be mounted in the container.
 * Returns 0, or -1 with *err set: EOPNOTSUPP "apparmor profile `x`
 * requested but AppArmor is not enabled on this host" (likewise "selinux
 * label `x` ... SELinux"), or the open/write errno with the path.
 */
int lsm_apply(const struct oci_process *p, const char *mount_label, strata_error_t *err);

/* lsm_apparmor_enabled / lsm_selinux_enabled - whether the host has it. */
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);

#endif
