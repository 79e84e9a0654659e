/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * manager.c - the cgroup manager object: backend choice from the host's
 * layout, cgroupsPath resolution, saving/loading, and the operations that
 * dispatch to v1.c / v2.c.
 *
 * cgroupsPath (runtime-spec config-linux.md#cgroups-path):
 *   absolute  - relative to each hierarchy's root (its mount point);
 *   relative  - relative to the calling process's own cgroup in each
 *               hierarchy, as runc's cgroupfs driver does;
 *   absent    - "/strata/<id>" (runc's default is "/<id>"; strata groups its
 *               containers under one parent so they are easy to find).
 * The parent directories are shared and never removed; only the container's
 * own directory (and any child cgroups in it) is removed by cgroup_destroy.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/path.h"
#include "internal.h"
#include "systemd.h"

static const char *mode_name(enum cgroup_mode m)
{
	return m == CGROUP_MODE_V1 ? "v1" : m == CGROUP_MODE_HYBRID ? "hybrid" : "v2";
}

int cgroup_path_resolve(const char *cgroups_path, const char *id, const char *own, char **out, strata_error_t *err)
{
	_cleanup_free_ char *joined = NULL;
	int r;
	if (cgroups_path == NULL || cgroups_path[0] == '\0')
		r = asprintf(&joined, "/strata/%s", id);
	else if (cgroups_path[0] == '/')
		r = asprintf(&joined, "%s", cgroups_path);
	else
		r = asprintf(&joined, "%s/%s", own ? own : "/", cgroups_path);
	if (r < 0)
		return strata_error_errno(err, ENOMEM, "resolve cgroupsPath");
	if (strpbrk(joined, "\n\t") != NULL)
		return strata_error_set(err, EINVAL, "invalid cgroupsPath `%s`: contains a newline or tab", cgroups_path);
	/* Security: path_clean clamps ".." at "/", so the path stays inside the
	 * hierarchy's mount point. */
	char *clean = path_clean(joined, err);
	if (clean == NULL)
		return strata_error_wrap(err, "resolve cgroupsPath");
	if (strcmp(clean, "/") == 0) {
		free(clean);
		return strata_error_set(err, EINVAL, "invalid cgroupsPath `%s`: it names the root cgroup",
					cgroups_path ? cgroups_path : "");
	}
	*out = clean;
	return 0;
}

void cgroup_manager_free(struct cgroup_manager *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->dirs[i].controllers);
		free(m->dirs[i].path);
		free(m->dirs[i].mount);
	}
	free(m->dirs);
	free(m->extra_devices);
	free(m->id);
	free(m);
}

static void manager_freep(struct cgroup_manager **m)
{
	cgroup_manager_free(*m);
	*m = NULL;
}
#define _cleanup_manager_ __attribute__((cleanup(manager_freep)))

