#!/bin/bash
# agent-qemu.sh - boot the guest agent (build/guest/agent-initrd.cpio.gz) in
# qemu-system-x86_64 -M microvm under TCG, without strata's VMM, so the agent
# and its protocol (kvm-shim/agent_protocol.h) are tested on any host.
#
#   tests/vm/agent-qemu.sh boot DIR   copy the busybox rootfs to DIR/rootfs,
#                                     make DIR/vol, boot qemu in the background
#                                     (pid DIR/qemu.pid, guest console
#                                     DIR/console.log, agent port DIR/agent.sock),
#                                     wait for READY; prints the boot time
#   tests/vm/agent-qemu.sh stop DIR   POWEROFF, wait for qemu, clean DIR
#   tests/vm/agent-qemu.sh time DIR [N] boot-to-exit of /bin/true (boot, READY,
#                                     CREATE, START, EXIT, power off, qemu gone),
#                                     N runs (default 5), prints each and the median
#
# Devices (what strata's VMM offers the agent too): virtio-mmio virtio-console
# (one console port, hvc0: the agent port), virtio-9p "rootfs" (the bundle's
# rootfs) and "vol" (a host directory for bind-mount tests); 8250 console.
# Environment: KERNEL (default: the cached minimal kernel), INITRD, ROOTFS,
# AGENT_HOST (tests/vm/agent-host.py), QEMU_MEM (MiB, default 256).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cmd=${1:?usage: agent-qemu.sh boot|stop DIR}
dir=${2:?usage: agent-qemu.sh boot|stop DIR}
AGENT_HOST=${AGENT_HOST:-$here/agent-host.py}

# alive PID: the process exists and is not a zombie (a daemonized qemu is
# reaped by whoever adopted it, maybe much later).
alive() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

find_kernel() {
	local k
	for k in /var/cache/strata/kernel/*/bzImage; do
		[ -f "$k" ] && { echo "$k"; return 0; }
	done
	return 1
}

qemu_start() {
	rm -f "$dir/agent.sock"
	# microvm adds the virtio-mmio devices to the kernel command line itself.
	# `quiet`: every console byte is slow under TCG.  reboot=t + -no-reboot:
	# the agent's reboot ends qemu.
	qemu-system-x86_64 -M microvm,x-option-roms=off,rtc=off,acpi=off,isa-serial=on -accel tcg -cpu max \
		-m "${QEMU_MEM:-256}" -smp 1 -nodefaults -no-user-config -display none -no-reboot \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 ${AGENT_QUIET-quiet} reboot=t panic=-1 8250.nr_uarts=1" \
		-serial "file:$dir/console.log" \
		-device virtio-serial-device -chardev "socket,id=agent,path=$dir/agent.sock,server=on,wait=off" \
		-device virtconsole,chardev=agent \
		-fsdev "local,id=fs0,path=$dir/rootfs,security_model=passthrough" \
		-device virtio-9p-device,fsdev=fs0,mount_tag=rootfs \
		-fsdev "local,id=fs1,path=$dir/vol,security_model=passthrough" \
		-device virtio-9p-device,fsdev=fs1,mount_tag=vol \
		-pidfile "$dir/qemu.pid" -daemonize
}

case $cmd in
boot | time)
	KERNEL=${KERNEL:-$(find_kernel || true)}
	INITRD=${INITRD:-$repo/build/guest/agent-initrd.cpio.gz}
	ROOTFS=${ROOTFS:-/var/cache/strata/busybox-rootfs}
	[ -n "$KERNEL" ] && [ -f "$KERNEL" ] || { echo "agent-qemu: no guest kernel (run kvm-shim/kernel/build-kernel.sh)" >&2; exit 2; }
	[ -f "$INITRD" ] || { echo "agent-qemu: no agent initrd $INITRD (make guest)" >&2; exit 2; }
	command -v qemu-system-x86_64 >/dev/null || { echo "agent-qemu: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }
	mkdir -p "$dir"
	rm -rf "$dir/rootfs" "$dir/vol"
	cp -a "$ROOTFS" "$dir/rootfs"
	mkdir -p "$dir/vol"
	rm -f "$dir/agent.sock" "$dir/console.log" "$dir/qemu.pid"
	if [ "$cmd" = time ]; then
		command -v jq >/dev/null || { echo "agent-qemu: jq missing" >&2; exit 2; }
		strata=${STRATA_BIN:-$repo/build/strata}
		rm -f "$dir/config.json"
		"$strata" spec --bundle "$dir" >/dev/null
		jq '.process.terminal = false | .process.args = ["/bin/true"]' "$dir/config.json" >"$dir/true.json"
		: >"$dir/times.txt"
		for _ in $(seq "${3:-5}"); do
			start=$(date +%s%N)
			qemu_start
			pid=$(cat "$dir/qemu.pid") # qemu removes its pid file when it exits
			python3 "$AGENT_HOST" --timeout 120 "$dir/agent.sock" ready >/dev/null
			python3 "$AGENT_HOST" --timeout 120 "$dir/agent.sock" run "$dir/true.json" --share rootfs=rootfs --poweroff
			while alive "$pid"; do sleep 0.01; done
			end=$(date +%s%N)
			echo $(((end - start) / 1000000)) | tee -a "$dir/times.txt"
		done
		echo "boot-to-exit of /bin/true under qemu TCG: median $(sort -n "$dir/times.txt" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms over $(wc -l <"$dir/times.txt") runs"
		rm -rf "$dir/rootfs" "$dir/vol"
		exit 0
	fi
	start=$(date +%s%N)
	qemu_start
	if ! python3 "$AGENT_HOST" --timeout 120 "$dir/agent.sock" ready; then
		echo "agent-qemu: the agent did not report READY; guest console:" >&2
		cat "$dir/console.log" >&2 || true
		exit 1
	fi
	end=$(date +%s%N)
	echo "boot to READY: $(((end - start) / 1000000)) ms"
	;;
stop)
	if [ -f "$dir/qemu.pid" ]; then
		pid=$(cat "$dir/qemu.pid")
		python3 "$AGENT_HOST" --timeout 5 "$dir/agent.sock" poweroff 2>/dev/null || true
		for _ in $(seq 100); do
			alive "$pid" || break
			sleep 0.1
		done
		# Only our qemu: the pid file may be stale and the pid reused.
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = qemu-system-x86 ]; then
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -rf "$dir/rootfs" "$dir/vol" "$dir/agent.sock" "$dir/qemu.pid"
	;;
*)
	echo "usage: agent-qemu.sh boot|stop DIR" >&2
	exit 2
	;;
esac
