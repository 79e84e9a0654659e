/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_shares.h - the bind mounts of a vm-level container, shared with the
 * guest through ONE virtio-9p device, whatever their number and whether
 * their sources are directories or single files.
 *
 * The scheme:
 *  - `create` (vm_level.c) makes a plan: every bind mount of the config
 *    whose host source is a directory or a regular file gets an entry named
 *    after its index in `mounts`.  It creates the empty staging directory
 *    ROOT/ID/vm-binds on the host (removed by `delete` with the rest of the
 *    state directory).
 *  - The VMM process (vm_host.c) unshares its mount namespace, makes every
 *    mount in it a slave (nothing it mounts propagates back to the host),
 *    mounts a small tmpfs on the staging directory, creates entry `i` (an
 *    empty file for a file source, a directory for a directory source) and
 *    bind-mounts the source on it, read-only when the mount asks for `ro`
 *    (or `rro`).  The tmpfs and the binds exist only in the VMM's private
 *    namespace: on the host the staging directory stays empty, and when the
 *    VMM dies, even by SIGKILL, the namespace and its mounts go with it.
 *  - The staging directory is exported as the 9p share VM_SHARES_TAG; the
 *    guest agent mounts it at VM_SHARES_GUEST_DIR, and the config.json the
 *    guest gets names VM_SHARES_GUEST_DIR/<i> as the source of mount i
 *    (vm_guest_config.h), so the guest's native runtime bind-mounts the
 *    entry into the container.
 * Bind mounts whose source is anything else (a device node such as
 * /dev/null, a socket, a missing path) are left as written: the guest
 * resolves them in its own namespace, as before.
 *
 * Source: runtime-spec v1.3.0 config.md#mounts (bind sources are host
 * paths, relative ones relative to the bundle); mount_namespaces(7) (shared
 * subtrees); open_tree(2), move_mount(2), mount_setattr(2).
 */
#ifndef STRATA_RUNTIME_VM_SHARES_H
#define STRATA_RUNTIME_VM_SHARES_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/error.h"
#include "../oci-spec/config.h"
#include "vm_guest_config.h"

/* The 9p tag of the staging directory's share. */
#define VM_SHARES_TAG "binds"
/* Where the guest mounts it: under the agent's run directory
 * (kvm-shim/guest/agent/agent.h AGENT_RUN_DIR), never in the guest's state
 * root /run/strata, where a container could be named "binds". */
#define VM_SHARES_GUEST_DIR "/run/strata-agent/binds"
/* The staging directory, in the container's state directory ROOT/ID. */
#define VM_SHARES_STAGING "vm-binds"

/* One bind mount that goes through the staging directory. */
struct vm_bind {
	size_t mount_index; /* index in config->mounts; the entry's name is this number */
	char *source;       /* absolute host path of the source (heap) */
	bool directory;     /* a directory (else a regular file) */
	bool recursive;     /* rbind: the source's submounts come too */
	bool read_only;     /* ro (or rro) among the options */
};

struct vm_shares_plan {
	struct vm_bind *binds;         /* len entries, in mounts order (heap) */
	struct vm_guest_source *guest; /* len entries: index -> VM_SHARES_GUEST_DIR/<index> (heap) */
	size_t len;
	char *staging;                 /* absolute host path of ROOT/ID/vm-binds; NULL until prepared */
};

/*
 * vm_shares_plan - fill *out (zeroed first) with the bind mounts of config
 * whose source, resolved on the host (a relative source against `bundle`,
 * which may be NULL: then against the cwd; symlinks followed, as the native
 * level's bind does), is a directory or a regular file.  A mount is a bind
 * mount when its type is "bind" or its options hold bind or rbind.
 * Memory in *out is owned by it: release with vm_shares_plan_free().
 * Errors: EINVAL for options that do not parse, ENOMEM.  A source that
 * cannot be stat'ed is not an error here (left for the guest to report).
 */
int vm_shares_plan(const struct oci_config *config, const char *bundle, struct vm_shares_plan *out,
		   strata_error_t *err);

/* vm_shares_plan_free - free what *p holds and zero it (NULL-safe). */
void vm_shares_plan_free(struct vm_shares_plan *p);

/*
 * vm_shares_prepare - on the host, in the caller's mount namespace: create
 * the empty staging directory `state_dir`/VM_SHARES_STAGING (mode 0700) and
 * record its path in p->staging (heap, owned by p).  Does nothing when the
 * plan is empty.  Errors: mkdir(2)'s (EEXIST included), ENOMEM.
 */
int vm_shares_prepare(struct vm_shares_plan *p, const char *state_dir, strata_error_t *err);

/*
 * vm_shares_stage - in the VMM process, before the staging directory is
 * exported: unshare the mount namespace (CLONE_NEWNS), make every mount a
 * slave recursively, mount a tmpfs (64 KiB, the entries are empty) on
 * p->staging and bind each source onto its entry (see the file comment).
 * The process stays in the new namespace; its fds opened before keep
 * working.  Needs CAP_SYS_ADMIN.  Does nothing when the plan is empty.
 * Returns 0, or -1 with *err set naming the mount that failed; what was
 * mounted is left in the private namespace, which dies with the process.
 */
int vm_shares_stage(const struct vm_shares_plan *p, strata_error_t *err);

#endif
