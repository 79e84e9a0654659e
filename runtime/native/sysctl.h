/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctl.h - validation of linux.sysctl keys (sysctl_apply() itself is
 * declared in rootfs.h).  Pure logic, unit-tested in tests/unit/test_sysctl.c.
 *
 * Source: runtime-spec v1.3.0 config-linux.md#sysctl; the namespaced
 * sysctls listed in ipc_namespaces(7), network_namespaces(7),
 * uts_namespaces(7).
 */
#ifndef STRATA_RUNTIME_NATIVE_SYSCTL_H
#define STRATA_RUNTIME_NATIVE_SYSCTL_H

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * sysctl_check_key - accept `key` only when it is well formed (dot-separated,
 * no empty, "." or ".." component, no '/') and names a sysctl that belongs
 * to a namespace the container has its own of: IPC (kernel.msgmax,
 * kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax,
 * kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*), network (net.*) or
 * UTS (kernel.hostname, kernel.domainname; refused when the config's
 * hostname/domainname field is set too, as runc does).
 * Returns 0, or -1 with *err set to EINVAL and a message naming the key.
 */
int sysctl_check_key(const struct oci_config *c, const char *key, strata_error_t *err);

/*
 * sysctl_write_at - validate every linux.sysctl key (sysctl_check_key), then
 * write each value under the procfs directory `procsys` (an fd of a
 * `.../proc/sys` directory, checked to be procfs).  A key whose current
 * value already equals the configured one (ignoring whitespace differences)
 * is not written again.  Network, IPC and UTS sysctls act on the calling
 * process's namespaces, whichever procfs instance is used.
 * rootfs_pivot() calls it before readonlyPaths makes /proc/sys read-only;
 * sysctl_apply() calls it again afterwards, which then finds nothing to do.
 * Returns 0, or -1 with *err set (EINVAL for a refused key or a directory
 * that is not procfs, else the open/write errno with the key).
 */
int sysctl_write_at(const struct oci_config *c, int procsys, strata_error_t *err);

#endif
