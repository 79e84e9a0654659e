/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lifecycle.h - the container lifecycle steps shared by several commands
 * (create and run; start and run; delete, run and rollback), with the
 * isolation-level dispatch (design.md §4): the level is chosen once at
 * create and read back from the state by every later step.
 * Source: runtime-spec runtime.md#lifecycle and #operations; runc's
 * messages and exit codes (client-contract.md §3).
 */
#ifndef STRATA_RUNTIME_LIFECYCLE_H
#define STRATA_RUNTIME_LIFECYCLE_H

#include <stdbool.h>

#include "../common/error.h"
#include "commands.h"
#include "container.h"

/* create's flags (also taken by run). Strings point into argv. */
struct create_opts {
	const char *bundle;         /* --bundle/-b, default: the current directory */
	const char *pid_file;       /* --pid-file */
	const char *console_socket; /* --console-socket */
	bool no_pivot;              /* --no-pivot */
	bool no_new_keyring;        /* --no-new-keyring */
	int preserve_fds;           /* --preserve-fds N */
	int console_fd;             /* an already connected console socket (run's own relay), or -1 */
};

/*
 * isolation_level_choose - the level of a new container, highest
 * precedence first: --isolation, the config annotation io.strata.isolation,
 * the binary name (strata-sentry, strata-vm), native.
 * Errors: EINVAL for an annotation naming no level.
 */
int isolation_level_choose(const struct strata_global_opts *g, const struct oci_config *config,
			   enum isolation_level_id *out, strata_error_t *err);

/*
 * lifecycle_create - the whole of `create`: load the bundle's config, choose
 * the level, make ROOT/ID, set up the container at that level with its init
 * waiting at the start gate, save the state, write --pid-file.  On success
 * *out holds the container, still locked (the caller frees it).  On failure
 * nothing is left: no state directory, process, cgroup or mount.
 * Errors: "container with id exists: ID", config errors naming the JSON path,
 * "rootfs `P` does not exist", "the vm isolation level is not built yet", ...
 */
int lifecycle_create(const struct strata_global_opts *g, const char *id, const struct create_opts *o,
		     struct container **out, strata_error_t *err);

/*
 * lifecycle_start - release a created container and run its poststart
 * hooks (failures are warnings).  Errors: "cannot start a container that
 * has stopped", "cannot start an already running container", "container is
 * not in created state" (paused).
 */
int lifecycle_start(struct container *c, strata_error_t *err);

/*
 * lifecycle_delete - remove a container: a created one is killed; a
 * running or paused one is refused without force ("cannot delete container
 * ID that is not stopped: running") and killed with force.  Then the cgroup
 * is destroyed, poststop hooks run (failures are warnings) and ROOT/ID is removed.
 */
int lifecycle_delete(struct container *c, bool force, strata_error_t *err);

/* signal_parse - a signal given as a number ("9"), a name ("KILL") or "SIGKILL"; -1 if invalid. */
int signal_parse(const char *s);

#endif
