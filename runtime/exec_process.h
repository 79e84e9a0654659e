/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_process.h - the process `strata exec` runs: read from `--process
 * FILE` or built from the inline flags, then completed with the container's
 * own config.json settings where the process does not override them.
 *
 * Override rules (those of runc's exec, facts only):
 *  - capabilities, rlimits, apparmorProfile, selinuxLabel, oomScoreAdj,
 *    user.umask: the process's value when present, else config.json's;
 *  - noNewPrivileges: the process's value OR config.json's (strata never
 *    lets an exec'd process escape a container's no_new_privs; runc would
 *    take the process's bool as is);
 *  - seccomp is always the container's linux.seccomp (exec_process has no
 *    field for it).
 * Inline mode (runc exec ID CMD...): env is config.json's env with each
 * --env KEY=V replacing the same KEY or appended; cwd, user, terminal from
 * --cwd, --user uid[:gid], --additional-gids, --tty, else config.json's;
 * --cap NAME adds NAME to the bounding, effective and permitted sets.
 * Source: runtime-spec v1.3.0 config.md#process; runc exec(8) flags.
 */
#ifndef STRATA_RUNTIME_EXEC_PROCESS_H
#define STRATA_RUNTIME_EXEC_PROCESS_H

#include <stdbool.h>

#include "../common/error.h"
#include "../oci-spec/config.h"
#include "options.h"

/* The inline flags of `exec` (strings point into argv). */
struct exec_inline {
	char **args;                 /* the command and its arguments (argv tail), NULL-terminated */
	int args_len;
	struct opt_strv env;         /* --env/-e KEY=VALUE, repeatable */
	const char *cwd;             /* --cwd */
	const char *user;            /* --user/-u uid[:gid] */
	struct opt_strv additional_gids; /* --additional-gids/-g, repeatable */
	struct opt_strv caps;        /* --cap/-c, repeatable */
	bool no_new_privs;           /* --no-new-privs */
	const char *apparmor;        /* --apparmor */
	const char *process_label;   /* --process-label */
	bool tty;                    /* --tty/-t */
};

/* The process to run: `parsed` is owned; `eff` is a shallow view whose
 * pointers borrow from `parsed` or from the container's config. */
struct exec_process {
	struct oci_process *parsed;
	struct oci_process eff;
	/* The process JSON as read from --process or built from the inline
	 * flags, before completion from config.json (heap, owned; json_len
	 * bytes, NUL-terminated).  The vm level sends it to the guest, whose
	 * runtime completes it from the same config. */
	char *json;
	size_t json_len;
};

/*
 * exec_process_load - read the process JSON from `file` (--process) and
 * complete it from `config` (may have no process).  tty_flag: --tty given on
 * the command line, which sets terminal as runc does.
 * Errors: the read errno ("open process file `F`: ..."), parse errors naming
 * the JSON path, EINVAL "process.args must not be empty".
 * *out is filled; release with exec_process_free().
 */
int exec_process_load(const char *file, bool tty_flag, const struct oci_config *config, struct exec_process *out,
		      strata_error_t *err);

/*
 * exec_process_inline - build the process from the inline flags and
 * config.json (see the rules above).  Errors: EINVAL "invalid --user `x`",
 * "invalid --env `x`: want KEY=VALUE", "exec: no command given"; ENOMEM.
 */
int exec_process_inline(const struct exec_inline *in, const struct oci_config *config, struct exec_process *out,
			strata_error_t *err);

/* exec_process_free - free what exec_process_load/_inline allocated. */
void exec_process_free(struct exec_process *p);

#endif
