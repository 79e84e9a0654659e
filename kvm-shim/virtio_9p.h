/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio_9p.h - virtio-9p (device id 9): a host directory for the guest to
 * mount with `mount -t 9p -o trans=virtio,version=9p2000.L TAG DIR`.
 * One request queue; each chain carries one T-message (readable part) and
 * room for the R-message (writable part), answered by p9_server.c.
 * Source: virtio 1.2 §5.13 (9P transport), config = tag_len[2] + tag.
 */
#ifndef STRATA_KVM_VIRTIO_9P_H
#define STRATA_KVM_VIRTIO_9P_H

#include <stdbool.h>

#include "common/error.h"

struct vm;

#define VIRTIO_ID_9P 9
/* Longest mount tag (bytes). */
#define VIRTIO_9P_MAX_TAG 64

/*
 * vm_add_virtio_9p - share host directory `dir` under mount tag `tag`
 * (read-only when read_only).  Errors: EINVAL for an empty or too long tag,
 * the share's open errno, errors of vm_add_virtio.
 */
int vm_add_virtio_9p(struct vm *vm, const char *tag, const char *dir, bool read_only, strata_error_t *err);

#endif
