/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * creds.h - the identity switch of the container process: capability sets
 * (through libcap-ng), supplementary groups, gid and uid.
 *
 * Source: runtime-spec v1.3.0 config.md#process (user, capabilities),
 * capabilities(7), prctl(2) PR_CAPBSET_DROP / PR_SET_KEEPCAPS /
 * PR_CAP_AMBIENT, setgroups(2), setresuid(2), user_namespaces(7)
 * (/proc/PID/setgroups), libcap-ng capng_apply(3).
 */
#ifndef STRATA_RUNTIME_NATIVE_CREDS_H
#define STRATA_RUNTIME_NATIVE_CREDS_H

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * creds_apply - switch the calling process to p->user and p->capabilities.
 *
 * Steps, in order (all in the container's init, after the rootfs is ready,
 * before seccomp_apply):
 *  1. drop every capability not in capabilities.bounding from the bounding
 *     set (PR_CAPBSET_DROP via capng_apply(CAPNG_SELECT_BOUNDS));
 *  2. PR_SET_KEEPCAPS 1, so setresuid keeps the permitted set;
 *  3. setgroups(additionalGids) - an empty list clears the host's groups.
 *     When /proc/self/setgroups says "deny" (unprivileged user namespace)
 *     it is skipped if the list is empty and an EPERM error otherwise;
 *  4. setresgid(gid x3), setresuid(uid x3);
 *  5. effective, permitted and inheritable sets via
 *     capng_apply(CAPNG_SELECT_CAPS);
 *  6. each ambient capability raised with PR_CAP_AMBIENT_RAISE (a failure
 *     is only a debug log line, as runc ignores it: ambient needs the
 *     capability permitted and inheritable);
 *  7. PR_SET_KEEPCAPS 0.
 * A NULL p->capabilities means every set is empty (nothing kept).  A set
 * that is absent (NULL) is empty.
 * Returns 0, or -1 with *err set: EINVAL "unknown capability `CAP_FOO` in
 * process.capabilities.effective" for a bad name, or the failing call's
 * errno with the call named.  Capabilities known by name but above the
 * running kernel's /proc/sys/kernel/cap_last_cap are skipped with a warning.
 */
int creds_apply(const struct oci_process *p, strata_error_t *err);

/*
 * creds_check - validate p->capabilities without changing anything: every
 * name of every set must be known (same EINVAL message as creds_apply).
 * Call it during `create`, before the init reports ready, so a bad name
 * fails `create` rather than the container's start.
 */
int creds_check(const struct oci_process *p, strata_error_t *err);

/*
 * cap_from_name - the capability number of `name` ("CAP_CHOWN" -> 0,
 * also accepted without the CAP_ prefix and in any case).  Returns the
 * number (0..63), or -1 when libcap-ng does not know the name.  Pure.
 */
int cap_from_name(const char *name);

/*
 * cap_last_cap - the highest capability number the running kernel knows
 * (/proc/sys/kernel/cap_last_cap; CAP_LAST_CAP of the headers when it
 * cannot be read).
 */
int cap_last_cap(void);

#endif
