/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * native.h - the native isolation level's container lifecycle: create the
 * init process (namespaces, cgroup, rootfs, process attributes) stopped at
 * the start gate, and release it on start.  The sentry level reuses all of
 * it: its init runs the sentry instead of execve (sentry/sentry.h).
 *
 * Process model (design.md §5): `create` clones the init as its own child
 * (through CLONE_PARENT when an intermediate process had to join namespaces
 * by path), so when `create` exits the init is re-parented to the caller's
 * subreaper (containerd shim, conmon) exactly as runc's init is.
 * Start gate: runc's exec.fifo scheme.  ROOT/ID/exec.fifo is a FIFO; the
 * init opens it O_PATH before pivot_root, and at the gate opens
 * /proc/self/fd/N for writing, which blocks until `start` opens the FIFO for
 * reading; the init then writes one byte and goes on to execve.
 * Source: runtime-spec runtime.md#lifecycle, config-linux.md; fifo(7), clone(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_NATIVE_H
#define STRATA_RUNTIME_NATIVE_NATIVE_H

#include <stdbool.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"
#include "../container.h"

#define NATIVE_EXEC_FIFO "exec.fifo"

struct native_create_opts {
	const char *console_socket; /* --console-socket path, or NULL */
	int console_fd;             /* an already connected console socket (not closed here), or -1 */
	bool no_pivot;              /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool no_new_keyring;        /* --no-new-keyring: keep the caller's session keyring */
	int preserve_fds;           /* --preserve-fds N: fds 3..3+N-1 go to the container */
	bool systemd_cgroup;        /* --systemd-cgroup */
	bool rootless;              /* --rootless resolved: cgroup permission errors may be warnings
				     * (runtime/rootless.h rootless_cgroup_error_ignorable) */
};

/*
 * native_create - set up the container described by `config` and leave its
 * init waiting at the start gate.
 * c: from container_new(), with state.bundle, state.rootfs, state.created,
 * state.annotations and state.level filled in; on success native_create sets
 * state.pid, state.pid_start_time, state.cgroup and c->cgroup (the caller
 * then saves the state).  The init is a child of the calling process.
 * On failure everything it made is undone (init killed and reaped, cgroup
 * removed, exec.fifo removed) and *err says what failed, e.g.
 * `exec: "foo": executable file not found in $PATH`.
 * With o->rootless, a permission error creating, writing or joining the
 * cgroup of a config without resource limits is logged as a warning and the
 * container runs without a cgroup (state.cgroup and c->cgroup stay NULL).
 */
int native_create(struct container *c, const struct oci_config *config, const struct native_create_opts *o,
		  strata_error_t *err);

/*
 * native_start - release the init of a `created` container: open
 * ROOT/ID/exec.fifo for reading, read the init's byte, remove the FIFO.
 * Gives up when the init dies meanwhile.  Errors: "container init exited
 * before start" (ESRCH), or the open/read errno.
 */
int native_start(struct container *c, strata_error_t *err);

/*
 * native_wait_gone - wait until the container's init is gone (or a zombie)
 * for at most timeout_ms milliseconds.  Returns 0 when gone, -1 (ETIMEDOUT) if not.
 */
int native_wait_gone(struct container *c, int timeout_ms);

#endif