static int add_dir(struct cgroup_manager *m, const char *controllers, const char *mount, const char *path,
		   strata_error_t *err)
{
	struct cgroup_dir *nd = realloc(m->dirs, (m->n + 1) * sizeof(*nd));
	if (nd == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup manager");
	m->dirs = nd;
	struct cgroup_dir *d = &m->dirs[m->n++];
	d->controllers = controllers ? strdup(controllers) : NULL;
	d->mount = strdup(mount);
	d->path = strdup(path);
	if ((controllers && d->controllers == NULL) || d->mount == NULL || d->path == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup manager");
	return 0;
}

int cgroup_manager_new_with_layout(const char *id, const char *cgroups_path, bool systemd,
				   const struct cgroup_layout *layout, struct cgroup_manager **out, strata_error_t *err)
{
	if (systemd) {
		/* Never fall back to cgroupfs silently: the caller asked for systemd. */
		if (cgroup_systemd_check(cgroups_path, id, err) < 0)
			return -1;
	}
	_cleanup_manager_ struct cgroup_manager *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup manager");
	m->id = strdup(id);
	if (m->id == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup manager");
	m->mode = layout->mode;
	for (size_t i = 0; i < layout->n; i++) {
		const struct cgroup_hierarchy *h = &layout->h[i];
		_cleanup_free_ char *rel = NULL;
		if (cgroup_path_resolve(cgroups_path, id, h->own, &rel, err) < 0)
			return -1;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s%s", h->mount, rel) < 0)
			return strata_error_errno(err, ENOMEM, "cgroup manager");
		if (add_dir(m, h->controllers, h->mount, path, err) < 0)
			return -1;
	}
	*out = steal_pointer(&m);
	return 0;
}

int cgroup_manager_new(const char *id, const char *cgroups_path, bool systemd, struct cgroup_manager **out,
		       strata_error_t *err)
{
	if (systemd && cgroup_systemd_check(cgroups_path, id, err) < 0)
		return -1;
	struct cgroup_layout l = { 0 };
	if (cgroup_layout_detect(&l, err) < 0)
		return -1;
	int r = cgroup_manager_new_with_layout(id, cgroups_path, systemd, &l, out, err);
	cgroup_layout_free(&l);
	return r;
}

/*
 * Saved form (one line per directory, tab separated):
 *   strata-cgroup 1 <mode> <id>
 *   <controllers or "-">\t<mount>\t<path>
 */
char *cgroup_manager_serialize(const struct cgroup_manager *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	fprintf(f, "strata-cgroup 1 %s %s\n", mode_name(m->mode), m->id);
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "%s\t%s\t%s\n", m->dirs[i].controllers ? m->dirs[i].controllers : "-", m->dirs[i].mount,
			m->dirs[i].path);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cgroup_manager_load(const char *serialized, struct cgroup_manager **out, strata_error_t *err)
{
	_cleanup_free_ char *copy = strdup(serialized);
	if (copy == NULL)
		return strata_error_errno(err, ENOMEM, "load cgroup manager");
	_cleanup_manager_ struct cgroup_manager *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return strata_error_errno(err, ENOMEM, "load cgroup manager");
	char *save = NULL;
	char *line = strtok_r(copy, "\n", &save);
	char mode[16], id[1100];
	if (line == NULL || sscanf(line, "strata-cgroup 1 %15s %1099s", mode, id) != 2)
		return strata_error_set(err, EINVAL, "saved cgroup state is not in strata's format");
	if (strcmp(mode, "v1") == 0)
		m->mode = CGROUP_MODE_V1;
	else if (strcmp(mode, "hybrid") == 0)
		m->mode = CGROUP_MODE_HYBRID;
	else if (strcmp(mode, "v2") == 0)
		m->mode = CGROUP_MODE_V2;
	else
		return strata_error_set(err, EINVAL, "saved cgroup state: unknown mode `%s`", mode);
	m->id = strdup(id);
	if (m->id == NULL)
		return strata_error_errno(err, ENOMEM, "load cgroup manager");
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (t2 == NULL)
			return strata_error_set(err, EINVAL, "saved cgroup state: malformed line `%s`", line);
		*t1 = '\0';
		*t2 = '\0';
		if (t2[1] != '/' || strstr(t2 + 1, "/..") != NULL)
			return strata_error_set(err, EINVAL, "saved cgroup state: bad path `%s`", t2 + 1);
		if (add_dir(m, strcmp(line, "-") == 0 ? NULL : line, t1 + 1, t2 + 1, err) < 0)
			return -1;
	}
	*out = steal_pointer(&m);
	return 0;
}

const struct cgroup_dir *cgroup_dir_for(const struct cgroup_manager *m, const char *ctrl)
{
	if (m->mode == CGROUP_MODE_V2)
		return NULL;
	size_t cl = strlen(ctrl);
	for (size_t i = 0; i < m->n; i++) {
		const char *p = m->dirs[i].controllers;
		while (p != NULL && *p != '\0') {
			const char *end = strchrnul(p, ',');
			if ((size_t)(end - p) == cl && strncmp(p, ctrl, cl) == 0)
				return &m->dirs[i];
			p = *end ? end + 1 : end;
		}
	}
	return NULL;
}

const struct cgroup_dir *cgroup_dir_v2(const struct cgroup_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->dirs[i].controllers == NULL)
			return &m->dirs[i];
	return NULL;
}

int cgroup_manager_allow_devices(struct cgroup_manager *m, const struct oci_device *devs, size_t n,
				 strata_error_t *err)
{
	free(m->extra_devices);
	m->extra_devices = NULL;
	m->extra_devices_len = 0;
	if (n == 0)
		return 0;
	m->extra_devices = calloc(n, sizeof(*m->extra_devices));
	if (m->extra_devices == NULL)
		return strata_error_errno(err, ENOMEM, "device rules");
	for (size_t i = 0; i < n; i++) {
		struct oci_device_cgroup *r = &m->extra_devices[m->extra_devices_len];
		const char *t = devs[i].type;
		if (t == NULL || (strcmp(t, "c") != 0 && strcmp(t, "u") != 0 && strcmp(t, "b") != 0))
			continue; /* fifos need no device rule */
		r->allow = true;
		r->type = (char *)(strcmp(t, "b") == 0 ? "b" : "c");
		r->has_major = true;
		r->major = devs[i].major;
		r->has_minor = true;
		r->minor = devs[i].minor;
		r->access = (char *)"rwm";
		m->extra_devices_len++;
	}
	return 0;
}

int cgroup_create(struct cgroup_manager *m, const struct oci_resources *resources, strata_error_t *err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct cgroup_dir *d = &m->dirs[i];
		int r = d->controllers ? cgroup_v1_create_dir(d, err)
				       : cgroup_v2_create_dir(d, m->mode == CGROUP_MODE_V2, err);
		if (r < 0)
			goto fail;
	}
	if (m->mode != CGROUP_MODE_V2) {
		if (cgroup_v1_apply(m, resources, false, err) < 0)
			goto fail;
		if (resources != NULL && resources->unified.len > 0) {
			const struct cgroup_dir *v2 = cgroup_dir_v2(m);
			if (v2 == NULL) {
				strata_error_set(err, EINVAL,
						 "linux.resources.unified needs cgroup v2, and this host mounts only cgroup v1");
				goto fail;
			}
			if (cgroup_v2_apply_unified(v2, &resources->unified, err) < 0)
				goto fail;
		}
	} else if (cgroup_v2_apply(m, cgroup_dir_v2(m), resources, false, err) < 0) {
		goto fail;
	}
	return 0;
fail:
	for (size_t i = 0; i < m->n; i++) {
		_cleanup_error_ strata_error_t ignored = NULL;
		cg_rmdir_tree(m->dirs[i].path, &ignored);
	}
	return -1;
}

