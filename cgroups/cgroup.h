/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup.h - one cgroup manager interface for the whole runtime.
 *
 * Backends: cgroupfs v1 (one directory per mounted controller hierarchy),
 * cgroupfs v2 (unified), and the hybrid layout (v1 controllers plus a cgroup2
 * mount: the container joins both, as runc does).  The backend is chosen from
 * what the host mounts under /sys/fs/cgroup.  --systemd-cgroup selects the
 * systemd driver, which fails clearly where systemd is not running.
 *
 * A manager describes one container's cgroup.  It is created from the config
 * at `create`, and re-opened from the saved path by later commands
 * (`delete`, `kill --all`, `pause`, `update`, `ps`, `events`).
 * Source: runtime-spec config-linux.md#control-groups, kernel
 * Documentation/admin-guide/cgroup-v1/ and cgroup-v2.rst.
 */
#ifndef STRATA_CGROUPS_CGROUP_H
#define STRATA_CGROUPS_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/error.h"
#include "../oci-spec/config.h"

struct cgroup_manager;

/*
 * cgroup_manager_new - resolve the container's cgroup from linux.cgroupsPath
 * (absolute, relative, or absent -> "/strata/<id>"; with systemd
 * "slice:prefix:name").  Nothing is created on disk yet.
 * *out is owned by the caller (cgroup_manager_free).
 * Errors: EINVAL for a malformed path, ENOTSUP for --systemd-cgroup where
 * systemd is not running ("systemd cgroup driver: systemd is not running").
 */
int cgroup_manager_new(const char *id, const char *cgroups_path, bool systemd, struct cgroup_manager **out,
		       strata_error_t *err);

/*
 * cgroup_manager_load - re-open a manager from the string produced by
 * cgroup_manager_serialize (kept in the container's state).  *out owned by caller.
 */
int cgroup_manager_load(const char *serialized, struct cgroup_manager **out, strata_error_t *err);

/* cgroup_manager_serialize - a heap string (caller frees) that cgroup_manager_load accepts. */
char *cgroup_manager_serialize(const struct cgroup_manager *m);

/*
 * cgroup_create - create the cgroup directories and apply linux.resources
 * (may be NULL).  On failure everything this call created is removed.
 */
int cgroup_create(struct cgroup_manager *m, const struct oci_resources *resources, strata_error_t *err);

/* cgroup_enter - move pid (a host pid) into every hierarchy of the container's cgroup. */
int cgroup_enter(struct cgroup_manager *m, pid_t pid, strata_error_t *err);

/*
 * Joining without the cost of cgroup_enter.  Writing a pid to cgroup.procs
 * takes the kernel's cgroup threadgroup lock for writing, which waits for an
 * RCU grace period: 5-15 ms on a busy host, most of a container start.  Two
 * ways in take no such lock: a fork straight into a cgroup v2 directory
 * (clone3 CLONE_INTO_CGROUP, Linux 5.7), and a single-threaded process
 * moving its own thread by writing "0" to a cgroup v1 `tasks` file.
 * Source: clone(2); kernel cgroup_procs_write_start (the threadgroup lock is
 * skipped when one thread migrates itself); Documentation/admin-guide/cgroup-v1.
 */

/*
 * cgroup_clone_into_fd - open the container's cgroup v2 directory
 * (O_RDONLY|O_DIRECTORY|O_CLOEXEC) for clone3(CLONE_INTO_CGROUP): a child
 * cloned with it starts inside that cgroup.  Returns the fd (the caller
 * closes it), or -1 with *err set: ENOTSUP when the cgroup has no v2
 * directory (a v1-only host), else the open errno.
 */
int cgroup_clone_into_fd(const struct cgroup_manager *m, strata_error_t *err);

/*
 * cgroup_v1_tasks_open - open the `tasks` file of each cgroup v1 hierarchy
 * of the container's cgroup for writing (O_CLOEXEC), for a child to join
 * them itself with cgroup_join_self.  *fds (heap, the caller frees it and
 * closes the fds) gets one fd per v1 hierarchy and *n their count, 0 on a
 * unified host.  The kernel checks the permission to move a task against the
 * credentials of the opener, so the fds work in a child that has changed its
 * credentials or namespaces.  Errors: the open errno with the path; then
 * nothing is left open.
 */
