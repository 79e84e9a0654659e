#!/bin/bash
# boot-minimal-kernel.sh - boot the minimal kernel + tiny /init in strata's VMM
# three ways (vmlinux through the PVH entry, vmlinux through the 64-bit boot
# protocol, bzImage) with CPUS vCPUs (default 2), the vCPU seccomp filter, a virtio-console
# and a 9p share; print each run's output between "== MODE" markers, what the
# guest wrote into the share, and "== MODE rc=N".  Needs hardware(-like) KVM:
# on a PVM host run it through tests/vm/test-machine.sh.
#
#   tests/vm/boot-minimal-kernel.sh VMM_BOOT KERNEL_DIR INITRD SHARE_DIR [CPUS]
set -u
vmm=$1 kdir=$2 initrd=$3 share=$4 cpus=${5:-2}
cmdline="console=ttyS0 reboot=t quiet"
for mode in pvh linux64 bzimage; do
	rm -f "$share/from-guest.txt"
	case $mode in
	pvh) args=("$kdir/vmlinux") ;;
	linux64) args=(-6 "$kdir/vmlinux") ;;
	bzimage) args=("$kdir/bzImage") ;;
	esac
	echo "== $mode"
	"$vmm" -S -c "$cpus" -t 180000 -i "$initrd" -s "share=$share" "${args[@]}" "$cmdline" 2>&1
	rc=$?
	echo "== $mode from-guest: $(cat "$share/from-guest.txt" 2>/dev/null)"
	echo "== $mode rc=$rc"
done