int cgroup_enter(struct cgroup_manager *m, pid_t pid, strata_error_t *err)
{
	for (size_t i = 0; i < m->n; i++)
		if (cg_write(m->dirs[i].path, "cgroup.procs", err, "%d", (int)pid) < 0)
			return strata_error_wrap(err, "join cgroup");
	return 0;
}

int cgroup_update(struct cgroup_manager *m, const struct oci_resources *resources, strata_error_t *err)
{
	if (resources == NULL)
		return 0;
	if (m->mode == CGROUP_MODE_V2)
		return cgroup_v2_apply(m, cgroup_dir_v2(m), resources, true, err);
	if (cgroup_v1_apply(m, resources, true, err) < 0)
		return -1;
	if (resources->unified.len > 0) {
		const struct cgroup_dir *v2 = cgroup_dir_v2(m);
		if (v2 == NULL)
			return strata_error_set(err, EINVAL,
						"linux.resources.unified needs cgroup v2, and this host mounts only cgroup v1");
		return cgroup_v2_apply_unified(v2, &resources->unified, err);
	}
	return 0;
}

int cgroup_clone_into_fd(const struct cgroup_manager *m, strata_error_t *err)
{
	const struct cgroup_dir *d = cgroup_dir_v2(m);
	if (d == NULL)
		return strata_error_set(err, ENOTSUP, "the cgroup has no cgroup v2 directory");
	int fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open cgroup `%s`", d->path);
	return fd;
}

int cgroup_v1_tasks_open(const struct cgroup_manager *m, int **fds, size_t *n, strata_error_t *err)
{
	*fds = NULL;
	*n = 0;
	_cleanup_free_ int *v = calloc(m->n + 1, sizeof(int));
	if (v == NULL)
		return strata_error_errno(err, ENOMEM, "join cgroup");
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (m->dirs[i].controllers == NULL)
			continue;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/tasks", m->dirs[i].path) < 0)
			path = NULL;
		int fd = path != NULL ? open(path, O_WRONLY | O_CLOEXEC) : -1;
		if (fd < 0) {
			int e = path != NULL ? errno : ENOMEM;
			for (size_t j = 0; j < k; j++)
				close(v[j]);
			return strata_error_errno(err, e, "open `%s/tasks`", m->dirs[i].path);
		}
		v[k++] = fd;
	}
	*fds = steal_pointer(&v);
	*n = k;
	return 0;
}

