/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_resume.c - `strata resume ID`: thaw a paused container's cgroup (v1
 * freezer.state THAWED, v2 cgroup.freeze 0) and return once the kernel
 * reports it thawed.  A container that is not paused gives runc's
 * "container not paused".
 * Source: client-contract.md §3.1 (ctr task resume), §3.2 (podman unpause).
 */
#include <errno.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "container.h"
#include "options.h"

int cmd_resume(const struct strata_global_opts *g, int argc, char **argv)
{
	const struct opt_spec specs[] = { { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	const char *id = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("resume", argc, argv, first, &err)) == NULL ||
	    container_load(g->root, id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0)
		goto fail;
	if (container_status(c) != CONTAINER_PAUSED || c->cgroup == NULL) {
		strata_error_set(&err, EINVAL, "container not paused");
		goto fail;
	}
	if (cgroup_freeze(c->cgroup, false, &err) < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
