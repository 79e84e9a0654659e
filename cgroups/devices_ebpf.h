/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices_ebpf.h - the cgroup v2 device controller: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, generated here from the device rules, loaded
 * with bpf(2) BPF_PROG_LOAD and attached to the cgroup directory with
 * BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).  A new program
 * replaces the ones attached before (attach new, then detach old, so there
 * is no moment without a filter).
 *
 * The program reads struct bpf_cgroup_dev_ctx (access_type = access << 16 |
 * type, major, minor) and checks the rules from the last to the first: the
 * first that matches decides (so the config's last matching rule wins, as
 * in v1).  An allow rule matches when the requested access is a subset of
 * its access; a deny rule when they share any access.  No match: deny.
 * Source: linux/bpf.h (struct bpf_cgroup_dev_ctx, BPF_DEVCG_ACC_*,
 * BPF_DEVCG_DEV_*), kernel Documentation/bpf/ (instruction encoding,
 * verifier: no unreachable instructions), bpf(2).
 */
#ifndef STRATA_CGROUPS_DEVICES_EBPF_H
#define STRATA_CGROUPS_DEVICES_EBPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "../common/error.h"
#include "../oci-spec/config.h"

/*
 * cgroup_ebpf_devices_program - the instructions for rules (in config
 * order).  *insns is heap memory owned by the caller, *count instructions.
 * Errors: EINVAL for a rule with an invalid type or access.
 */
int cgroup_ebpf_devices_program(const struct oci_device_cgroup *rules, size_t n, struct bpf_insn **insns,
				size_t *count, strata_error_t *err);

/*
 * cgroup_ebpf_load - BPF_PROG_LOAD of a BPF_PROG_TYPE_CGROUP_DEVICE program.
 * *prog_fd is owned by the caller.  Errors: the bpf(2) errno; EPERM without
 * CAP_BPF/CAP_SYS_ADMIN; the verifier's log is included in the message.
 */
int cgroup_ebpf_load(const struct bpf_insn *insns, size_t count, int *prog_fd, strata_error_t *err);

/*
 * cgroup_ebpf_attach_replace - attach prog_fd to the cgroup directory
 * cgroup_fd (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then detach every device
 * program that was attached to that directory before.
 */
int cgroup_ebpf_attach_replace(int cgroup_fd, int prog_fd, strata_error_t *err);

/* cgroup_ebpf_devices_apply - generate, load and attach for the cgroup directory path. */
int cgroup_ebpf_devices_apply(const char *path, const struct oci_device_cgroup *rules, size_t n,
			      strata_error_t *err);

#endif
