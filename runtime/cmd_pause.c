/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_pause.c - `strata pause ID`: freeze every process of the container's
 * cgroup (v1 freezer.state FROZEN, v2 cgroup.freeze 1) and return once the
 * kernel reports it frozen.  Afterwards `state` shows "paused" (the status is
 * computed live from the freezer).  Only a created or running container can
 * be paused; otherwise runc's "container not running".
 * Source: runtime-spec runtime.md (no pause in the spec; runc's command),
 * client-contract.md §3.1 (ctr task pause).
 */
#include <errno.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "container.h"
#include "options.h"

int cmd_pause(const struct strata_global_opts *g, int argc, char **argv)
{
	const struct opt_spec specs[] = { { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	const char *id = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("pause", argc, argv, first, &err)) == NULL ||
	    container_load(g->root, id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0)
		goto fail;
	enum container_status s = container_status(c);
	if (s != CONTAINER_RUNNING && s != CONTAINER_CREATED) {
		strata_error_set(&err, EINVAL, "container not running");
		goto fail;
	}
	if (c->cgroup == NULL) {
		strata_error_set(&err, ENOTSUP, "container `%s` has no cgroup to freeze", id);
		goto fail;
	}
	if (cgroup_freeze(c->cgroup, true, &err) < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
