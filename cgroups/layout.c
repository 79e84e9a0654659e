/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout.c - which cgroup hierarchies the host mounts (v1, hybrid, unified)
 * and where the calling process sits in each.
 * Source: proc(5) /proc/PID/mountinfo (fields: id parent maj:min root
 * mountpoint options [optional] - fstype source superoptions) and
 * /proc/PID/cgroup ("hierarchy-ID:controller-list:path"; "0::path" for v2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "internal.h"

void cgroup_layout_free(struct cgroup_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->h[i].controllers);
		free(l->h[i].mount);
		free(l->h[i].mount_root);
		free(l->h[i].own);
	}
	free(l->h);
	l->h = NULL;
	l->n = 0;
}

/* Mount options of a v1 cgroup mount that are not controller names. */
static bool is_mount_option(const char *tok)
{
	static const char *const opts[] = { "rw", "ro", "noprefix", "xattr", "clone_children", "cpuset_v2_mode",
					    "favordynmods", "none", "nosuid", "nodev", "noexec", "relatime", NULL };
	for (size_t i = 0; opts[i] != NULL; i++)
		if (strcmp(tok, opts[i]) == 0)
			return true;
	return strncmp(tok, "release_agent=", 14) == 0;
}

/* The controller list ("cpu,cpuacct", "name=systemd") of v1 super options, heap. */
static char *controllers_from_superopts(const char *superopts)
{
	_cleanup_free_ char *copy = strdup(superopts);
	if (copy == NULL)
		return NULL;
	size_t cap = strlen(superopts) + 1;
	char *out = calloc(1, cap);
	if (out == NULL)
		return NULL;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (is_mount_option(tok))
			continue;
		if (out[0] != '\0')
			strcat(out, ",");
		strcat(out, tok);
	}
	return out;
}

/* true when the comma lists a and b share an element. */
static bool lists_intersect(const char *a, const char *b)
{
	_cleanup_free_ char *ca = strdup(a);
	if (ca == NULL)
		return false;
	for (char *sa = NULL, *ta = strtok_r(ca, ",", &sa); ta != NULL; ta = strtok_r(NULL, ",", &sa)) {
		size_t tl = strlen(ta);
		for (const char *p = b; p != NULL && *p != '\0';) {
			const char *end = strchr(p, ',');
			size_t l = end ? (size_t)(end - p) : strlen(p);
			if (l == tl && strncmp(p, ta, l) == 0)
				return true;
			p = end ? end + 1 : NULL;
		}
	}
	return false;
}

/* The calling process's cgroup path for hierarchy h (controllers NULL = v2), heap. */
static char *own_path(const char *proc_cgroup, const char *controllers)
{
	_cleanup_free_ char *copy = strdup(proc_cgroup);
	if (copy == NULL)
		return NULL;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		if (c1 == NULL)
			continue;
		char *c2 = strchr(c1 + 1, ':');
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1;
		const char *path = c2 + 1;
		if (controllers == NULL) {
			if (strncmp(line, "0:", 2) == 0 && ctrls[0] == '\0')
				return strdup(path);
		} else if (ctrls[0] != '\0' && lists_intersect(controllers, ctrls)) {
			return strdup(path);
		}
	}
	return strdup("/");
}

