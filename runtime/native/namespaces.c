/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * namespaces.c - creating and joining linux.namespaces (see namespaces.h).
 */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
/* NS_GET_NSTYPE from linux/nsfs.h: the CLONE_NEW* type of a namespace fd. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

int ns_clone_flag(enum oci_namespace_type t)
{
	switch (t) {
	case OCI_NS_PID:
		return CLONE_NEWPID;
	case OCI_NS_NETWORK:
		return CLONE_NEWNET;
	case OCI_NS_MOUNT:
		return CLONE_NEWNS;
	case OCI_NS_IPC:
		return CLONE_NEWIPC;
	case OCI_NS_UTS:
		return CLONE_NEWUTS;
	case OCI_NS_USER:
		return CLONE_NEWUSER;
	case OCI_NS_CGROUP:
		return CLONE_NEWCGROUP;
	case OCI_NS_TIME:
		return CLONE_NEWTIME;
	default:
		return 0;
	}
}

void ns_plan_close(struct ns_plan *plan)
{
	for (int t = 0; t < OCI_NS__COUNT; t++) {
		if (plan->join_fd[t] >= 0)
			close(plan->join_fd[t]);
		plan->join_fd[t] = -1;
	}
}

int ns_plan_make(const struct oci_config *c, struct ns_plan *plan, strata_error_t *err)
{
	*plan = (struct ns_plan){ 0 };
	for (int t = 0; t < OCI_NS__COUNT; t++)
		plan->join_fd[t] = -1;
	if (c->linux_ == NULL)
		return 0;
	for (size_t i = 0; i < c->linux_->namespaces_len; i++) {
		const struct oci_namespace *ns = &c->linux_->namespaces[i];
		if (ns->type >= OCI_NS__COUNT)
			continue;
		const char *name = oci_namespace_type_name(ns->type);
		if (plan->new_ns[ns->type] || plan->join_ns[ns->type]) {
			ns_plan_close(plan);
			return strata_error_set(err, EINVAL, "linux.namespaces: `%s` listed more than once", name);
		}
		if (ns->path == NULL || ns->path[0] == '\0') {
			plan->new_ns[ns->type] = true;
			/* cgroup and time namespaces are made by the init itself (namespaces.h). */
			if (ns->type != OCI_NS_CGROUP && ns->type != OCI_NS_TIME)
				plan->clone_flags |= ns_clone_flag(ns->type);
			continue;
		}
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			ns_plan_close(plan);
			return strata_error_errno(err, e, "open %s namespace `%s`", name, ns->path);
		}
		plan->join_fd[ns->type] = fd;
		plan->join_ns[ns->type] = true;
		/* A path that is not a namespace of this type would be joined as something else. */
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type >= 0 && type != ns_clone_flag(ns->type)) {
			ns_plan_close(plan);
			return strata_error_set(err, EINVAL, "`%s` is not a %s namespace", ns->path, name);
		}
	}
	return 0;
}

bool ns_plan_has_joins(const struct ns_plan *plan)
{
	for (int t = 0; t < OCI_NS__COUNT; t++)
		if (plan->join_ns[t])
			return true;
	return false;
}

int ns_join_all(const struct ns_plan *plan, strata_error_t *err)
{
	for (int t = 0; t < OCI_NS__COUNT; t++) {
		if (t == OCI_NS_USER || plan->join_fd[t] < 0)
			continue;
		if (setns(plan->join_fd[t], ns_clone_flag((enum oci_namespace_type)t)) < 0)
			return strata_error_errno(err, errno, "join %s namespace",
						  oci_namespace_type_name((enum oci_namespace_type)t));
	}
	if (plan->join_fd[OCI_NS_USER] >= 0 && setns(plan->join_fd[OCI_NS_USER], CLONE_NEWUSER) < 0)
		return strata_error_errno(err, errno, "join user namespace");
	return 0;
}
