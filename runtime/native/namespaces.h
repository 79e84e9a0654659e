/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * namespaces.h - linux.namespaces: which namespaces a container creates and
 * which it joins by path, and the order the kernel requires.
 *
 * New namespaces are created by the clone(2) flags of the init process,
 * except two that must be created by the init itself later:
 *  - cgroup: unshared after the parent put the init into its cgroup, so the
 *    container's cgroup root is its own cgroup;
 *  - time: unshared by the init, then the parent writes
 *    /proc/PID/timens_offsets, then the init enters it through
 *    /proc/self/ns/time_for_children (offsets can only be written before any
 *    process is in the namespace).
 * Joined namespaces are entered with setns(2) by an intermediate process
 * before it clones the init: every non-user namespace first (as host root we
 * hold CAP_SYS_ADMIN over namespaces owned by the host user namespace, which
 * we would lose inside another user namespace), the user namespace last, so
 * namespaces the init creates are owned by the joined user namespace.  The
 * paths are all opened before the first setns, while they still resolve in
 * the host's mount namespace.
 * Source: runtime-spec config-linux.md#namespaces, namespaces(7), setns(2),
 * clone(2), user_namespaces(7), time_namespaces(7).
 */
#ifndef STRATA_RUNTIME_NATIVE_NAMESPACES_H
#define STRATA_RUNTIME_NATIVE_NAMESPACES_H

#include <stdbool.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

struct ns_plan {
	int clone_flags;       /* CLONE_NEW* for the init's clone(2) */
	bool new_ns[OCI_NS__COUNT]; /* a new namespace of this type (any of the three ways) */
	bool join_ns[OCI_NS__COUNT]; /* joined by path */
	int join_fd[OCI_NS__COUNT]; /* opened namespace file, -1 when not joined */
};

/* ns_clone_flag - the CLONE_NEW* constant of namespace type t. */
int ns_clone_flag(enum oci_namespace_type t);

/*
 * ns_plan_make - fill *plan from c->linux_->namespaces and open every
 * `path` (O_RDONLY|O_CLOEXEC).  Errors: EINVAL for a type listed twice,
 * the open errno with the path ("open namespace `/proc/1/ns/net`: ..."),
 * EINVAL when the file is not a namespace of the stated type.  On success
 * the caller owns the fds (ns_plan_close).
 */
int ns_plan_make(const struct oci_config *c, struct ns_plan *plan, strata_error_t *err);

/* ns_plan_has_joins - true when any namespace is joined by path. */
bool ns_plan_has_joins(const struct ns_plan *plan);

/*
 * ns_join_all - setns(2) into every joined namespace, user namespace last.
 * Errors: the setns errno naming the type ("join network namespace: ...").
 */
int ns_join_all(const struct ns_plan *plan, strata_error_t *err);

/* ns_plan_close - close the joined namespaces' fds. */
void ns_plan_close(struct ns_plan *plan);

#endif
