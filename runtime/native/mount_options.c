/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount_options.c - runtime-spec mount options to MS_* flags, propagation
 * steps, mount_setattr(2) attributes and filesystem data.  See mount_options.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mount_options.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* A flag option: `clear` false sets `flag`, true clears it. */
struct flag_option {
	const char *name;
	bool clear;
	unsigned long flag;
};

/* Source: runtime-spec config.md#mounts (the runc option list), mount(8). */
static const struct flag_option flag_options[] = {
	{ "acl", false, MS_POSIXACL },
	{ "async", true, MS_SYNCHRONOUS },
	{ "atime", true, MS_NOATIME },
	{ "bind", false, MS_BIND },
	{ "defaults", false, 0 },
	{ "dev", true, MS_NODEV },
	{ "diratime", true, MS_NODIRATIME },
	{ "dirsync", false, MS_DIRSYNC },
	{ "exec", true, MS_NOEXEC },
	{ "iversion", false, MS_I_VERSION },
	{ "lazytime", false, MS_LAZYTIME },
	{ "loud", true, MS_SILENT },
	{ "mand", false, MS_MANDLOCK },
	{ "noacl", true, MS_POSIXACL },
	{ "noatime", false, MS_NOATIME },
	{ "nodev", false, MS_NODEV },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "noexec", false, MS_NOEXEC },
	{ "noiversion", true, MS_I_VERSION },
	{ "nolazytime", true, MS_LAZYTIME },
	{ "nomand", true, MS_MANDLOCK },
	{ "norelatime", true, MS_RELATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "nosuid", false, MS_NOSUID },
	{ "nosymfollow", false, MS_NOSYMFOLLOW },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "relatime", false, MS_RELATIME },
	{ "remount", false, MS_REMOUNT },
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "silent", false, MS_SILENT },
	{ "strictatime", false, MS_STRICTATIME },
	{ "suid", true, MS_NOSUID },
	{ "symfollow", true, MS_NOSYMFOLLOW },
	{ "sync", false, MS_SYNCHRONOUS },
};

/* A recursive attribute option (mount_setattr AT_RECURSIVE).  For the atime
 * ones `attr` is the atime mode and `atime` is true. */
struct rec_attr_option {
	const char *name;
	bool clear;
	bool atime;
	uint64_t attr;
};

static const struct rec_attr_option rec_attr_options[] = {
	{ "rro", false, false, MOUNT_ATTR_RDONLY },
	{ "rrw", true, false, MOUNT_ATTR_RDONLY },
	{ "rnosuid", false, false, MOUNT_ATTR_NOSUID },
	{ "rsuid", true, false, MOUNT_ATTR_NOSUID },
	{ "rnodev", false, false, MOUNT_ATTR_NODEV },
	{ "rdev", true, false, MOUNT_ATTR_NODEV },
	{ "rnoexec", false, false, MOUNT_ATTR_NOEXEC },
	{ "rexec", true, false, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", false, false, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", true, false, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", false, false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", true, false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rnoatime", false, true, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", false, true, MOUNT_ATTR_STRICTATIME },
	{ "rrelatime", false, true, MOUNT_ATTR_RELATIME },
	/* leaving noatime/strictatime means the kernel default, relatime */
	{ "ratime", false, true, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", false, true, MOUNT_ATTR_RELATIME },
	{ "rnostrictatime", false, true, MOUNT_ATTR_RELATIME },
};

unsigned long mount_propagation_parse(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
		{ "shared", MS_SHARED },
		{ "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },
		{ "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },
		{ "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE },
		{ "runbindable", MS_UNBINDABLE | MS_REC },
	};
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(name, table[i].name) == 0)
			return table[i].flags;
	return 0;
}

static int data_append(char **data, const char *item)
{
	size_t old = *data ? strlen(*data) : 0;
	size_t add = strlen(item);
	char *n = realloc(*data, old + add + 2);
	if (n == NULL)
		return -1;
	if (old > 0)
		n[old++] = ',';
	memcpy(n + old, item, add + 1);
	*data = n;
	return 0;
}

static const struct flag_option *find_flag(const char *name)
{
	for (size_t i = 0; i < sizeof(flag_options) / sizeof(flag_options[0]); i++)
		if (strcmp(flag_options[i].name, name) == 0)
			return &flag_options[i];
	return NULL;
}

static const struct rec_attr_option *find_rec_attr(const char *name)
{
	for (size_t i = 0; i < sizeof(rec_attr_options) / sizeof(rec_attr_options[0]); i++)
		if (strcmp(rec_attr_options[i].name, name) == 0)
			return &rec_attr_options[i];
	return NULL;
}

int mount_options_parse(char *const *opts, size_t n, struct mount_options *out, strata_error_t *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *opt = opts[i];
		if (opt == NULL || *opt == '\0') {
			mount_options_free(out);
			return strata_error_set(err, EINVAL, "mount option %zu is empty", i);
		}
		const struct flag_option *f = find_flag(opt);
		if (f != NULL) {
			if (f->clear) {
				out->flags &= ~f->flag;
				out->clear_flags |= f->flag;
			} else {
				out->flags |= f->flag;
				out->clear_flags &= ~f->flag;
			}
			continue;
		}
		unsigned long prop = mount_propagation_parse(opt);
		if (prop != 0) {
			if (out->propagation_len == MOUNT_OPTIONS_MAX_PROPAGATION) {
				mount_options_free(out);
				return strata_error_set(err, EINVAL, "more than %d propagation options",
							MOUNT_OPTIONS_MAX_PROPAGATION);
			}
			out->propagation[out->propagation_len++] = prop;
			continue;
		}
		const struct rec_attr_option *r = find_rec_attr(opt);
		if (r != NULL) {
			if (r->atime) {
				/* the atime mode is an enum: replace it as a whole */
				out->rec_attr_clr |= MOUNT_ATTR__ATIME;
				out->rec_attr_set = (out->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | r->attr;
			} else if (r->clear) {
				out->rec_attr_set &= ~r->attr;
				out->rec_attr_clr |= r->attr;
			} else {
				out->rec_attr_set |= r->attr;
				out->rec_attr_clr &= ~r->attr;
			}
			continue;
		}
		if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "notmpcopyup") == 0) {
			out->tmpcopyup = opt[0] == 't'; /* notmpcopyup: crun/podman's opt-out */
			continue;
		}
		if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
			out->idmap = true;
			out->idmap_recursive = opt[0] == 'r';
			continue;
		}
		if (data_append(&out->data, opt) < 0) {
			mount_options_free(out);
			return strata_error_errno(err, ENOMEM, "mount options");
		}
	}
	return 0;
}

