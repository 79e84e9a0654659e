/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_guest_config.h - the config.json the vm level's host sends to the guest
 * agent (CREATE, kvm-shim/agent_protocol.h).
 *
 * The hooks whose path resolves in the runtime namespace are the host's:
 * prestart, createRuntime, poststart and poststop run on the host, in
 * strata's namespaces (vm_level.c, lifecycle.c), and createContainer names
 * a host binary run in the container's namespaces, which a guest cannot
 * reach.  The guest's runtime must not see any of them, or it would try to
 * run host paths inside the guest.  startContainer resolves in the
 * container's namespace (its rootfs, shared with the guest), so the guest
 * runs it, as the native level would.
 * The host paths of bind-mount sources mean nothing in the guest either:
 * those shared through the staging directory (vm_shares.h) get the guest
 * path of their entry as `source`.
 * Source: runtime-spec v1.3.0 config.md#posix-platform-hooks, #mounts.
 */
#ifndef STRATA_RUNTIME_VM_GUEST_CONFIG_H
#define STRATA_RUNTIME_VM_GUEST_CONFIG_H

#include <stddef.h>

#include "../common/error.h"

/*
 * vm_guest_config_json - config.json text (len bytes) with every hook but
 * `hooks.startContainer` left out (and `hooks` itself when nothing is
 * left); all other members are kept as written.  Returns compact JSON
 * (heap, NUL-terminated, owned by the caller; *out_len its length), or NULL
 * with *err set: EINVAL for text that is not JSON, ENOMEM.
 */
char *vm_guest_config_json(const char *text, size_t len, size_t *out_len, strata_error_t *err);

/* A new `source` for one entry of `mounts`: the guest's path of a host
 * bind source (vm_shares.h). */
struct vm_guest_source {
	size_t mount_index; /* index in the config's `mounts` array */
	char *source;       /* the guest path written instead (owned by whoever built the array) */
};

/*
 * vm_guest_config_rewrite - vm_guest_config_json(), and also the `source`
 * member of mounts[src[i].mount_index] replaced by src[i].source for each
 * of the n entries (src may be NULL when n is 0); every other member of
 * that mount (destination, type, options) is kept.  Returns compact JSON
 * (heap, NUL-terminated, owned by the caller; *out_len its length), or
 * NULL with *err set: EINVAL for text that is not JSON, or an index that
 * names no mount object with a string `source`; ENOMEM.
 */
char *vm_guest_config_rewrite(const char *text, size_t len, const struct vm_guest_source *src, size_t n,
			      size_t *out_len, strata_error_t *err);

#endif
