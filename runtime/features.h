/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * features.h - the runtime-spec `features` document of this build of strata
 * (what `strata features` prints and containerd 2.x / CRI read).
 *
 * Every list is computed, not kept by hand, wherever the tree has a source
 * of truth:
 *  - mountOptions: each candidate option name (the runtime-spec / runc
 *    option vocabulary) is fed to mount_options_parse(); names the parser
 *    turns into a flag, propagation, recursive attribute, tmpcopyup or idmap
 *    are listed, names it would pass through as filesystem data are not;
 *  - linux.namespaces: the spec's types the running kernel has in /proc/self/ns;
 *  - linux.capabilities: libcap-ng's names for 0 .. cap_last_cap() of the
 *    running kernel;
 *  - linux.seccomp: actions, operators, architectures and flags the
 *    seccomp code accepts (seccomp_*_parse), supportedFlags probed with
 *    seccomp(2) on the running kernel (EFAULT on a NULL program means the
 *    flag is known, EINVAL that it is not);
 *  - apparmor / selinux: whether the host has the LSM (lsm.h);
 *  - annotations: libseccomp's version, strata's version and commit, and
 *    the isolation levels this build can run (features_isolation_levels).
 * Source: runtime-spec v1.3.0 features.md and features-linux.md; seccomp(2).
 */
#ifndef STRATA_RUNTIME_FEATURES_H
#define STRATA_RUNTIME_FEATURES_H

#include <stdbool.h>

#include "../common/error.h"
#include "commands.h"

/*
 * features_json - the features document as a heap string (caller frees),
 * pretty-printed like runc's.  Returns NULL with *err set on allocation or
 * encoding failure.
 */
char *features_json(strata_error_t *err);

/*
 * isolation_level_available - whether this build, on this host, can run
 * containers at `level`; when not, *why (may be NULL) gets a static
 * reason.  native and sentry: always; vm: when the VMM level is built
 * (isolation_vm_ops), /dev/kvm is usable and it is not PVM, on which an
 * ordinary guest kernel cannot boot.
 */
bool isolation_level_available(enum isolation_level_id level, const char **why);

#endif
