/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * creds.c - capability sets (libcap-ng), groups, gid and uid of the
 * container process.  See creds.h.
 */
#include "creds.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/capability.h>

#include "../../common/cleanup.h"
#include "../../common/log.h"
#include "../../common/util.h"

int cap_from_name(const char *name)
{
	if (name == NULL || *name == '\0')
		return -1;
	const char *bare = name;
	if (strncasecmp(bare, "CAP_", 4) == 0)
		bare += 4;
	if (*bare == '\0')
		return -1;
	/* capng_name_to_capability compares case-insensitively and also
	 * accepts plain numbers; the spec names capabilities, so refuse digits. */
	for (const char *s = bare; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return -1;
	if (isdigit((unsigned char)*bare))
		return -1;
	int v = capng_name_to_capability(bare);
	return v < 0 ? -1 : v;
}

int cap_last_cap(void)
{
	_cleanup_free_ char *buf = NULL;
	strata_error_t e = NULL;
	if (read_file_at(-1, "/proc/sys/kernel/cap_last_cap", &buf, NULL, &e) < 0) {
		strata_error_free(&e);
		return CAP_LAST_CAP;
	}
	char *end = NULL;
	long v = strtol(buf, &end, 10);
	if (end == buf || v < 0 || v > 63)
		return CAP_LAST_CAP;
	return (int)v;
}

/*
 * Add each name of `names` to libcap-ng's working set `type`.  Unknown names
 * are errors naming the set; names beyond the kernel's last capability are
 * skipped with a warning (a newer config on an older kernel).
 */
static int caps_add_set(char *const *names, size_t n, capng_type_t type, const char *set_name, int last,
			strata_error_t *err)
{
	for (size_t i = 0; i < n; i++) {
		int cap = cap_from_name(names[i]);
		if (cap < 0)
			return strata_error_set(err, EINVAL, "unknown capability `%s` in process.capabilities.%s",
						names[i], set_name);
		if (cap > last) {
			log_warning("capability `%s` (%d) is not known to this kernel (last is %d): ignored", names[i],
				    cap, last);
			continue;
		}
		if (capng_update(CAPNG_ADD, type, (unsigned int)cap) < 0)
			return strata_error_set(err, EINVAL, "capng_update `%s`", names[i]);
	}
	return 0;
}

/* Validate every name of every set up front, so a typo fails before any change. */
static int caps_validate(const struct oci_capabilities *c, strata_error_t *err)
{
	if (c == NULL)
		return 0;
	struct {
		char *const *v;
		size_t n;
		const char *name;
	} sets[] = {
		{ c->bounding, c->bounding_len, "bounding" },
		{ c->effective, c->effective_len, "effective" },
		{ c->inheritable, c->inheritable_len, "inheritable" },
		{ c->permitted, c->permitted_len, "permitted" },
		{ c->ambient, c->ambient_len, "ambient" },
	};
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++)
		for (size_t i = 0; i < sets[s].n; i++)
			if (cap_from_name(sets[s].v[i]) < 0)
				return strata_error_set(err, EINVAL,
							"unknown capability `%s` in process.capabilities.%s",
							sets[s].v[i], sets[s].name);
	return 0;
}

/* True when /proc/self/setgroups says "deny" (user namespace without setgroups). */
static bool setgroups_denied(void)
{
	_cleanup_free_ char *buf = NULL;
	strata_error_t e = NULL;
	if (read_file_at(-1, "/proc/self/setgroups", &buf, NULL, &e) < 0) {
		strata_error_free(&e);
		return false;
	}
	return strncmp(buf, "deny", 4) == 0;
}

static int bounding_apply(const struct oci_capabilities *c, int last, strata_error_t *err)
{
	/* Start from the process's current state so the other sets are untouched,
	 * then rebuild the bounding set from the config. */
	if (capng_get_caps_process() < 0)
		return strata_error_errno(err, errno, "capng_get_caps_process");
	capng_clear(CAPNG_SELECT_BOUNDS);
	if (c != NULL && caps_add_set(c->bounding, c->bounding_len, CAPNG_BOUNDING_SET, "bounding", last, err) < 0)
		return -1;
	int rc = capng_apply(CAPNG_SELECT_BOUNDS);
	if (rc < 0) {
		/* libcap-ng: -4 = no CAP_SETPCAP to drop; others: the prctl failed. */
		return strata_error_errno(err, rc == -4 ? EPERM : (errno ? errno : EPERM),
					  "drop the capability bounding set (capng_apply %d)", rc);
	}
	return 0;
}

static int identity_apply(const struct oci_user *u, strata_error_t *err)
{
	if (setgroups_denied()) {
		/* In a user namespace whose setgroups is "deny" the supplementary
		 * groups cannot change; the process keeps none that it could use
		 * anyway (they map to the overflow gid). */
		if (u->additional_gids_len > 0)
			return strata_error_set(err, EPERM,
						"process.user.additionalGids given but setgroups is denied "
						"in this user namespace");
	} else {
		/* An empty list clears the supplementary groups inherited from the
		 * runtime, which are the host's. */
		if (setgroups(u->additional_gids_len, (const gid_t *)u->additional_gids) < 0)
			return strata_error_errno(err, errno, "setgroups");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return strata_error_errno(err, errno, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return strata_error_errno(err, errno, "setresuid %u", u->uid);
	return 0;
}

static int caps_sets_apply(const struct oci_capabilities *c, int last, strata_error_t *err)
{
	capng_clear(CAPNG_SELECT_CAPS);
	if (c != NULL) {
		if (caps_add_set(c->effective, c->effective_len, CAPNG_EFFECTIVE, "effective", last, err) < 0 ||
		    caps_add_set(c->permitted, c->permitted_len, CAPNG_PERMITTED, "permitted", last, err) < 0 ||
		    caps_add_set(c->inheritable, c->inheritable_len, CAPNG_INHERITABLE, "inheritable", last, err) < 0)
			return -1;
	}
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return strata_error_errno(err, errno ? errno : EPERM, "capset (effective, permitted, inheritable)");
	return 0;
}

static void ambient_apply(const struct oci_capabilities *c, int last)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		log_warning("clear the ambient capabilities: %s", strerror(errno));
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ambient_len; i++) {
		int cap = cap_from_name(c->ambient[i]);
		if (cap < 0 || cap > last)
			continue;
		/* Ambient needs the capability permitted and inheritable; a config
		 * asking for more (runc's own default spec does) is not an error,
		 * as with runc: the capability is just not raised. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			log_debug("raise ambient capability `%s`: %s", c->ambient[i], strerror(errno));
	}
}

int creds_check(const struct oci_process *p, strata_error_t *err)
{
	return caps_validate(p->capabilities, err);
}

int creds_apply(const struct oci_process *p, strata_error_t *err)
{
	const struct oci_capabilities *c = p->capabilities;
	int last = cap_last_cap();

	if (caps_validate(c, err) < 0)
		return -1;
	if (bounding_apply(c, last, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return strata_error_errno(err, errno, "prctl PR_SET_KEEPCAPS");
	if (identity_apply(&p->user, err) < 0)
		return -1;
	if (caps_sets_apply(c, last, err) < 0)
		return -1;
	ambient_apply(c, last);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return strata_error_errno(err, errno, "prctl PR_SET_KEEPCAPS 0");
	return 0;
}
