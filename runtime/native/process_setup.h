/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * process_setup.h - the plain process attributes the native init applies
 * before execve: rlimits, oomScoreAdj, the executable lookup in the
 * container's PATH, and the environment.
 * Source: runtime-spec v1.3.0 config.md#process, setrlimit(2), proc(5)
 * /proc/PID/oom_score_adj, execvp(3) PATH search semantics.
 */
#ifndef STRATA_RUNTIME_NATIVE_PROCESS_SETUP_H
#define STRATA_RUNTIME_NATIVE_PROCESS_SETUP_H

#include "../../common/error.h"
#include <sys/types.h>

#include "../../oci-spec/config.h"

/*
 * rlimit_from_name - the RLIMIT_* resource number of a spec name such as
 * "RLIMIT_NOFILE" (all 16 Linux names).  Returns -1 for an unknown name.
 */
int rlimit_from_name(const char *name);

/*
 * rlimits_apply - setrlimit(2) for each of p->rlimits (soft/hard as given;
 * raising a hard limit needs CAP_SYS_RESOURCE).  Errors: EINVAL "unknown
 * rlimit `X`", or the setrlimit errno "setrlimit RLIMIT_NOFILE: ...".
 */
int rlimits_apply(const struct oci_process *p, strata_error_t *err);

/*
 * oom_score_adj_apply - write p->oom_score_adj (-1000..1000) to
 * /proc/self/oom_score_adj when set.  Lowering it needs CAP_SYS_RESOURCE.
 * Errors: "failed to update /proc/self/oom_score_adj: <errno>" (runc's text).
 */
int oom_score_adj_apply(const struct oci_process *p, strata_error_t *err);

/*
 * exec_path_resolve - find the program of args[0] as execve would run it,
 * in the calling process's (already pivoted) root: a name with a '/' is used
 * as is; a bare name is searched in PATH taken from env (NULL-terminated
 * "K=V" list; no PATH means no search).  The file must exist, be a regular
 * file and have an execute bit.  *out is a heap string owned by the caller.
 * Errors (podman/containerd match these texts):
 *   ENOENT `exec: "foo": executable file not found in $PATH`
 *   ENOENT `exec: "/x": stat /x: no such file or directory`
 *   EACCES `exec: "/x": permission denied`
 */
int exec_path_resolve(const char *arg0, char *const *env, char **out, strata_error_t *err);

/*
 * env_lookup - the value of `name` in a "K=V" list (NULL-terminated), or NULL.
 * Memory stays owned by env.
 */
const char *env_lookup(char *const *env, const char *name);

/*
 * passwd_home - the home directory of uid in /etc/passwd as the calling
 * process sees it (call it inside the container's root), for the HOME that
 * runc adds when process.env has none.  "/" when the file, the user or the
 * field is missing.  Returns a heap string owned by the caller, or NULL when
 * out of memory.  Source: passwd(5).
 */
char *passwd_home(uid_t uid);

#endif
