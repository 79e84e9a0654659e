/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isolation.h - the seam between the lifecycle commands and the three
 * isolation levels (design.md §1, §4, §5).  Each level provides the same
 * operations; `create` picks the level once, records it in the state, and
 * every later command calls the recorded level's operations.
 *
 *   native  runtime/native (namespaces, cgroups, pivot_root, execve)
 *   sentry  the native setup, with the sentry in place of execve
 *   vm      provided by the VMM: define isolation_vm_ops() (a strong
 *           definition replaces the weak one in isolation.c, which returns
 *           NULL: "the vm isolation level is not built yet")
 *
 * Every level keeps design.md §5's process model: `create` leaves one host
 * process (state.pid) that `kill` signals and whose exit is the container's.
 */
#ifndef STRATA_RUNTIME_ISOLATION_H
#define STRATA_RUNTIME_ISOLATION_H

#include "../common/error.h"
#include "../oci-spec/config.h"
#include "commands.h"
#include "container.h"
#include "native/native.h"

struct isolation_ops {
	const char *name;
	/*
	 * create - set the container up and leave its process waiting for
	 * start; fill c->state.pid, pid_start_time, cgroup and c->cgroup.
	 * On failure undo everything it made.  Contract of native_create().
	 */
	int (*create)(struct container *c, const struct oci_config *config, const struct native_create_opts *o,
		      strata_error_t *err);
	/* start - release a created container (contract of native_start()). */
	int (*start)(struct container *c, strata_error_t *err);
};

/*
 * isolation_ops_get - the operations of `level`.  Errors: ENOSYS "the vm
 * isolation level is not built yet" when the level is not in this build.
 */
int isolation_ops_get(enum isolation_level_id level, const struct isolation_ops **out, strata_error_t *err);

/* isolation_vm_ops - the VMM's operations; NULL while the level is not built (weak default). */
const struct isolation_ops *isolation_vm_ops(void);

#endif
