/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_delete.c - `strata delete [--force|-f] ID`.
 */
#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "lifecycle.h"
#include "options.h"

int cmd_delete(const struct strata_global_opts *g, int argc, char **argv)
{
	bool force = false;
	const struct opt_spec specs[] = { { "force", 'f', OPT_BOOL, &force }, { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	const char *id = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("delete", argc, argv, first, &err)) == NULL ||
	    container_load(g->root, id, CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0 || lifecycle_delete(c, force, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	return 0;
}
