/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.c - the device rule list a container gets (its v1 form is in
 * devices_v1.c, its v2 form in devices_ebpf.c).
 *
 * Who adds the defaults: the cgroup manager.  cgroup_create applies the
 * config's linux.resources.devices, then an allow rule for each linux.devices
 * entry the runtime recorded with cgroup_manager_allow_devices, then runc's
 * default allow list below, in that order; as in the kernel, a later rule
 * wins, so the defaults cannot be denied by the config (runc behaves the
 * same).  Everything else is denied: the list starts from "deny all".
 * Source: runtime-spec config-linux.md#allowed-device-list, kernel
 * Documentation/admin-guide/cgroup-v1/devices.rst; the default list is
 * runc 1.1's (facts: mknod of any device, /dev/null, random, full, tty,
 * zero, urandom, /dev/pts/ *, /dev/ptmx, /dev/net/tun).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "internal.h"

#define RULE(t, ma, mi, acc) \
	{ .allow = true, .type = (char *)(t), .has_major = (ma) >= 0, .major = (ma), .has_minor = (mi) >= 0, .minor = (mi), .access = (char *)(acc) }

static const struct oci_device_cgroup default_rules[] = {
	RULE("c", -1, -1, "m"), RULE("b", -1, -1, "m"),
	RULE("c", 1, 3, "rwm"),	  /* /dev/null */
	RULE("c", 1, 8, "rwm"),	  /* /dev/random */
	RULE("c", 1, 7, "rwm"),	  /* /dev/full */
	RULE("c", 5, 0, "rwm"),	  /* /dev/tty */
	RULE("c", 1, 5, "rwm"),	  /* /dev/zero */
	RULE("c", 1, 9, "rwm"),	  /* /dev/urandom */
	RULE("c", 136, -1, "rwm"), /* /dev/pts/ * */
	RULE("c", 5, 2, "rwm"),	  /* /dev/ptmx */
	RULE("c", 10, 200, "rwm"), /* /dev/net/tun */
};

int cgroup_devices_effective(const struct cgroup_manager *m, const struct oci_resources *r,
			     struct oci_device_cgroup **out, size_t *n, strata_error_t *err)
{
	size_t nr = r ? r->devices_len : 0;
	size_t nd = sizeof(default_rules) / sizeof(default_rules[0]);
	size_t total = nr + m->extra_devices_len + nd;
	struct oci_device_cgroup *v = calloc(total, sizeof(*v));
	if (v == NULL)
		return strata_error_errno(err, ENOMEM, "device rules");
	size_t k = 0;
	for (size_t i = 0; i < nr; i++)
		v[k++] = r->devices[i];
	for (size_t i = 0; i < m->extra_devices_len; i++)
		v[k++] = m->extra_devices[i];
	for (size_t i = 0; i < nd; i++)
		v[k++] = default_rules[i];
	*out = v;
	*n = k;
	return 0;
}
