/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * container.h - the per-container state store under the runtime root.
 *
 * Layout (design.md §5):
 *     ROOT/ID/state.json   the container's saved state (written atomically by rename)
 *     ROOT/ID/lock         flock(2) target: one command at a time per container
 *     ROOT/ID/config.json  copy of the bundle's config.json taken at `create`
 *     ROOT/ID/exec.fifo    the start gate of the native init (exists while `created`)
 *     ROOT/ID/exec.sock    vm level: the VMM's exec socket, 0600, while the VMM runs
 *                          (runtime/vm_exec_server.h)
 *
 * Every command that acts on an existing container calls container_load(),
 * which takes the lock (exclusive or shared) and reads state.json; the lock is
 * released by container_free().  The status is never stored: it is computed
 * live from the init pid, its start time and the freezer (container_status()),
 * so a recycled pid is never mistaken for the container's init.
 * Source: runtime-spec runtime.md (state, lifecycle), runc's libcontainer state
 * layout (facts only), proc(5) for /proc/PID/stat field 22.
 */
#ifndef STRATA_RUNTIME_CONTAINER_H
#define STRATA_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../cgroups/cgroup.h"
#include "../common/error.h"
#include "../oci-spec/config.h"
#include "commands.h"

/* Live status of a container (runtime-spec runtime.md#state). */
enum container_status {
	CONTAINER_CREATED, /* init alive, waiting at the start gate */
	CONTAINER_RUNNING, /* init alive, gate passed */
	CONTAINER_PAUSED,  /* init alive, cgroup frozen */
	CONTAINER_STOPPED, /* init gone (or its pid was recycled) */
};

/* How container_load() locks the container directory. */
enum container_lock {
	CONTAINER_LOCK_EXCLUSIVE, /* commands that change the container (start, kill, delete, pause, update...) */
	CONTAINER_LOCK_SHARED,    /* read-only commands (state, ps, events) */
	CONTAINER_LOCK_NONE,      /* list: never blocks behind a slow create */
};

/* The saved state of one container (ROOT/ID/state.json). All strings are heap, owned by the struct. */
struct container_state {
	char *id;
	char *bundle;               /* absolute bundle path */
	char *rootfs;               /* absolute rootfs path */
	pid_t pid;                  /* host pid of the init (native), sentry or VMM; 0 before create finished */
	unsigned long long pid_start_time; /* field 22 of /proc/PID/stat (clock ticks since boot) */
	char *created;              /* RFC 3339 UTC time with nanoseconds, e.g. "2026-11-21T09:02:27.689076158Z" */
	uid_t owner_uid;            /* uid that ran `create`; `list` prints its name */
	enum isolation_level_id level; /* chosen at create (design.md §4) */
	char *cgroup;               /* cgroup_manager_serialize() output, NULL when no cgroup was made */
	bool systemd_cgroup;        /* --systemd-cgroup at create */
	struct oci_string_map annotations; /* config.json annotations */
};

/* A loaded container: its directory, its lock and its state. */
struct container {
	char *root;                 /* the --root directory */
	char *dir;                  /* ROOT/ID */
	int dir_fd;                 /* O_PATH|O_DIRECTORY fd of ROOT/ID */
	int lock_fd;                /* fd holding the flock, -1 for CONTAINER_LOCK_NONE */
	struct container_state state;
	struct cgroup_manager *cgroup; /* loaded from state.cgroup; NULL when there is none or it cannot
	                               * be re-opened (a warning is logged; the container stays deletable) */
	struct oci_config *config;  /* loaded on demand by container_config() */
};

/*
 * container_id_validate - check id against runc's rule: it matches
 * [A-Za-z0-9][A-Za-z0-9_.+-]* with at most 1024 characters, so it can never
 * name a path outside ROOT ("..", "/").  Errors: EINVAL "invalid container id `X`".
 */
int container_id_validate(const char *id, strata_error_t *err);

/*
 * container_load - open ROOT/ID, take the lock as `lock` says, and read its
 * state.json.  Errors: ENOENT "container does not exist" (exactly that text:
 * containerd and podman match it) for an unknown id or a container deleted
 * while we waited for the lock; EINVAL for an invalid id; the errno of a
 * failing read or parse otherwise.  *out is owned by the caller (container_free),
 * which also releases the lock.
 */
int container_load(const char *root, const char *id, enum container_lock lock, struct container **out,
		   strata_error_t *err);

/*
 * container_new - make ROOT (mode 0711) if needed and ROOT/ID (0711, failing
 * if it exists), take its exclusive lock, and return a container whose state
 * holds only the id, the root and the owner uid; the caller fills the rest and
 * calls container_save().  Errors: EEXIST "container with id exists: ID"
 * (runc's text), EINVAL for an invalid id, mkdir/open errnos otherwise.
 * On a failure later in `create`, container_destroy_dir() removes the directory.
 */
int container_new(const char *root, const char *id, struct container **out, strata_error_t *err);

/*
 * container_status - the live status: STOPPED when state.pid is 0, the pid is
 * gone, a zombie, or its start time differs from state.pid_start_time;
 * PAUSED when the cgroup is frozen; CREATED while ROOT/ID/exec.fifo exists;
 * RUNNING otherwise.
 */
enum container_status container_status(struct container *c);

/* container_status_name - "created", "running", "paused" or "stopped". */
const char *container_status_name(enum container_status s);

/*
 * container_init_pid - the init's host pid if it is alive and is the
 * container's (start time matches), else 0.
 */
pid_t container_init_pid(struct container *c);

/*
 * container_config - the config.json saved at create, parsed on first use and
 * cached in c->config (owned by c).  Errors: read/parse errors of the copy.
 */
int container_config(struct container *c, const struct oci_config **out, strata_error_t *err);

/*
 * container_state_json - runc's `state` JSON for c (ociVersion, id, pid,
 * status, bundle, rootfs, created, owner, annotations); pid is 0 when
 * stopped.  pretty: indented like runc's `state`.  Returns a heap string
 * (caller frees) or NULL with *err set.
 */
char *container_state_json(struct container *c, bool pretty, strata_error_t *err);

/*
 * container_save - write c->state to ROOT/ID/state.json atomically (temp
 * file + rename).  The caller holds the exclusive lock.
 */
int container_save(struct container *c, strata_error_t *err);

/*
 * container_destroy_dir - remove ROOT/ID and everything in it (state, fifo,
 * config copy, lock).  The caller holds the exclusive lock; other commands
 * waiting on the lock find the state gone and report "container does not exist".
 */
int container_destroy_dir(struct container *c, strata_error_t *err);

/*
 * container_list_ids - the ids of every container directory under root,
 * sorted.  *ids is a NULL-terminated heap array of heap strings (free with
 * _cleanup_strv_).  A missing root gives an empty list.
 */
int container_list_ids(const char *root, char ***ids, strata_error_t *err);

/* container_free - release the lock, close fds, free everything. NULL is fine. */
void container_free(struct container *c);

/* Cleanup attribute for a struct container *. */
static inline void container_freep(struct container **c)
{
	container_free(*c);
	*c = NULL;
}
#define _cleanup_container_ __attribute__((cleanup(container_freep)))

/*
 * proc_start_time - field 22 (starttime, clock ticks after boot) of
 * /proc/PID/stat.  Returns 0 when the process does not exist.  Source: proc(5).
 */
unsigned long long proc_start_time(pid_t pid);

#endif
