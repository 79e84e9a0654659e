/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_host.h - the VMM process of the vm isolation level (design.md §5): boot
 * the guest agent in strata's VMM (kvm-shim/vm.h), create the container in
 * the guest, wait at ROOT/ID/exec.fifo for `start`, relay stdio, forward
 * signals, serve `strata exec` on ROOT/ID/exec.sock (vm_exec_server.h), and
 * exit with the container's exit status.  The guest's copy of config.json
 * has no host hooks (vm_guest_config.h).
 * Source: kvm-shim/agent_protocol.h (version 1), kvm-shim/guest/README.md.
 */
#ifndef STRATA_RUNTIME_VM_HOST_H
#define STRATA_RUNTIME_VM_HOST_H

#include "../oci-spec/config.h"
#include "vm_shares.h"

/* Seconds the VMM waits for the agent's READY, then for CREATED. */
#define VM_HOST_READY_TIMEOUT_S 60

/* Guest RAM added to the config's memory limit for the kernel and agent: 64 MiB. */
#define VM_HOST_MEM_OVERHEAD (64ULL << 20)

/* Host memory of the VMM process beyond guest RAM (its threads' stacks and
 * arenas, the 9p server's buffers, the virtqueues' bounce copies): 64 MiB. */
#define VM_HOST_VMM_OVERHEAD (64ULL << 20)

/*
 * vm_host_guest_mem_bytes - guest RAM in bytes for CONFIG: its
 * linux.resources.memory.limit (else VM_DEFAULT_MEM_BYTES) plus
 * VM_HOST_MEM_OVERHEAD, rounded up to 2 MiB, capped at VM_MAX_MEM_BYTES.
 * Never fails.
 */
uint64_t vm_host_guest_mem_bytes(const struct oci_config *config);

/*
 * vm_host_cgroup_memory - the host cgroup's memory settings for a vm
 * container: the container's limit (enforced again inside the guest, as the
 * guest cgroup's memory.max) does not fit the VMM that holds the guest, so
 * the host limit is the guest's RAM plus VM_HOST_VMM_OVERHEAD, and a swap
 * (memory+swap) limit grows by the same amount.  Copies *IN into *OUT; IN
 * without a limit (or unlimited, -1) is copied unchanged.  Never fails.
 * Source: runtime-spec config-linux.md#memory; kata's sandbox overhead idea.
 */
void vm_host_cgroup_memory(const struct oci_config *config, const struct oci_memory *in, struct oci_memory *out);

struct vm_host_args {
	const struct oci_config *config; /* parsed config.json (not owned) */
	const char *config_text;         /* config.json bytes sent to the agent, host hooks removed (not owned) */
	size_t config_len;               /* bytes */
	const char *rootfs;              /* absolute host rootfs directory */
	int dir_fd;                      /* ROOT/ID directory (O_PATH), holds exec.fifo and exec.sock */
	int go_fd;                       /* read end: one byte when `create` has put us in the cgroup */
	int status_fd;                   /* write end: "OK" after CREATED, else the error text */
	const struct vm_shares_plan *binds; /* bind mounts to stage and share (vm_shares.h; not owned) */
};

/*
 * vm_host_main - body of the forked VMM process; never returns to the
 * caller's logic: it returns the process exit status (the container's: 0-255,
 * 128+N for signal N; 1 when the VM could not be set up, after writing why to
 * status_fd).  The guest is memory of this process: when it dies (even by
 * SIGKILL) nothing of the VM is left on the host.
 */
int vm_host_main(const struct vm_host_args *a);

#endif
