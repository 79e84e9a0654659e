/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idmap.h - idmapped bind mounts (runtime-spec mount uidMappings/gidMappings,
 * options idmap and ridmap): a user namespace carrying the mount's mappings
 * is made, and its fd is given to mount_setattr(MOUNT_ATTR_IDMAP) on the
 * detached bind before it is attached.
 *
 * Source: runtime-spec v1.3.0 config.md#mounts (uidMappings, gidMappings),
 * mount_setattr(2) MOUNT_ATTR_IDMAP, user_namespaces(7) (writing uid_map).
 */
#ifndef STRATA_RUNTIME_NATIVE_IDMAP_H
#define STRATA_RUNTIME_NATIVE_IDMAP_H

#include <stddef.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * idmap_userns_open - make a new user namespace whose uid_map and gid_map
 * hold the given mappings (containerID -> hostID, size), in a short-lived
 * child that shares our fd table, and return an fd of that namespace
 * (/proc/self/ns/user of the child; owned by the caller).  Both lists must
 * be non-empty, at most 340 entries each (the kernel's limit).
 * Returns the fd, or -1 with *err set (the failing step; EINVAL for empty
 * or too long lists).
 */
int idmap_userns_open(const struct oci_id_mapping *uids, size_t nuids, const struct oci_id_mapping *gids,
		      size_t ngids, strata_error_t *err);

/*
 * idmap_format - write mappings as the kernel's uid_map text ("inside
 * outside count\n" per entry) into buf of size len.  Returns the length, or
 * -1 when it does not fit.  Pure; unit-tested.
 */
int idmap_format(const struct oci_id_mapping *m, size_t n, char *buf, size_t len);

#endif
