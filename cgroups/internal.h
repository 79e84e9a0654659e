/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the files of cgroups/ share with each other (and with
 * the unit tests), but not with the rest of the runtime.
 *
 * A cgroup manager is a list of directories, one per hierarchy the container
 * joins: one per mounted v1 hierarchy (cgroup v1 / hybrid) and the cgroup2
 * directory (hybrid / unified).  Where each file of a resource lives is
 * decided by the resources_v1.c / resources_v2.c mappings.
 * Source: kernel Documentation/admin-guide/cgroup-v1/cgroups.rst,
 * Documentation/admin-guide/cgroup-v2.rst, proc(5) (/proc/PID/mountinfo,
 * /proc/PID/cgroup).
 */
#ifndef STRATA_CGROUPS_INTERNAL_H
#define STRATA_CGROUPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/error.h"
#include "../oci-spec/config.h"
#include "cgroup.h"

/* Which cgroup layout the host mounts. */
enum cgroup_mode {
	CGROUP_MODE_V1,     /* only v1 hierarchies */
	CGROUP_MODE_HYBRID, /* v1 controllers plus a cgroup2 mount (usually without controllers) */
	CGROUP_MODE_V2,     /* one unified cgroup2 hierarchy */
};

/* One mounted hierarchy as the host shows it. */
struct cgroup_hierarchy {
	char *controllers; /* v1: mount's controller list, e.g. "cpu", "cpu,cpuacct", "name=systemd"; v2: NULL */
	char *mount;       /* mount point, e.g. "/sys/fs/cgroup/memory" */
	char *mount_root;  /* the cgroup the mount shows at its mount point (mountinfo field 4), "/" normally */
	char *own;         /* the calling process's cgroup in this hierarchy (/proc/self/cgroup), "/" if unknown */
};

/* Every hierarchy the container joins, as detected by cgroup_layout_detect. */
struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *h; /* v1 hierarchies first, the cgroup2 one last */
	size_t n;
};

/* One directory of the container's cgroup. */
struct cgroup_dir {
	char *controllers; /* as in struct cgroup_hierarchy; NULL for the cgroup2 directory */
	char *path;        /* absolute directory, e.g. "/sys/fs/cgroup/memory/strata/ID" */
	char *mount;       /* the hierarchy's mount point (the directories between it and path are ours or shared) */
};

struct cgroup_manager {
	char *id;
	bool systemd;
	enum cgroup_mode mode;
	struct cgroup_dir *dirs; /* v1 directories first, the cgroup2 one last */
	size_t n;
	struct oci_device_cgroup *extra_devices; /* allow rules for linux.devices (cgroup_manager_allow_devices) */
	size_t extra_devices_len;
};

/* ---- layout.c ---- */

/*
 * cgroup_layout_detect - read /proc/self/mountinfo and /proc/self/cgroup and
 * describe every mounted cgroup hierarchy.  *out owned by the caller
 * (cgroup_layout_free).  A hierarchy that is over-mounted (a later mount in
 * mountinfo order on the same mount point: the last one wins), or mounted on
 * an over-mounted parent, is skipped: paths under its mount point reach
 * other files.  Errors: ENOENT "no cgroup hierarchy is mounted".
 */
int cgroup_layout_detect(struct cgroup_layout *out, strata_error_t *err);

/*
 * cgroup_layout_parse - the same from the text of a mountinfo and a
 * /proc/PID/cgroup file (for unit tests).
 */
int cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup, struct cgroup_layout *out,
			strata_error_t *err);

/* cgroup_layout_free - free the arrays (the struct itself is the caller's). */
void cgroup_layout_free(struct cgroup_layout *l);

/* ---- manager.c ---- */

/*
 * cgroup_path_resolve - the container's cgroup path inside one hierarchy,
 * relative to the hierarchy's root, always starting with "/":
 *   absent/empty  -> "/strata/<id>"
 *   absolute      -> the path, cleaned by path_clean (common/path.h: "//" and "."
 *                    removed, ".." clamped at "/")
 *   relative      -> own + "/" + path, cleaned (runc's cgroupfs driver: relative
 *                    to the cgroup of the calling process)
 * Errors: EINVAL for a path with a newline or tab (it could not be saved).
 * *out is heap memory owned by the caller.
 */
int cgroup_path_resolve(const char *cgroups_path, const char *id, const char *own, char **out,
			strata_error_t *err);

/*
 * cgroup_manager_new_with_layout - cgroup_manager_new against a given layout
 * (cgroup_manager_new uses cgroup_layout_detect; unit tests pass their own,
 * e.g. a temporary directory that mimics a cgroup2 hierarchy).
 */
int cgroup_manager_new_with_layout(const char *id, const char *cgroups_path, bool systemd,
				   const struct cgroup_layout *layout, struct cgroup_manager **out,
				   strata_error_t *err);

