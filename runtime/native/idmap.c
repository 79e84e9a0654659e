/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idmap.c - a user namespace holding an idmapped mount's mappings.
 * See idmap.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "idmap.h"

/* The kernel accepts at most 340 lines in uid_map/gid_map (user_namespaces(7)). */
#define IDMAP_MAX_LINES 340
#define IDMAP_BUF (IDMAP_MAX_LINES * 36)
#define IDMAP_STACK (64 * 1024)

int idmap_format(const struct oci_id_mapping *m, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, len - off, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= len - off)
			return -1;
		off += (size_t)w;
	}
	return (int)off;
}

struct idmap_child {
	int to_parent[2];   /* child -> parent: the fd number of its /proc/self */
	int from_parent[2]; /* parent -> child: done, exit */
};

/*
 * Runs in a child sharing our fd table (CLONE_FILES): it enters a new user
 * namespace and opens its /proc/self, whose fd the parent then finds in the
 * shared table.  The parent (still in our namespace, with CAP_SETUID and
 * CAP_SETGID over the new one's parent, as user_namespaces(7) requires of
 * the writer) writes the maps and opens ns/user through that directory.
 */
static int idmap_child_main(void *arg)
{
	struct idmap_child *a = arg;
	int fd = -1;
	if (unshare(CLONE_NEWUSER) == 0)
		fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (write_all(a->to_parent[1], &fd, sizeof(fd)) < 0)
		return 1;
	char done;
	(void)read_all(a->from_parent[0], &done, 1);
	return 0;
}

static int write_map(int procdir, const char *file, const char *map, strata_error_t *err)
{
	_cleanup_close_ int fd = openat(procdir, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "idmapped mount: open %s", file);
	if (write_all(fd, map, strlen(map)) < 0)
		return strata_error_errno(err, errno, "idmapped mount: write %s", file);
	return 0;
}

int idmap_userns_open(const struct oci_id_mapping *uids, size_t nuids, const struct oci_id_mapping *gids,
		      size_t ngids, strata_error_t *err)
{
	if (nuids == 0 || ngids == 0 || nuids > IDMAP_MAX_LINES || ngids > IDMAP_MAX_LINES)
		return strata_error_set(err, EINVAL, "idmapped mount: need 1 to %d uid and gid mappings",
					IDMAP_MAX_LINES);
	_cleanup_free_ char *umap = malloc(IDMAP_BUF);
	_cleanup_free_ char *gmap = malloc(IDMAP_BUF);
	_cleanup_free_ char *stack = malloc(IDMAP_STACK);
	if (umap == NULL || gmap == NULL || stack == NULL)
		return strata_error_errno(err, ENOMEM, "idmapped mount");
	if (idmap_format(uids, nuids, umap, IDMAP_BUF) < 0 || idmap_format(gids, ngids, gmap, IDMAP_BUF) < 0)
		return strata_error_set(err, EINVAL, "idmapped mount: mappings too long");
	struct idmap_child a;
	if (pipe2(a.to_parent, O_CLOEXEC) < 0)
		return strata_error_errno(err, errno, "idmapped mount: pipe");
	if (pipe2(a.from_parent, O_CLOEXEC) < 0) {
		int e = errno;
		close(a.to_parent[0]);
		close(a.to_parent[1]);
		return strata_error_errno(err, e, "idmapped mount: pipe");
	}
	int ret = -1, procdir = -1;
	pid_t pid = clone(idmap_child_main, stack + IDMAP_STACK, CLONE_FILES | SIGCHLD, &a);
	if (pid < 0) {
		strata_error_errno(err, errno, "idmapped mount: clone");
		goto out;
	}
	if (read_all(a.to_parent[0], &procdir, sizeof(procdir)) != (ssize_t)sizeof(procdir) || procdir < 0) {
		procdir = -1;
		strata_error_set(err, EPERM, "idmapped mount: could not make a user namespace");
		goto wait;
	}
	if (write_map(procdir, "uid_map", umap, err) < 0 || write_map(procdir, "gid_map", gmap, err) < 0)
		goto wait;
	ret = openat(procdir, "ns/user", O_RDONLY | O_CLOEXEC);
	if (ret < 0)
		strata_error_errno(err, errno, "idmapped mount: open ns/user");
wait:
	if (procdir >= 0)
		close(procdir);
	(void)write_all(a.from_parent[1], "x", 1);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	close(a.to_parent[0]);
	close(a.to_parent[1]);
	close(a.from_parent[0]);
	close(a.from_parent[1]);
	return ret;
}
