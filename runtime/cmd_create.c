/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_create.c - `strata create [--bundle DIR] [--pid-file F] [--console-socket S]
 * [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID` (runc's create).
 */
#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "lifecycle.h"
#include "options.h"

int cmd_create(const struct strata_global_opts *g, int argc, char **argv)
{
	struct create_opts o = { .console_fd = -1 };
	const struct opt_spec specs[] = {
		{ "bundle", 'b', OPT_STRING, &o.bundle },
		{ "pid-file", 0, OPT_STRING, &o.pid_file },
		{ "console-socket", 0, OPT_STRING, &o.console_socket },
		{ "no-pivot", 0, OPT_BOOL, &o.no_pivot },
		{ "no-new-keyring", 0, OPT_BOOL, &o.no_new_keyring },
		{ "preserve-fds", 0, OPT_INT, &o.preserve_fds },
		{ NULL, 0, 0, NULL },
	};
	_cleanup_error_ strata_error_t err = NULL;
	int first = 0;
	const char *id = NULL;
	struct container *c = NULL;
	if (opts_parse(specs, argc, argv, &first, &err) < 0 || (id = opts_one_id("create", argc, argv, first, &err)) == NULL ||
	    lifecycle_create(g, id, &o, &c, &err) < 0) {
		log_error("%s", err->msg);
		return 1;
	}
	container_free(c);
	return 0;
}
