/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hooks.h - running the config's lifecycle hooks.
 *
 * The caller chooses the moment and the namespaces (runtime-spec
 * config.md#posix-platform-hooks): prestart and createRuntime in the
 * runtime's namespaces after the container's namespaces exist;
 * createContainer in the container's namespaces before pivot_root;
 * startContainer in the container right before the user process is
 * executed; poststart after the process has started and poststop after it
 * is deleted, both in the runtime's namespaces.  A failing hook before the
 * process starts fails that step (the caller rolls back); the caller logs
 * poststart and poststop failures as warnings and carries on.
 *
 * Source: runtime-spec v1.3.0 config.md#posix-platform-hooks,
 * runtime.md#lifecycle, runtime.md#state.
 */
#ifndef STRATA_RUNTIME_NATIVE_HOOKS_H
#define STRATA_RUNTIME_NATIVE_HOOKS_H

#include <stddef.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * hooks_run - run hooks[0..n-1] one after another, each as
 * fork + execve(path, args, env): argv is args (or {path} when args is
 * empty), env is the hook's env (or the runtime's environment when env is
 * absent, as runc does), stdin is a memfd holding state_json (the
 * runtime-spec state of the container), stdout and stderr go to a pipe
 * whose last 512 bytes are kept for the error message.  A hook with a
 * timeout (seconds) is killed with SIGKILL when it runs longer.
 * `kind` is the spec's name of the list ("prestart", "createRuntime", ...),
 * used in messages.  The next hook starts only when the previous one
 * succeeded.
 * Returns 0, or -1 with *err set: "<kind> hook #<i> `<path>`: exited with
 * status N: <output tail>", "... killed by signal N", "... timed out after
 * T s", or the fork/execve errno ("... : No such file or directory").
 */
int hooks_run(const struct oci_hook *hooks, size_t n, const char *kind, const char *state_json,
	      strata_error_t *err);

#endif
