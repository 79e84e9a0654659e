/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices_v1.c - device rules written to the v1 devices controller:
 * devices.deny "a" (deny everything), then each rule in order to
 * devices.allow / devices.deny as "TYPE MAJOR:MINOR ACCESS" ("*" = any).
 * Source: kernel Documentation/admin-guide/cgroup-v1/devices.rst.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The v1 text of a rule: "c 1:3 rwm", "a *:* rwm". */
static int rule_text(const struct oci_device_cgroup *d, char *buf, size_t len, strata_error_t *err)
{
	const char *t = d->type ? d->type : "a";
	const char *acc = d->access ? d->access : "rwm";
	if (strcmp(t, "a") != 0 && strcmp(t, "c") != 0 && strcmp(t, "b") != 0)
		return strata_error_set(err, EINVAL, "linux.resources.devices: invalid type `%s`", t);
	if (acc[strspn(acc, "rwm")] != '\0')
		return strata_error_set(err, EINVAL, "linux.resources.devices: invalid access `%s`", acc);
	char ma[24] = "*", mi[24] = "*";
	if (d->has_major && d->major >= 0)
		snprintf(ma, sizeof(ma), "%lld", (long long)d->major);
	if (d->has_minor && d->minor >= 0)
		snprintf(mi, sizeof(mi), "%lld", (long long)d->minor);
	snprintf(buf, len, "%s %s:%s %s", t, ma, mi, acc);
	return 0;
}

int cgroup_v1_apply_devices(const char *dir, const struct oci_device_cgroup *rules, size_t n, strata_error_t *err)
{
	/* Deny everything first, then open what the rules allow, in order. */
	if (cg_write(dir, "devices.deny", err, "a") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char text[96];
		if (rule_text(&rules[i], text, sizeof(text), err) < 0)
			return -1;
		if (cg_write(dir, rules[i].allow ? "devices.allow" : "devices.deny", err, "%s", text) < 0)
			return -1;
	}
	return 0;
}
