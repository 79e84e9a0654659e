/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_shares.c - bind mounts through one staging directory (see vm_shares.h).
 */
#include "vm_shares.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "native/mount_options.h"
#include "native/mounts.h"

void vm_shares_plan_free(struct vm_shares_plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->len; i++) {
		free(p->binds[i].source);
		free(p->guest[i].source);
	}
	free(p->binds);
	free(p->guest);
	free(p->staging);
	*p = (struct vm_shares_plan){ 0 };
}

/* The host path of a bind source: relative ones are in the bundle (heap). */
static char *host_source(const char *source, const char *bundle)
{
	char *s = NULL;
	if (source[0] != '/' && bundle != NULL) {
		if (asprintf(&s, "%s/%s", bundle, source) < 0)
			return NULL;
		return s;
	}
	return strdup(source);
}

/* Add mount i of config to p when it is a bind of a directory or a file.
 * 0 (added or not applicable) or -1 with *err set. */
static int plan_one(struct vm_shares_plan *p, const struct oci_mount *m, size_t i, const char *bundle,
		    strata_error_t *err)
{
	struct mount_options o;
	if (mount_options_parse(m->options, m->options_len, &o, err) < 0)
		return strata_error_wrap(err, "mount on `%s`", m->destination ? m->destination : "?");
	bool bind = (m->type != NULL && strcmp(m->type, "bind") == 0) || mount_options_is_bind(&o);
	bool recursive = mount_options_is_recursive_bind(&o);
	bool ro = (o.flags & MS_RDONLY) || (o.rec_attr_set & MOUNT_ATTR_RDONLY);
	mount_options_free(&o);
	if (!bind || m->source == NULL || m->source[0] == '\0')
		return 0;
	_cleanup_free_ char *src = host_source(m->source, bundle);
	if (src == NULL)
		return strata_error_errno(err, ENOMEM, "bind source");
	struct stat st;
	/* stat follows symlinks: open_tree(2) of the source does too. */
	if (stat(src, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
		return 0;
	_cleanup_free_ char *guest = NULL;
	if (asprintf(&guest, VM_SHARES_GUEST_DIR "/%zu", i) < 0)
		return strata_error_errno(err, ENOMEM, "bind source");
	p->binds[p->len] = (struct vm_bind){ .mount_index = i, .source = steal_pointer(&src),
					     .directory = S_ISDIR(st.st_mode), .recursive = recursive,
					     .read_only = ro };
	p->guest[p->len] = (struct vm_guest_source){ .mount_index = i, .source = steal_pointer(&guest) };
	p->len++;
	return 0;
}

int vm_shares_plan(const struct oci_config *config, const char *bundle, struct vm_shares_plan *out,
		   strata_error_t *err)
{
	*out = (struct vm_shares_plan){ 0 };
	if (config->mounts_len == 0)
		return 0;
	out->binds = calloc(config->mounts_len, sizeof(*out->binds));
	out->guest = calloc(config->mounts_len, sizeof(*out->guest));
	if (out->binds == NULL || out->guest == NULL) {
		vm_shares_plan_free(out);
		return strata_error_errno(err, ENOMEM, "bind mount plan");
	}
	for (size_t i = 0; i < config->mounts_len; i++) {
		if (plan_one(out, &config->mounts[i], i, bundle, err) < 0) {
			vm_shares_plan_free(out);
			return -1;
		}
	}
	return 0;
}

int vm_shares_prepare(struct vm_shares_plan *p, const char *state_dir, strata_error_t *err)
{
	if (p->len == 0)
		return 0;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/" VM_SHARES_STAGING, state_dir) < 0)
		return strata_error_errno(err, ENOMEM, "staging directory");
	/* 0700: the entries are reachable only in the VMM's namespace anyway. */
	if (mkdir(dir, 0700) < 0)
		return strata_error_errno(err, errno, "mkdir `%s`", dir);
	free(p->staging);
	p->staging = steal_pointer(&dir);
	return 0;
}

/* Entry `name` in the staging root: an empty file or a directory; returns
 * an O_PATH fd of it or -1 with *err set. */
static int make_entry(int root, const char *name, bool directory, strata_error_t *err)
{
	if (directory) {
		if (mkdirat(root, name, 0755) < 0)
			return strata_error_errno(err, errno, "mkdir staging entry `%s`", name);
	} else {
		int fd = openat(root, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return strata_error_errno(err, errno, "create staging entry `%s`", name);
		close(fd);
	}
	int fd = openat(root, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open staging entry `%s`", name);
	return fd;
}

/* Bind b's source onto its entry in the staging root. */
static int stage_one(int root, const struct vm_bind *b, strata_error_t *err)
{
	char name[32];
	snprintf(name, sizeof(name), "%zu", b->mount_index);
	_cleanup_close_ int target = make_entry(root, name, b->directory, err);
	if (target < 0)
		return -1;
	_cleanup_close_ int tree = mount_bind_detached(AT_FDCWD, b->source, b->recursive, err);
	if (tree < 0)
		return -1;
	/* ro in the staging directory too: the guest reaches the host file
	 * through the VMM's 9p server, which must not be able to write it. */
	if (b->read_only && mount_set_attr(tree, b->recursive, MOUNT_ATTR_RDONLY, 0, b->source, err) < 0)
		return -1;
	if (mount_attach(root, tree, target, name, err) < 0)
		return strata_error_wrap(err, "stage bind source `%s`", b->source);
	return 0;
}

int vm_shares_stage(const struct vm_shares_plan *p, strata_error_t *err)
{
	if (p == NULL || p->len == 0)
		return 0;
	if (p->staging == NULL)
		return strata_error_set(err, EINVAL, "the bind staging directory was not prepared");
	if (unshare(CLONE_NEWNS) < 0)
		return strata_error_errno(err, errno, "unshare the mount namespace");
	/* Security: the new namespace's mounts are still peers of the host's
	 * shared mounts; as slaves they receive the host's mount events (an
	 * unmount there is not pinned here) and send none, so the tmpfs and the
	 * binds below never appear on the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return strata_error_errno(err, errno, "make the VMM's mounts slaves of the host's");
	_cleanup_close_ int tmp = mount_fs_detached("tmpfs", "strata-vm-binds", "size=64k,mode=0755", NULL, err);
	if (tmp < 0)
		return -1;
	_cleanup_close_ int at = open(p->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (at < 0)
		return strata_error_errno(err, errno, "open `%s`", p->staging);
	if (move_mount(tmp, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return strata_error_errno(err, errno, "mount tmpfs on `%s`", p->staging);
	/* The attached tmpfs's root, looked up again: its entries are made in it. */
	_cleanup_close_ int root = open(p->staging, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return strata_error_errno(err, errno, "open `%s`", p->staging);
	for (size_t i = 0; i < p->len; i++)
		if (stage_one(root, &p->binds[i], err) < 0)
			return -1;
	return 0;
}
