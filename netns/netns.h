/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns.h - network namespace setup through netlink (libnl-3 / libnl-route-3).
 * This header is the only interface the rest of the tree uses; libnl stays
 * inside the .c files of netns/.
 * Source: rtnetlink(7), netdevice(7), libnl-route-3 rtnl_link API.
 */
#ifndef STRATA_NETNS_NETNS_H
#define STRATA_NETNS_NETNS_H

#include "../common/error.h"

/*
 * netns_loopback_up - set IFF_UP on "lo" in the calling process's network
 * namespace (a new network namespace starts with lo down; runc brings it up).
 * Needs CAP_NET_ADMIN in the user namespace owning the network namespace.
 * Returns 0, or -1 with *err set (the netlink error, e.g. "bring up `lo`:
 * Operation not permitted").
 */
int netns_loopback_up(strata_error_t *err);

#endif
