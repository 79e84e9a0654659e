#!/usr/bin/env bash
# bench/vm-boot.sh STRATA - boot-to-exit of /bin/true at the vm level, median
# of BENCH_RUNS (default 10), side by side in the same run:
#   strata-run     `strata --isolation vm run` of the busybox bundle with
#                  process.args ["/bin/true"]: the whole life cycle (VMM,
#                  guest kernel, agent, container setup in the guest, exit);
#   strata-vmm     strata's VMM alone (kvm-shim/tools/vmm_boot) booting the
#                  guest kernel with the one-command initramfs running
#                  /bin/true from the busybox rootfs over virtio-9p;
#   qemu-microvm   `qemu-system-x86_64 -M microvm` booting the same kernel,
#                  initramfs, 9p share and command.
# plus the peak RSS/PSS of each VMM process (tests/vm/measure-boot.sh).
# On a PVM host everything runs inside the test machine (qemu TCG emulating
# SVM): the figures are then only comparable with each other.  A benchmark,
# not a test: it prints figures and never fails on them.
set -euo pipefail
strata=$(realpath "${1:?usage: bench/vm-boot.sh STRATA-BINARY}")
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-10}
build=$(dirname "$strata")
vmm=$build/kvm-shim/vmm-boot
initrd=$build/kvm-shim/guest/run-one-initrd.cpio.gz
[ -x "$vmm" ] && [ -f "$initrd" ] || { echo "vm-boot: build first (make)"; exit 1; }
kernel=$(bash "$repo/kvm-shim/kernel/build-kernel.sh" | tail -1)
rootfs=$(. "$repo/tests/fixtures/cache.sh"; busybox_rootfs_dir)
[ -x "$rootfs/bin/busybox" ] || bash "$repo/tests/fixtures/busybox-rootfs.sh" "$rootfs"
w=$(mktemp -d /tmp/strata-vmboot.XXXXXX)
trap 'rm -rf "$w"' EXIT
cp -a "$rootfs/." "$w/rootfs"
"$strata" spec --bundle "$w" >/dev/null
jq '.process.terminal = false | .process.args = ["/bin/true"]' "$w/config.json" >"$w/c" && mv "$w/c" "$w/config.json"
cat >"$w/inside.sh" <<INSIDE
#!/bin/bash
set -u
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
R=\$(mktemp -d /tmp/strata-vmroot.XXXXXX)
: >"$w/run.txt"
for i in \$(seq $runs); do
	s=\$(date +%s%N)
	(cd "$w" && "$strata" --root "\$R" --isolation vm run "b\$i") || echo "run \$i failed"
	e=\$(date +%s%N)
	echo \$(( (e - s) / 1000000 )) >>"$w/run.txt"
	echo "run \$i strata-run: \$(tail -1 "$w/run.txt") ms"
done
sort -n "$w/run.txt" | awk '{a[NR]=\$1} END {printf "strata-run   boot-to-exit median %d ms  (min %d, max %d)  n=%d\n", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2, a[1], a[NR], NR}'
"$repo/tests/vm/measure-boot.sh" "$vmm" "$kernel" "$initrd" "$runs" rootfs "$w/rootfs" /bin/true
INSIDE
chmod +x "$w/inside.sh"
if [ -e /sys/module/kvm_pvm ] || [ ! -c /dev/kvm ]; then
	echo "vm-boot: this host's /dev/kvm is PVM: measuring inside the test machine (qemu TCG + SVM); compare the rows with each other only"
	"$repo/tests/vm/test-machine.sh" -t 1800 -w "$w" "$w/inside.sh"
else
	"$w/inside.sh"
fi
