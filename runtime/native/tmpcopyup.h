/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tmpcopyup.h - the `tmpcopyup` mount option (a runc/crun extension that
 * podman uses): before a new tmpfs covers a directory of the image, copy
 * what that directory holds into the tmpfs, so the container still sees it.
 *
 * Source: runc's documented mount option list (runtime-spec config.md#mounts
 * refers to it); fdopendir(3), openat(2), mknodat(2), utimensat(2).
 */
#ifndef STRATA_RUNTIME_NATIVE_TMPCOPYUP_H
#define STRATA_RUNTIME_NATIVE_TMPCOPYUP_H

#include "../../common/error.h"

/*
 * tmpcopyup_copy - copy the tree under directory `src` (an fd, O_PATH is
 * fine, resolved inside the rootfs by the caller) into directory `dst` (the
 * root of the detached tmpfs, an fd from fsmount(2)).  Directories, regular
 * files, symlinks (as links, never followed), device nodes and FIFOs are
 * copied with their mode, owner and timestamps; sockets are skipped.  Every
 * step is relative to a directory fd with O_NOFOLLOW, so nothing the image
 * holds can redirect the copy.  `what` names the destination in messages.
 * At most 64 directory levels (deeper: ELOOP).
 * Returns 0, or -1 with *err set (the failing call and the entry's name).
 */
int tmpcopyup_copy(int src, int dst, const char *what, strata_error_t *err);

#endif