/* cgroup_dir_for - the directory holding v1 controller `ctrl` (e.g. "memory"), or NULL. */
const struct cgroup_dir *cgroup_dir_for(const struct cgroup_manager *m, const char *ctrl);

/* cgroup_dir_v2 - the cgroup2 directory, or NULL on a v1-only host. */
const struct cgroup_dir *cgroup_dir_v2(const struct cgroup_manager *m);

/* ---- fs.c: file helpers, errors name the file ---- */

/* cg_write - write the formatted value to DIR/FILE (no O_CREAT, no O_TRUNC: cgroup files). */
int cg_write(const char *dir, const char *file, strata_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* cg_read - DIR/FILE's content as a heap string (caller frees), trailing newline removed. */
int cg_read(const char *dir, const char *file, char **out, strata_error_t *err);

/* cg_read_u64 - DIR/FILE parsed as an unsigned number; "max" reads as UINT64_MAX. */
int cg_read_u64(const char *dir, const char *file, uint64_t *out, strata_error_t *err);

/* cg_exists - true when DIR/FILE exists. */
bool cg_exists(const char *dir, const char *file);

/*
 * cg_keyed_u64 - the value of `key` in a "key value" per line file content
 * (memory.stat, cpu.stat, memory.events).  Returns false if absent.
 */
bool cg_keyed_u64(const char *content, const char *key, uint64_t *out);

/*
 * cg_rmdir_tree - remove the cgroup directory path and its child cgroups,
 * children first (cgroup directories are removed with rmdir only).
 * ENOENT is success.
 */
int cg_rmdir_tree(const char *path, strata_error_t *err);

/*
 * cg_procs - append the pids of DIR/cgroup.procs and of every child cgroup
 * to *pids (heap, realloc'd; *n updated).
 */
int cg_procs(const char *dir, pid_t **pids, size_t *n, strata_error_t *err);

/* ---- v1.c / v2.c: directories; freezer.c: pause/resume ---- */

/* cgroup_v1_create_dir - mkdir -p, and for cpuset copy cpus/mems from the parent where empty. */
int cgroup_v1_create_dir(const struct cgroup_dir *d, strata_error_t *err);
/* cgroup_v1_freeze - freezer.state FROZEN/THAWED, returns once reached (10 s bound, EBUSY). */
int cgroup_v1_freeze(const struct cgroup_dir *freezer, bool freeze, strata_error_t *err);
bool cgroup_v1_is_frozen(const struct cgroup_dir *freezer);

/* cgroup_v2_create_dir - mkdir and, when enable_controllers, enable every
 * available controller in the subtree_control of each ancestor (root excluded
 * from mkdir, included for subtree_control). */
int cgroup_v2_create_dir(const struct cgroup_dir *d, bool enable_controllers, strata_error_t *err);
/* cgroup_v2_freeze - cgroup.freeze 1/0, returns once cgroup.events says frozen 1/0 (10 s bound, EBUSY). */
int cgroup_v2_freeze(const struct cgroup_dir *d, bool freeze, strata_error_t *err);
bool cgroup_v2_is_frozen(const struct cgroup_dir *d);
/* cgroup_v2_kill - write 1 to cgroup.kill (Linux 5.14).  ENOENT when the file is absent. */
int cgroup_v2_kill(const struct cgroup_dir *d, strata_error_t *err);

/* ---- resources_v1.c / resources_v2.c ---- */

/* cgroup_v1_apply / cgroup_v2_apply - write linux.resources (r may be NULL: only the
 * device rules).  update: true for `strata update` (devices are left alone,
 * checkBeforeUpdate honoured).  Errors name the file and the value. */
int cgroup_v1_apply(const struct cgroup_manager *m, const struct oci_resources *r, bool update,
		    strata_error_t *err);
int cgroup_v2_apply(const struct cgroup_manager *m, const struct cgroup_dir *d, const struct oci_resources *r,
		    bool update, strata_error_t *err);
/* cgroup_v2_apply_unified - linux.resources.unified: raw "file": "value" pairs. */
int cgroup_v2_apply_unified(const struct cgroup_dir *d, const struct oci_string_map *unified, strata_error_t *err);

/* ---- devices ---- */

/*
 * cgroup_devices_effective - the rule list that is applied: the config's
 * rules, then an allow rule for every linux.devices entry recorded with
 * cgroup_manager_allow_devices, then runc's default allow list (later rules
 * win).  *out heap array owned by the caller (free with cgroup_devices_free,
 * the strings are not owned: they point into r or static storage).
 */
int cgroup_devices_effective(const struct cgroup_manager *m, const struct oci_resources *r,
			     struct oci_device_cgroup **out, size_t *n, strata_error_t *err);

/* cgroup_v1_apply_devices (devices_v1.c) - devices.deny "a" then the rules in order. */
int cgroup_v1_apply_devices(const char *dir, const struct oci_device_cgroup *rules, size_t n, strata_error_t *err);

#endif
