/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * p9_server.h - a 9P2000.L file server over one shared host directory.
 *
 * The server keeps, for every fid, the path relative to the share and
 * resolves it from the share's directory fd with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) on every use: ".." and symlinks (absolute or
 * relative) are resolved as if the share were "/", so no request can reach
 * a file outside it.  Operations on a final name (mkdir, unlink, rename,
 * symlink, link, mknod) use the resolved parent's fd plus one component that
 * contains no '/' and is not "." or "..".  Device nodes cannot be created.
 * Read-only shares answer EROFS to every modifying request.
 * Mounts inside the share are crossed (no RESOLVE_NO_XDEV: the vm level
 * exports a directory of bind mounts, vm_shares.h), and a qid path holds
 * the file's device as well as its inode number, so files of different
 * filesystems never share one (qemu calls this multidevs=remap).
 * Source: the 9P2000.L message set as implemented by Linux fs/9p and
 * net/9p (include/net/9p/9p.h: message numbers, getattr/setattr masks,
 * dotl open flags, which equal x86-64 Linux O_* values).
 */
#ifndef STRATA_KVM_P9_SERVER_H
#define STRATA_KVM_P9_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Largest message size the server negotiates (bytes). */
#define P9_MAX_MSIZE (256u * 1024)
/* Most fids one client may hold at once. */
#define P9_MAX_FIDS 8192

struct p9_server;

/*
 * p9_server_new - serve directory `root` (opened O_PATH|O_DIRECTORY now, so
 * later renames of the host path do not matter).  *out is owned by the
 * caller (p9_server_free).  Errors: open errno, ENOMEM.
 */
int p9_server_new(const char *root, bool read_only, struct p9_server **out, strata_error_t *err);

/* p9_server_free - close every fid and the root. NULL is fine. */
void p9_server_free(struct p9_server *s);

/*
 * p9_server_handle - answer one request req[0..req_len) into resp[0..resp_cap).
 * Returns the response length (always a complete message: R-message or
 * Rlerror; a request too short to carry a tag gets Rlerror with tag 0xffff).
 * resp_cap must be at least 11 bytes (an Rlerror); a larger reply than
 * resp_cap is answered with Rlerror ENOBUFS... except Tread/Treaddir, which
 * shrink their count to fit.  Returns 0 when resp_cap < 11.  Not thread-safe:
 * one caller at a time.
 */
size_t p9_server_handle(struct p9_server *s, const uint8_t *req, size_t req_len, uint8_t *resp, size_t resp_cap);

/* p9_server_msize - the negotiated msize (P9_MAX_MSIZE before Tversion). */
uint32_t p9_server_msize(const struct p9_server *s);

#endif