static int add_hierarchy(struct cgroup_layout *l, const char *controllers, const char *mount, const char *root,
			 const char *proc_cgroup, strata_error_t *err)
{
	for (size_t i = 0; i < l->n; i++) {
		/* The same hierarchy mounted twice (bind mounts): keep the first. */
		if (controllers == NULL && l->h[i].controllers == NULL)
			return 0;
		if (controllers != NULL && l->h[i].controllers != NULL && strcmp(controllers, l->h[i].controllers) == 0)
			return 0;
	}
	struct cgroup_hierarchy *nh = realloc(l->h, (l->n + 1) * sizeof(*nh));
	if (nh == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup layout");
	l->h = nh;
	struct cgroup_hierarchy *h = &l->h[l->n];
	memset(h, 0, sizeof(*h));
	h->controllers = controllers ? strdup(controllers) : NULL;
	h->mount = strdup(mount);
	h->mount_root = strdup(root);
	char *own = own_path(proc_cgroup, controllers);
	/* The process's path is shown from the hierarchy root; the mount may show a subtree. */
	if (own != NULL && h->mount_root != NULL && strcmp(h->mount_root, "/") != 0) {
		size_t rl = strlen(h->mount_root);
		if (strncmp(own, h->mount_root, rl) == 0 && (own[rl] == '/' || own[rl] == '\0')) {
			char *s = strdup(own[rl] ? own + rl : "/");
			free(own);
			own = s;
		}
	}
	h->own = own;
	l->n++;
	if ((controllers && h->controllers == NULL) || h->mount == NULL || h->mount_root == NULL || h->own == NULL)
		return strata_error_errno(err, ENOMEM, "cgroup layout");
	return 0;
}

/* One mountinfo line: its mount id, parent id and mount point (not NUL-ended). */
struct mi_entry {
	char *line;
	long id, parent;
	const char *mp;
	size_t mp_len;
};

/* Field n (0-based, space-separated) of line, its length in *len; NULL if absent. */
static const char *mi_field(const char *line, int n, size_t *len)
{
	const char *p = line;
	for (int i = 0; i < n; i++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return NULL;
		p++;
	}
	*len = strcspn(p, " ");
	return *len > 0 ? p : NULL;
}

/*
 * Is mount e hidden from path lookups?  Covered: a later line (mountinfo
 * lists a namespace's mounts in the order they were made) has the same mount
 * point, so the last mount on a mount point wins.  A mount whose parent
 * mount is hidden is hidden as well (an over-mounted /sys/fs/cgroup tmpfs
 * takes every hierarchy under it along).  The parent is followed by id, never
 * by order: the root mount may be listed after its children.
 */
static bool same_mp(const struct mi_entry *a, const struct mi_entry *b)
{
	return a->mp_len == b->mp_len && memcmp(a->mp, b->mp, a->mp_len) == 0;
}

static bool mi_hidden(const struct mi_entry *e, size_t n, size_t i)
{
	size_t child = n;
	for (size_t depth = 0; depth <= n; depth++) {
		/* A parent on the same mount point as its child is covered by that
		 * child (or by a later mount, which then covers the child too). */
		if (child == n || !same_mp(&e[child], &e[i]))
			for (size_t j = i + 1; j < n; j++)
				if (same_mp(&e[j], &e[i]))
					return true;
		size_t p = n;
		for (size_t j = 0; j < n; j++)
			if (j != i && e[j].id == e[i].parent) {
				p = j;
				break;
			}
		if (p == n)
			return false; /* the parent is outside what mountinfo shows (the root's) */
		child = i;
		i = p;
	}
	return false; /* a parent loop: not a real mount tree, leave it visible */
}

int cgroup_layout_parse(const char *mountinfo, const char *proc_cgroup, struct cgroup_layout *out,
			strata_error_t *err)
{
	struct cgroup_layout l = { 0 };
	struct cgroup_layout v2 = { 0 };
	_cleanup_free_ char *copy = strdup(mountinfo);
	if (copy == NULL)
		return strata_error_errno(err, ENOMEM, "parse mountinfo");
	size_t cap = 1;
	for (const char *c = copy; *c != '\0'; c++)
		cap += *c == '\n';
	_cleanup_free_ struct mi_entry *e = calloc(cap, sizeof(*e));
	if (e == NULL)
		return strata_error_errno(err, ENOMEM, "parse mountinfo");
	size_t n = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line != NULL && n < cap;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mi_entry *m = &e[n];
		m->mp = mi_field(line, 4, &m->mp_len);
		if (m->mp == NULL || sscanf(line, "%ld %ld", &m->id, &m->parent) != 2)
			continue;
		m->line = line;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		char *line = e[i].line;
		char *sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		char fstype[64], superopts[1024];
		if (sscanf(sep + 3, "%63s %*s %1023s", fstype, superopts) != 2)
			continue;
		bool is_v2 = strcmp(fstype, "cgroup2") == 0;
		if (!is_v2 && strcmp(fstype, "cgroup") != 0)
			continue;
		/* An over-mounted hierarchy is out of reach: its files are not
		 * the ones a path under its mount point names. */
		if (mi_hidden(e, n, i))
			continue;
		*sep = '\0'; /* the fields before " - " (e[].mp lies there, length-bounded) */
		char root[4096], mnt[4096];
		int got = sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt);
		*sep = ' ';
		if (got != 2)
			continue;
		int r;
		if (is_v2) {
			r = add_hierarchy(&v2, NULL, mnt, root, proc_cgroup, err);
		} else {
			_cleanup_free_ char *ctrls = controllers_from_superopts(superopts);
			if (ctrls == NULL) {
				r = strata_error_errno(err, ENOMEM, "parse mountinfo");
			} else if (ctrls[0] == '\0') {
				r = 0; /* a v1 mount without controllers or name: nothing to join */
			} else {
				r = add_hierarchy(&l, ctrls, mnt, root, proc_cgroup, err);
			}
		}
		if (r < 0) {
			cgroup_layout_free(&l);
			cgroup_layout_free(&v2);
			return -1;
		}
	}
	if (l.n == 0 && v2.n == 0)
		return strata_error_set(err, ENOENT, "no cgroup hierarchy is mounted");
	l.mode = l.n == 0 ? CGROUP_MODE_V2 : (v2.n > 0 ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1);
	if (v2.n > 0) {
		struct cgroup_hierarchy *nh = realloc(l.h, (l.n + 1) * sizeof(*nh));
		if (nh == NULL) {
			cgroup_layout_free(&l);
			cgroup_layout_free(&v2);
			return strata_error_errno(err, ENOMEM, "cgroup layout");
		}
		l.h = nh;
		l.h[l.n++] = v2.h[0];
		for (size_t i = 1; i < v2.n; i++) {
			free(v2.h[i].mount);
			free(v2.h[i].mount_root);
			free(v2.h[i].own);
		}
		free(v2.h);
	}
	*out = l;
	return 0;
}

int cgroup_layout_detect(struct cgroup_layout *out, strata_error_t *err)
{
	_cleanup_free_ char *mountinfo = NULL;
	_cleanup_free_ char *proc_cgroup = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
		return -1;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &proc_cgroup, NULL, err) < 0)
		return -1;
	return cgroup_layout_parse(mountinfo, proc_cgroup, out, err);
}
