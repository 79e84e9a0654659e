/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopback.c - bring up "lo" in a new network namespace (see netns.h).
 */
#include "netns.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

/* Map a libnl error code to the nearest errno (libnl's own codes are not errnos). */
static int nl_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_PERM:
		return EPERM;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:
		return ENODEV;
	case NLE_NOACCESS:
		return EACCES;
	default:
		return EIO;
	}
}

int netns_loopback_up(strata_error_t *err)
{
	int ret = -1, rc;
	struct rtnl_link *link = NULL, *change = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	if (sk == NULL)
		return strata_error_errno(err, ENOMEM, "bring up `lo`: netlink socket");
	if ((rc = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		strata_error_errno(err, nl_to_errno(rc), "bring up `lo`: netlink connect (%s)", nl_geterror(rc));
		goto out;
	}
	if ((rc = rtnl_link_get_kernel(sk, 0, "lo", &link)) < 0) {
		strata_error_errno(err, nl_to_errno(rc), "bring up `lo`: get link (%s)", nl_geterror(rc));
		goto out;
	}
	change = rtnl_link_alloc();
	if (change == NULL) {
		strata_error_errno(err, ENOMEM, "bring up `lo`");
		goto out;
	}
	rtnl_link_set_flags(change, IFF_UP);
	if ((rc = rtnl_link_change(sk, link, change, 0)) < 0) {
		strata_error_errno(err, nl_to_errno(rc), "bring up `lo` (%s)", nl_geterror(rc));
		goto out;
	}
	ret = 0;
out:
	if (change != NULL)
		rtnl_link_put(change);
	if (link != NULL)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return ret;
}