void mount_options_free(struct mount_options *o)
{
	if (o == NULL)
		return;
	free(o->data);
	o->data = NULL;
}

bool mount_options_is_bind(const struct mount_options *o)
{
	return (o->flags & MS_BIND) != 0;
}

bool mount_options_is_recursive_bind(const struct mount_options *o)
{
	return (o->flags & (MS_BIND | MS_REC)) == (MS_BIND | MS_REC);
}

void mount_options_attr(const struct mount_options *o, uint64_t *set, uint64_t *clr)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },
		{ MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },
		{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
		{ MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
	};
	uint64_t s = 0, c = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (o->flags & map[i].ms)
			s |= map[i].attr;
		else if (o->clear_flags & map[i].ms)
			c |= map[i].attr;
	}
	/* atime, as mount(2) decides it: strictatime wins, then noatime,
	 * otherwise relatime; only touched when an atime option was given. */
	const unsigned long atime_bits = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
	if ((o->flags | o->clear_flags) & atime_bits) {
		c |= MOUNT_ATTR__ATIME;
		if (o->flags & MS_STRICTATIME)
			s |= MOUNT_ATTR_STRICTATIME;
		else if (o->flags & MS_NOATIME)
			s |= MOUNT_ATTR_NOATIME;
		else
			s |= MOUNT_ATTR_RELATIME;
	}
	*set = s;
	*clr = c;
}

size_t mount_options_sb_flags(const struct mount_options *o, const char **names, size_t max)
{
	static const struct {
		unsigned long ms;
		const char *name;
	} map[] = {
		{ MS_RDONLY, "ro" },
		{ MS_SYNCHRONOUS, "sync" },
		{ MS_DIRSYNC, "dirsync" },
		{ MS_MANDLOCK, "mand" },
		{ MS_LAZYTIME, "lazytime" },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]) && n < max; i++)
		if (o->flags & map[i].ms)
			names[n++] = map[i].name;
	return n;
}

bool mount_data_next(char **cursor, char **key, char **value)
{
	char *p = *cursor;
	if (p == NULL)
		return false;
	while (*p == ',')
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	char *start = p;
	bool quoted = false;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			break;
	}
	if (*p == ',')
		*p++ = '\0';
	*cursor = p;
	*key = start;
	char *eq = strchr(start, '=');
	if (eq != NULL) {
		*eq = '\0';
		*value = eq + 1;
	} else {
		*value = NULL;
	}
	return true;
}
