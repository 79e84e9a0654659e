/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootless.h - `strata --rootless true|false|auto` and what it changes: when
 * rootless, a cgroup the runtime may not create or write is a warning, not
 * an error, as long as the config asks for no resource limits.
 * Source: runc's `--rootless` global flag (default "auto": rootless when the
 * caller is not root or runs in a user namespace); user_namespaces(7).
 */
#ifndef STRATA_RUNTIME_ROOTLESS_H
#define STRATA_RUNTIME_ROOTLESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/error.h"
#include "../oci-spec/config.h"

enum rootless_mode { ROOTLESS_AUTO, ROOTLESS_FALSE, ROOTLESS_TRUE };

/*
 * rootless_mode_parse - the value of --rootless: NULL, "" or "auto" (any
 * case) is ROOTLESS_AUTO; true/false as runc reads booleans ("1", "t", "T",
 * "true", "TRUE", "True" and "0", "f", "F", "false", "FALSE", "False").
 * Returns 0 with *out set, or -1 with *err set (EINVAL naming the value).
 */
int rootless_mode_parse(const char *value, enum rootless_mode *out, strata_error_t *err);

/*
 * rootless_in_user_namespace - true when the calling process is not in the
 * initial user namespace: its /proc/self/uid_map is not the identity map of
 * the whole id range ("0 0 4294967295").  An unreadable map counts as false.
 */
bool rootless_in_user_namespace(void);

/*
 * rootless_resolve - whether to run rootless: the mode when it is true or
 * false; for ROOTLESS_AUTO, true when euid is not 0 or in_userns is true.
 */
bool rootless_resolve(enum rootless_mode mode, uid_t euid, bool in_userns);

/*
 * rootless_resources_set - true when r asks for any cgroup limit other than
 * device rules (memory, cpu, pids, blockIO, hugepageLimits, network, rdma,
 * unified).  Device rules do not count: the default spec always carries
 * them, and runc ignores them when rootless.  NULL is false.
 */
bool rootless_resources_set(const struct oci_resources *r);

/*
 * rootless_cgroup_error_ignorable - may a failure with errno `code` while
 * creating, writing or joining the container's cgroup be logged as a warning
 * (the container then runs without that cgroup)?  Only when rootless, the
 * errno is a permission one (EACCES, EPERM, EROFS), and r sets no resources
 * (rootless_resources_set): limits the config asks for are never silently
 * dropped.
 */
bool rootless_cgroup_error_ignorable(bool rootless, int code, const struct oci_resources *r);

#endif
