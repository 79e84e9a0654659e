#!/bin/bash
# run-one-commands.sh - run commands of a busybox rootfs in strata's VMM with
# the one-command /init (kvm-shim/guest/run_one.c): the rootfs (a copy) is the 9p
# share "rootfs", the command goes after " -- " on the kernel command line.
# For each command prints "== N" then the VMM's output, then "== N rc=...".
# Needs hardware(-like) KVM: on a PVM host run it through test-machine.sh.
#
#   tests/vm/run-one-commands.sh VMM_BOOT KERNEL RUN_ONE_INITRD ROOTFS
set -u
vmm=$1 kernel=$2 initrd=$3 rootfs=$4
work=$(mktemp -d /tmp/strata-run-one.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$rootfs" "$work/rootfs"
run_cmd() { # run_cmd N ARGS...
	local n=$1
	shift
	echo "== $n"
	"$vmm" -S -t 180000 -i "$initrd" -s "rootfs=$work/rootfs" "$kernel" "console=ttyS0 reboot=t quiet -- $*" 2>&1
	echo "== $n rc=$?"
}
run_cmd 1 /bin/true
run_cmd 2 /bin/false
# The kernel keeps a double-quoted argument together (and strips the quotes).
run_cmd 3 '/bin/sh -c "echo out-from-container; exit 7"'
run_cmd 4 '/bin/sh -c "echo written-in-guest > /root/vm-file; kill -9 $$"'
echo "== host view of /root/vm-file: $(cat "$work/rootfs/root/vm-file" 2>/dev/null)"
