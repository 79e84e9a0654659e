#!/bin/bash
# measure-boot.sh - boot-to-exit time of the minimal kernel + tiny /init in
# strata's VMM and in `qemu-system-x86_64 -M microvm` (same kernel, same
# initramfs, same 9p share, 128 MiB, 2 vCPUs), median of N runs, plus the
# peak RSS and PSS of each VMM process (sampled every 20 ms from
# /proc/PID/smaps_rollup).  Needs a hardware(-like) /dev/kvm: on a PVM host run
# it through tests/vm/test-machine.sh (then the numbers are TCG-emulated and
# only comparable with each other, never with real hardware).
#
#   tests/vm/measure-boot.sh VMM_BOOT KERNEL INITRD [N [TAG DIR [INIT ARGS...]]]
#
# Default: the tiny /init with a scratch 9p share "share".  With TAG DIR the
# share is DIR under mount tag TAG, and INIT ARGS go after " -- " on the
# kernel command line (e.g. `rootfs BUSYBOX_ROOTFS /bin/true` with the run-one
# initramfs: boot-to-exit of /bin/true).
set -euo pipefail
vmm=$1 kernel=$2 initrd=$3 n=${4:-10}
cpus=${MEASURE_CPUS:-1}
tag=${5:-share}
work=$(mktemp -d /tmp/strata-measure.XXXXXX)
trap 'rm -rf "$work"' EXIT
share=${6:-$work}
shift $(( $# < 6 ? $# : 6 ))
cmdline="console=ttyS0 reboot=t quiet"
[ $# -gt 0 ] && cmdline="$cmdline -- $*"
[ "$share" = "$work" ] && echo "from the host" > "$share/from-host.txt"

# run_one CMD... : prints "<ms> <peak rss KiB> <peak pss KiB>"
run_one() {
	local start end pid rss=0 pss=0 r p
	start=$(date +%s%N)
	"$@" >/dev/null 2>"$work/err" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -r "/proc/$pid/smaps_rollup" ]; then
			r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
			p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
			[ "${r:-0}" -gt "$rss" ] && rss=$r
			[ "${p:-0}" -gt "$pss" ] && pss=$p
		fi
		sleep 0.02
	done
	wait "$pid" || { echo "measure: run failed: $(tail -3 "$work/err")" >&2; return 1; }
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000000 )) $rss $pss"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

report() { # report NAME FILE
	printf '%-12s boot-to-exit median %s ms  (min %s, max %s)  peak RSS median %s KiB  peak PSS median %s KiB  n=%s\n' "$1" \
		"$(cut -d' ' -f1 "$2" | median)" "$(cut -d' ' -f1 "$2" | sort -n | head -1)" \
		"$(cut -d' ' -f1 "$2" | sort -n | tail -1)" "$(cut -d' ' -f2 "$2" | median)" \
		"$(cut -d' ' -f3 "$2" | median)" "$(wc -l < "$2")"
}

: > "$work/strata.txt"
: > "$work/qemu.txt"
for i in $(seq "$n"); do
	run_one "$vmm" -m 128 -c "$cpus" -S -t 300000 -i "$initrd" -s "$tag=$share" "$kernel" "$cmdline" >> "$work/strata.txt"
	echo "run $i strata-vmm: $(tail -1 "$work/strata.txt") (ms, peak RSS KiB, peak PSS KiB)"
	run_one qemu-system-x86_64 -M microvm,x-option-roms=off,rtc=off,isa-serial=on -accel kvm -cpu host \
		-m 128 -smp "$cpus" -nodefaults -no-user-config -nographic -no-reboot -serial null \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-fsdev "local,id=f0,path=$share,security_model=none" -device virtio-9p-device,fsdev=f0,mount_tag="$tag" \
		>> "$work/qemu.txt"
	echo "run $i qemu-microvm: $(tail -1 "$work/qemu.txt")"
done
echo "kernel command line: $cmdline"
report "strata-vmm" "$work/strata.txt"
report "qemu-microvm" "$work/qemu.txt"
