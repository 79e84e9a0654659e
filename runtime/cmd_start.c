/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_start.c - `strata start ID`: release a created container's init.
 */
#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "lifecycle.h"
#include "options.h"

int cmd_start(const struct strata_global_opts *g, int argc, char **argv)
{
	const struct opt_spec specs[] = { { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	const char *id = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("start", argc, argv, first, &err)) == NULL ||
	    container_load(g->root, id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0 || lifecycle_start(c, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	return 0;
}
