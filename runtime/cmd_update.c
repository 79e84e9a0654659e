/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_update.c - `strata update [FLAGS] ID`: change the resources of a live
 * container's cgroup.  `--resources FILE|-` (or `--resources=FILE`, `-r`)
 * reads a linux.resources JSON object (CRI sends it on stdin, podman as a
 * file); otherwise runc's per-resource flags (cgroups/update_flags.h).
 * Only the fields given change; device rules are never changed by update
 * (runc's update does not apply them either: the CRI sends a "deny all"
 * devices list with every update).
 * Source: client-contract.md §3.1 (CRI UpdateContainerResources), §3.2
 * (podman update), runc update --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cgroups/update_flags.h"
#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "commands.h"
#include "container.h"

static int read_fd_all(int fd, char **out, size_t *len, strata_error_t *err)
{
	size_t cap = 4096, used = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	for (;;) {
		if (buf == NULL)
			return strata_error_errno(err, ENOMEM, "read resources");
		if (used == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (nb == NULL)
				return strata_error_errno(err, ENOMEM, "read resources");
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return strata_error_errno(err, errno, "read resources from stdin");
		if (r == 0)
			break;
		used += (size_t)r;
	}
	buf[used] = '\0';
	*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

static void resources_freep(struct oci_resources **r)
{
	oci_resources_free(*r);
	*r = NULL;
}

int cmd_update(const struct strata_global_opts *g, int argc, char **argv)
{
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *json = NULL;
	__attribute__((cleanup(resources_freep))) struct oci_resources *parsed = NULL;
	struct cgroup_update_flags f;
	if (cgroup_update_parse_flags(argc, argv, &f, &err) < 0)
		goto fail;
	if (container_load(g->root, f.id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0)
		goto fail;
	if (container_status(c) == CONTAINER_STOPPED) {
		strata_error_set(&err, EINVAL, "container not running");
		goto fail;
	}
	if (c->cgroup == NULL) {
		strata_error_set(&err, ENOTSUP, "container `%s` has no cgroup to update", f.id);
		goto fail;
	}
	const struct oci_resources *r = &f.res;
	if (f.resources_file != NULL) {
		size_t len = 0;
		int rr = strcmp(f.resources_file, "-") == 0 ? read_fd_all(0, &json, &len, &err)
							     : read_file_at(AT_FDCWD, f.resources_file, &json, &len, &err);
		if (rr < 0 || oci_resources_parse("resources", json, len, &parsed, &err) < 0)
			goto fail;
		r = parsed;
	}
	if (cgroup_update(c->cgroup, r, &err) < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
