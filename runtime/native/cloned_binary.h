/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloned_binary.h - protection against overwriting the runtime's binary
 * from inside a container (CVE-2019-5736 class).
 *
 * The attack: a container process opens /proc/<pid>/exe of a runtime
 * process that has entered the container (create's init before execve,
 * `exec` joining the namespaces, or its own /proc/self/exe after the
 * container's entrypoint is `#!/proc/self/exe`), waits for the exec, and
 * writes to the host's runtime binary through that link.
 *
 * The protection: `create`, `run` and `exec` re-execute the runtime from a
 * sealed memfd copy of its binary (memfd_create MFD_ALLOW_SEALING, sealed
 * F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_WRITE, then fexecve with the
 * same argv and environ).  The copy holds the executable image only (the
 * file up to the end of the last part a program header describes), with the
 * section header table dropped from its ELF header: the debug information
 * of a -g build is most of the file and copying it was the largest single
 * cost of a container start.  Every process that ever enters the container
 * then has /proc/PID/exe pointing at that sealed memfd: opening it for
 * writing fails (EPERM), and the host file is never reachable from it.
 * A process already running from a sealed memfd is detected with
 * F_GET_SEALS on /proc/self/exe, so there is no re-exec loop and no
 * environment marker to forge.
 *
 * Source: CVE-2019-5736 advisory; memfd_create(2), fcntl(2) file sealing,
 * fexecve(3), proc(5) /proc/pid/exe.
 */
#ifndef STRATA_RUNTIME_NATIVE_CLONED_BINARY_H
#define STRATA_RUNTIME_NATIVE_CLONED_BINARY_H

#include <stdbool.h>

#include "../../common/error.h"

/*
 * cloned_binary_ensure - when the running binary is not already a sealed
 * memfd, copy /proc/self/exe into one, seal it and fexecve(argv, environ);
 * on success it does not return.  Call at the very top of main() for the
 * commands that enter a container (create, run, exec), before anything
 * else opens files or starts threads.  argv must be main's argv
 * (NULL-terminated).
 * Returns 0 when already running from a sealed copy, or -1 with *err set
 * (memfd_create/copy/seal/fexecve errno); the caller should then fail the
 * command rather than run unprotected.
 */
int cloned_binary_ensure(char **argv, strata_error_t *err);

/* cloned_binary_is_sealed - true when /proc/self/exe is a write-sealed memfd. */
bool cloned_binary_is_sealed(void);

#endif