int cgroup_join_self(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (write(fds[i], "0", 1) != 1)
			return -1;
	return 0;
}

/* The directory whose cgroup.procs lists the container's processes. */
static const struct cgroup_dir *procs_dir(const struct cgroup_manager *m)
{
	const struct cgroup_dir *d = cgroup_dir_v2(m);
	if (d == NULL)
		d = cgroup_dir_for(m, "pids");
	if (d == NULL)
		d = cgroup_dir_for(m, "freezer");
	if (d == NULL && m->n > 0)
		d = &m->dirs[0];
	return d;
}

int cgroup_pids(struct cgroup_manager *m, pid_t **pids, size_t *n, strata_error_t *err)
{
	*pids = NULL;
	*n = 0;
	const struct cgroup_dir *d = procs_dir(m);
	if (d == NULL)
		return 0;
	if (access(d->path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (cg_procs(d->path, pids, n, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int cgroup_kill_all(struct cgroup_manager *m, int sig, strata_error_t *err)
{
	const struct cgroup_dir *pd = procs_dir(m);
	if (pd == NULL || access(pd->path, F_OK) < 0)
		return 0; /* no cgroup left: nothing to signal */
	/* SIGKILL through cgroup.kill (Linux 5.14) kills the whole subtree at
	 * once, so a fork racing with us cannot escape.  In the hybrid layout
	 * every container process is in the cgroup2 directory too. */
	const struct cgroup_dir *v2 = cgroup_dir_v2(m);
	if (sig == SIGKILL && v2 != NULL && access(v2->path, F_OK) == 0) {
		_cleanup_error_ strata_error_t kerr = NULL;
		if (cgroup_v2_kill(v2, &kerr) == 0) {
			/* A frozen (paused) task dies only once thawed. */
			if (cgroup_is_frozen(m)) {
				_cleanup_error_ strata_error_t terr = NULL;
				cgroup_freeze(m, false, &terr);
			}
			return 0;
		}
		/* Older kernels have no cgroup.kill: fall through to signalling each pid. */
	}
	/* Freeze first so that no process forks a child we would miss. */
	bool was_frozen = cgroup_is_frozen(m);
	bool froze = false;
	{
		_cleanup_error_ strata_error_t ferr = NULL;
		if (!was_frozen && cgroup_freeze(m, true, &ferr) == 0)
			froze = true;
	}
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = cgroup_pids(m, &pids, &n, err);
	if (r == 0) {
		for (size_t i = 0; i < n; i++) {
			if (kill(pids[i], sig) < 0 && errno != ESRCH) {
				r = strata_error_errno(err, errno, "signal %d to pid %d", sig, (int)pids[i]);
				break;
			}
		}
	}
	/* A frozen process cannot die: thaw after SIGKILL even if it was paused. */
	if (froze || (was_frozen && sig == SIGKILL)) {
		_cleanup_error_ strata_error_t terr = NULL;
		cgroup_freeze(m, false, &terr);
	}
	return r;
}

int cgroup_destroy(struct cgroup_manager *m, strata_error_t *err)
{
	_cleanup_error_ strata_error_t kerr = NULL;
	if (cgroup_kill_all(m, SIGKILL, &kerr) < 0)
		log_debug("cgroup destroy: %s", kerr->msg);
	/* Wait (bounded, 5 s) for the killed processes to leave the cgroup. */
	for (int i = 0; i < 500; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		_cleanup_error_ strata_error_t perr = NULL;
		if (cgroup_pids(m, &pids, &n, &perr) < 0 || n == 0)
			break;
		if (i % 50 == 49) {
			_cleanup_error_ strata_error_t e2 = NULL;
			cgroup_kill_all(m, SIGKILL, &e2);
		}
		usleep(10000);
	}
	int r = 0;
	for (size_t i = 0; i < m->n; i++) {
		_cleanup_error_ strata_error_t rerr = NULL;
		if (cg_rmdir_tree(m->dirs[i].path, &rerr) < 0 && r == 0) {
			strata_error_set(err, rerr->code, "%s", rerr->msg);
			r = -1;
		}
	}
	return r;
}
