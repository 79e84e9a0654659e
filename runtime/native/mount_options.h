/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mount_options.h - the `options` array of a runtime-spec mount, parsed into
 * what the kernel's mount calls take.  Pure logic: no system calls, so it is
 * unit-tested on its own (tests/unit/test_mount_options.c).
 *
 * One option is one of:
 *  - a mount flag (ro, nosuid, noexec, relatime, bind, rbind, remount, ...)
 *    that sets or clears an MS_* bit; the last one for a bit wins;
 *  - a propagation change ([r]shared, [r]slave, [r]private, [r]unbindable),
 *    kept in order because each is a separate step after the mount;
 *  - a recursive attribute (rro, rnosuid, rnoexec, rnoatime, ...) applied
 *    with mount_setattr(2) AT_RECURSIVE;
 *  - tmpcopyup, notmpcopyup, idmap, ridmap (runc/crun extensions);
 *  - anything else is filesystem data ("mode=755", "size=65536k",
 *    "newinstance", "ptmxmode=0666", "gid=5"), joined with commas.
 *
 * Source: runtime-spec v1.3.0 config.md#mounts and the runc mount option
 * list it refers to; mount(2) MS_* flags; mount_setattr(2) MOUNT_ATTR_*.
 */
#ifndef STRATA_RUNTIME_NATIVE_MOUNT_OPTIONS_H
#define STRATA_RUNTIME_NATIVE_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/error.h"

/* At most this many propagation options per mount (more is an error). */
#define MOUNT_OPTIONS_MAX_PROPAGATION 8

struct mount_options {
	unsigned long flags;       /* MS_* bits to set */
	unsigned long clear_flags; /* MS_* bits explicitly cleared (rw, suid, dev, exec, ...) */
	/* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE, maybe | MS_REC; in order */
	unsigned long propagation[MOUNT_OPTIONS_MAX_PROPAGATION];
	size_t propagation_len;
	uint64_t rec_attr_set;     /* MOUNT_ATTR_* to set recursively (rro, rnosuid, ...) */
	uint64_t rec_attr_clr;     /* MOUNT_ATTR_* to clear recursively (rrw, rsuid, ...) */
	bool tmpcopyup;            /* copy the destination's contents into a new tmpfs */
	bool idmap;                /* idmap or ridmap requested */
	bool idmap_recursive;      /* ridmap: the submounts of an rbind get the mapping too */
	char *data;                /* filesystem data, "a=b,c"; NULL when none; owned */
};

/*
 * mount_options_parse - parse `n` option strings (opts may be NULL when n
 * is 0) into *out, which is zeroed first.  out->data is heap memory owned
 * by *out: release it with mount_options_free().
 * Errors: EINVAL for an empty option or too many propagation options;
 * ENOMEM.
 */
int mount_options_parse(char *const *opts, size_t n, struct mount_options *out, strata_error_t *err);

/* mount_options_free - free what mount_options_parse() allocated (NULL-safe). */
void mount_options_free(struct mount_options *o);

/* mount_options_is_bind - true when the options ask for a bind mount (bind or rbind). */
bool mount_options_is_bind(const struct mount_options *o);

/* mount_options_is_recursive_bind - true for rbind (MS_BIND|MS_REC). */
bool mount_options_is_recursive_bind(const struct mount_options *o);

/*
 * mount_options_attr - the per-mount part of o->flags / o->clear_flags as
 * mount_setattr(2) attributes: *set gets MOUNT_ATTR_RDONLY, NOSUID, NODEV,
 * NOEXEC, NODIRATIME, NOSYMFOLLOW and one atime mode; *clr gets the bits the
 * options clear explicitly, plus MOUNT_ATTR__ATIME whenever an atime mode is
 * chosen (the kernel requires that to change the atime mode).  The atime
 * mode follows mount(2): strictatime beats noatime, otherwise relatime.
 * Both are 0 when the options say nothing about per-mount flags.
 */
void mount_options_attr(const struct mount_options *o, uint64_t *set, uint64_t *clr);

/*
 * mount_options_sb_flags - the superblock flags among o->flags as fsconfig(2)
 * FSCONFIG_SET_FLAG names: "ro", "sync", "dirsync", "mand", "lazytime".
 * Writes up to `max` static strings into names[] and returns how many.
 */
size_t mount_options_sb_flags(const struct mount_options *o, const char **names, size_t max);

/*
 * mount_data_next - split the next comma-separated item off the data string
 * *cursor (modified in place; a value in double quotes may hold commas).
 * On return *key is the item's key and *value the text after the first '='
 * (NULL for a bare flag such as "newinstance").  Returns false when no item
 * is left.  Empty items (",,") are skipped.
 */
bool mount_data_next(char **cursor, char **key, char **value);

/*
 * mount_propagation_parse - map a propagation name ("shared", "rslave", ...)
 * to MS_* bits (with MS_REC for the r* forms).  Returns 0 for an unknown
 * name.  Used for linux.rootfsPropagation too.
 */
unsigned long mount_propagation_parse(const char *name);

#endif
