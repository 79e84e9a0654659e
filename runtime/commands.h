/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - the strata CLI's command table interface.
 *
 * Each command lives in its own file runtime/cmd_<name>.c and has the
 * signature below.  argv[0] is the command name; the command parses its own
 * flags (runc's forms: `--flag value`, `--flag=value`, short forms) from
 * argv[1..argc-1].  It returns the process exit status (0 success, 1 failure,
 * or the container's status for `run`/`exec`); it reports failures through
 * log_error() (common/log.h) before returning.
 * Source: ../shared/design.md §3, ../shared/client-contract.md §3.
 */
#ifndef STRATA_RUNTIME_COMMANDS_H
#define STRATA_RUNTIME_COMMANDS_H

#include <stdbool.h>

#include "../common/log.h"

enum isolation_level_id { ISOLATION_NATIVE, ISOLATION_SENTRY, ISOLATION_VM };

/* The parsed global options (design.md §3); the only process-wide state. */
struct strata_global_opts {
	const char *root;            /* --root, default /run/strata */
	const char *log;             /* --log FILE or NULL */
	enum log_format log_format;  /* --log-format */
	bool debug;                  /* --debug */
	bool systemd_cgroup;         /* --systemd-cgroup */
	bool has_isolation;          /* --isolation given */
	enum isolation_level_id isolation; /* --isolation value */
	enum isolation_level_id argv0_level; /* from the binary name: strata-sentry, strata-vm */
	const char *criu;            /* --criu, accepted and ignored */
	bool rootless;               /* --rootless true|false|auto, resolved (runtime/rootless.h) */
	const char *self_exe;        /* absolute path of the running binary (/proc/self/exe) */
};

typedef int (*strata_command_fn)(const struct strata_global_opts *g, int argc, char **argv);

int cmd_spec(const struct strata_global_opts *g, int argc, char **argv);
int cmd_create(const struct strata_global_opts *g, int argc, char **argv);
int cmd_start(const struct strata_global_opts *g, int argc, char **argv);
int cmd_run(const struct strata_global_opts *g, int argc, char **argv);
int cmd_state(const struct strata_global_opts *g, int argc, char **argv);
int cmd_list(const struct strata_global_opts *g, int argc, char **argv);
int cmd_kill(const struct strata_global_opts *g, int argc, char **argv);
int cmd_delete(const struct strata_global_opts *g, int argc, char **argv);
int cmd_exec(const struct strata_global_opts *g, int argc, char **argv);
int cmd_ps(const struct strata_global_opts *g, int argc, char **argv);
int cmd_pause(const struct strata_global_opts *g, int argc, char **argv);
int cmd_resume(const struct strata_global_opts *g, int argc, char **argv);
int cmd_events(const struct strata_global_opts *g, int argc, char **argv);
int cmd_update(const struct strata_global_opts *g, int argc, char **argv);
int cmd_features(const struct strata_global_opts *g, int argc, char **argv);
int cmd_compare(const struct strata_global_opts *g, int argc, char **argv);
int cmd_syscalls(const struct strata_global_opts *g, int argc, char **argv);

#endif
