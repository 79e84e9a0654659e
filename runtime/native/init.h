/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * init.h - the container's init process at the native level (internal to
 * runtime/native: launch.c clones it, init.c runs it).
 */
#ifndef STRATA_RUNTIME_NATIVE_INIT_H
#define STRATA_RUNTIME_NATIVE_INIT_H

#include "../../oci-spec/config.h"
#include "../commands.h"
#include "namespaces.h"
#include "native.h"

/* Everything the init needs, prepared by the parent before the clone (the init gets a copy). */
struct init_ctx {
	const struct oci_config *config;
	const char *id;
	const char *rootfs;        /* absolute host path */
	const char *fifo_path;     /* absolute host path of ROOT/ID/exec.fifo (for messages) */
	int fifo_fd;               /* O_PATH fd of the FIFO, opened by the parent: the init may not be
	                            * allowed to reach ROOT/ID by path (user namespace) */
	enum isolation_level_id level;
	const struct native_create_opts *opts;
	const struct ns_plan *plan;
	int sync_fd;               /* the init's end of the setup socketpair */
	int console_fd;            /* connected --console-socket, or -1 */
	int listen_fds;            /* LISTEN_FDS passed through (systemd socket activation), 0 if none */
	int lock_fd;               /* the container lock held by `create`: closed at once in the child,
	                            * or the init would hold the lock until execve */
	const int *cgroup_tasks_fds; /* cgroup v1 `tasks` files the init joins itself (cgroup_join_self)
	                              * before anything else, then closes; NULL when the parent joins it */
	size_t cgroup_tasks_n;
};

/*
 * native_init_run - the init process: finishes the namespaces, builds the
 * rootfs, applies the process attributes, reports READY, waits at the start
 * gate, then drops privileges and execs (or runs the sentry).  Never
 * returns: on a setup failure it sends SYNC_ERROR and exits 1.
 */
__attribute__((noreturn)) void native_init_run(struct init_ctx *ctx);

#endif
