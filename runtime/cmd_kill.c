/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_kill.c - `strata kill [--all|-a] ID [SIGNAL]` (default SIGTERM; a
 * number, a name, or a name with the SIG prefix).
 */
#include <errno.h>
#include <signal.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "commands.h"
#include "lifecycle.h"
#include "options.h"

static int kill_container(struct container *c, bool all, int sig, strata_error_t *err)
{
	enum container_status s = container_status(c);
	if (all) {
		/* runc exits 0 for --all on a stopped container (the CRI sends it before every delete). */
		if (c->cgroup == NULL)
			return 0;
		return cgroup_kill_all(c->cgroup, sig, err);
	}
	pid_t pid = container_init_pid(c);
	if (s == CONTAINER_STOPPED || pid == 0)
		return strata_error_set(err, ESRCH, "container not running");
	if (kill(pid, sig) < 0)
		return strata_error_errno(err, errno, "kill container");
	return 0;
}

int cmd_kill(const struct strata_global_opts *g, int argc, char **argv)
{
	bool all = false;
	const struct opt_spec specs[] = { { "all", 'a', OPT_BOOL, &all }, { NULL, 0, 0, NULL } };
	_cleanup_error_ strata_error_t err = NULL;
	_cleanup_container_ struct container *c = NULL;
	int first = 0;
	if (opts_parse(specs, argc, argv, &first, &err) < 0)
		goto fail;
	if (argc - first < 1 || argc - first > 2) {
		strata_error_set(&err, EINVAL, "\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
		goto fail;
	}
	int sig = SIGTERM;
	if (argc - first == 2 && (sig = signal_parse(argv[first + 1])) < 0) {
		strata_error_set(&err, EINVAL, "unknown signal \"%s\"", argv[first + 1]);
		goto fail;
	}
	if (container_load(g->root, argv[first], CONTAINER_LOCK_EXCLUSIVE, &c, &err) < 0 ||
	    kill_container(c, all, sig, &err) < 0)
		goto fail;
	return 0;
fail:
	log_error("%s", err->msg);
	return 1;
}