int cgroup_v1_tasks_open(const struct cgroup_manager *m, int **fds, size_t *n, strata_error_t *err);

/*
 * cgroup_join_self - move the calling process, which must have one thread,
 * into each cgroup v1 hierarchy whose `tasks` fd is given (from
 * cgroup_v1_tasks_open), by writing "0" (the calling thread).  The fds are
 * left open.  Returns 0, or -1 with errno from the failing write.
 */
int cgroup_join_self(const int *fds, size_t n);

/* cgroup_update - apply resources to the live cgroup (`strata update`). */
int cgroup_update(struct cgroup_manager *m, const struct oci_resources *resources, strata_error_t *err);

/*
 * cgroup_pids - the host pids in the container's cgroup (recursively).
 * *pids is heap memory owned by the caller; *n the count.
 */
int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, strata_error_t *err);

/* cgroup_kill_all - send sig to every process in the cgroup; success if it is empty. */
int cgroup_kill_all(struct cgroup_manager *m, int sig, strata_error_t *err);

/* cgroup_freeze - freeze (true) or thaw (false); returns when the state is reached. */
int cgroup_freeze(struct cgroup_manager *m, bool freeze, strata_error_t *err);

/* cgroup_is_frozen - true when the cgroup's freezer reports FROZEN. */
bool cgroup_is_frozen(struct cgroup_manager *m);

/*
 * cgroup_destroy - kill what is left (SIGKILL), wait until empty (bounded,
 * 5 s), and remove every directory this container created.  ENOENT is success.
 */
int cgroup_destroy(struct cgroup_manager *m, strata_error_t *err);

/*
 * cgroup_stats_json - runc's `events --stats` "data" object for the cgroup
 * (cpu, cpuset, memory, pids, blkio, hugetlb) as a heap JSON string owned by
 * the caller.
 */
int cgroup_stats_json(struct cgroup_manager *m, char **json, strata_error_t *err);

/* cgroup_manager_free - free the struct (does not touch the cgroup on disk). NULL is fine. */
void cgroup_manager_free(struct cgroup_manager *m);

/* ---- added by the cgroups/ implementation (issue 4) ---- */

/*
 * cgroup_manager_allow_devices - record an allow rule ("rwm") for each
 * linux.devices entry (c/u/b; fifos need none), applied by cgroup_create
 * after linux.resources.devices and before runc's default allow list (see
 * cgroups/devices.c for who adds which rule).  Call before cgroup_create.
 * devs is not kept.  Errors: ENOMEM.
 */
int cgroup_manager_allow_devices(struct cgroup_manager *m, const struct oci_device *devs, size_t n,
				 strata_error_t *err);

/*
 * cgroup_oom_open - an fd that becomes readable (POLLIN) when the kernel's
 * OOM killer acts in the container's cgroup: v1 an eventfd registered for
 * memory.oom_control through cgroup.event_control; v2 an inotify fd on
 * memory.events.  *fd owned by the caller.  Errors: ENOTSUP when the memory
 * controller is not available, open/write errnos otherwise.
 * Source: kernel cgroup-v1/memory.rst §10 (OOM control), cgroup-v2.rst (memory.events).
 */
int cgroup_oom_open(struct cgroup_manager *m, int *fd, strata_error_t *err);

/*
 * cgroup_oom_consume - after cgroup_oom_open's fd polled readable: drain it
 * and set *oom to true when an OOM kill happened since the last call
 * (v1: the eventfd fired and the cgroup still exists — the kernel also
 * fires it when the cgroup is removed; v2: memory.events oom_kill grew).
 * *last_count: the oom_kill count seen so far, initialised from
 * cgroup_oom_count() and updated here.
 */
int cgroup_oom_consume(struct cgroup_manager *m, int fd, uint64_t *last_count, bool *oom, strata_error_t *err);

/* cgroup_oom_count - v2: memory.events oom_kill; v1: memory.oom_control oom_kill (0 if absent). */
uint64_t cgroup_oom_count(struct cgroup_manager *m);

#endif
