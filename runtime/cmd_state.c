/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_state.c - `strata state ID`: runc's state JSON, indented.
 */
#include <stdio.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "container.h"
#include "options.h"

int cmd_state(const struct strata_global_opts *g, int argc, char **argv)
{
	const struct opt_spec specs[] = { { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *json = NULL;
	int first = 0;
	const char *id = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("state", argc, argv, first, &err)) == NULL ||
	    container_load(g->root, id, CONTAINER_LOCK_SHARED, &c, &err) < 0 ||
	    (json = container_state_json(c, true, &err)) == NULL) {
		log_error("%s", err->msg);
		return 1;
	}
	printf("%s\n", json);
	return 0;
}
