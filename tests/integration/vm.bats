#!/usr/bin/env bats
# vm.bats - strata's VMM (kvm-shim/) on real KVM.
#
# Tiny guests (kvm-shim/stubs) run on this host's /dev/kvm, PVM included.
# The Linux-guest test boots the minimal kernel (kvm-shim/kernel/build-kernel.sh,
# cached) in our VMM: directly on hardware KVM, or inside the level-1 test
# machine (tests/vm/test-machine.sh, qemu TCG emulating SVM) when this host's
# /dev/kvm is PVM or missing.

load helpers

VMM_BOOT=${VMM_BOOT:-$REPO_DIR/build/kvm-shim/vmm-boot}
STUBS=$REPO_DIR/build/kvm-shim/stubs
INITRD=$REPO_DIR/build/kvm-shim/guest/tiny-initrd.cpio.gz

need_vmm() {
	[ -x "$VMM_BOOT" ] || skip "vmm-boot is not built ($VMM_BOOT)"
	[ -c /dev/kvm ] || skip "this host has no /dev/kvm"
}

is_pvm() { [ -e /sys/module/kvm_pvm ]; }

@test "vm: the PVH stub boots, drives a virtqueue and resets" {
	need_vmm
	run "$VMM_BOOT" -p -t 10000 "$STUBS/stub_pvh.elf" "exit=reset"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"stub: pvh entry ok"* ]]
	[[ "$output" == *"start_info magic 0x336ec578 memmap entries 3"* ]]
	[[ "$output" == *"virtqueue: used idx 1 id 0 isr 1"* ]]
	[[ "$output" == *"bad buffer used idx 1 needs_reset 1"* ]]
	[[ "$output" == *"hello through the virtqueue"* ]]
	[[ "$output" == *"vmm-boot: exit reset"* ]]
}

@test "vm: the 64-bit stub boots through boot_params and triple-faults" {
	need_vmm
	run "$VMM_BOOT" -p -S -c 2 -t 10000 "$STUBS/stub_64.elf" "exit=triple"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"boot_params header HdrS e820 entries 3"* ]]
	[[ "$output" == *"vmm-boot: exit shutdown: triple fault"* ]]
}

@test "vm: a guest that never exits is stopped by the timeout" {
	need_vmm
	start=$(date +%s%N)
	run "$VMM_BOOT" -p -t 300 "$STUBS/stub_64.elf" "exit=hlt"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "$output (${ms} ms)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"vmm-boot: exit timeout"* ]]
	[ "$ms" -lt 5000 ]
}

@test "vm: a PVM host refuses an ordinary guest kernel at once, saying why" {
	need_vmm
	is_pvm || skip "this host's /dev/kvm is not PVM"
	run timeout 10 "$VMM_BOOT" -t 10000 "$STUBS/stub_64.elf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"this host's /dev/kvm is PVM (kvm_pvm)"* ]]
	[[ "$output" == *"run on hardware KVM"* ]]
}

@test "vm: bad input gives a clear error" {
	need_vmm
	run "$VMM_BOOT" -p /nonexistent/vmlinux
	[ "$status" -eq 1 ]
	[[ "$output" == *"open kernel \`/nonexistent/vmlinux\`"* ]]
	run "$VMM_BOOT" -p /etc/passwd
	[ "$status" -eq 1 ]
	[[ "$output" == *"neither an ELF vmlinux nor a bzImage"* ]]
	run "$VMM_BOOT" -p -m 1 "$STUBS/stub_64.elf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"guest memory"* ]]
}

@test "vm: the minimal kernel boots to /init in our VMM (PVH, 64-bit protocol, bzImage); virtio-console and 9p both ways" {
	need_vmm
	[ -f "$INITRD" ] || skip "tiny initrd is not built"
	kernel=$(bash "$REPO_DIR/kvm-shim/kernel/build-kernel.sh" | tail -1)
	[ -s "$kernel" ]
	share=$(mktemp -d /tmp/strata-vm-share.XXXXXX)
	echo "from the host" > "$share/from-host.txt"
	cmd=("$REPO_DIR/tests/vm/boot-minimal-kernel.sh" "$VMM_BOOT" "$(dirname "$kernel")" "$INITRD" "$share")
	if is_pvm || [ ! -c /dev/kvm ]; then
		echo "# this host's /dev/kvm is PVM: running inside the test machine (qemu TCG + SVM)" >&3
		# 1 vCPU there: with 2 level-2 vCPUs, qemu 7.2's TCG-emulated SVM
		# sometimes never leaves VMRUN (level-1 soft lockups in KVM_RUN).
		run "$REPO_DIR/tests/vm/test-machine.sh" -t 900 -w "$share" "${cmd[@]}" 1
	else
		run "${cmd[@]}"
	fi
	echo "$output"
	host_view=$(cat "$share/from-guest.txt" 2>/dev/null)
	rm -rf "$share"
	[ "$status" -eq 0 ]
	# The last guest's write into the shared directory is on this host.
	[ "$host_view" = "written by the guest" ]
	for mode in pvh linux64 bzimage; do
		section=$(sed -n "/^== $mode\$/,/^== $mode rc=/p" <<<"$output")
		[[ "$section" == *"strata-tiny-init: reached /init"* ]]
		[[ "$section" == *"hello over virtio-console"* ]]
		[[ "$section" == *"strata-tiny-init: 9p read: from the host"* ]]
		[[ "$section" == *"vmm-boot: exit shutdown: triple fault"* ]]
		# What the guest wrote into the shared host directory is on the host.
		[[ "$section" == *"== $mode from-guest: written by the guest"* ]]
		[[ "$section" == *"== $mode rc=0"* ]]
	done
}

@test "vm: busybox commands run from a 9p rootfs in our VMM: exit codes, signals, stdout, writes reach the host" {
	need_vmm
	initrd=$REPO_DIR/build/kvm-shim/guest/run-one-initrd.cpio.gz
	[ -f "$initrd" ] || skip "run-one initrd is not built"
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	kernel=$(bash "$REPO_DIR/kvm-shim/kernel/build-kernel.sh" | tail -1)
	cmd=("$REPO_DIR/tests/vm/run-one-commands.sh" "$VMM_BOOT" "$kernel" "$initrd" "$BUSYBOX_ROOTFS")
	if is_pvm || [ ! -c /dev/kvm ]; then
		echo "# this host's /dev/kvm is PVM: running inside the test machine (qemu TCG + SVM)" >&3
		run "$REPO_DIR/tests/vm/test-machine.sh" -t 900 "${cmd[@]}"
	else
		run "${cmd[@]}"
	fi
	echo "$output"
	[ "$status" -eq 0 ]
	section() { sed -n "/^== $1\$/,/^== $1 rc=/p" <<<"$output"; }
	[[ "$(section 1)" == *"strata-run-one: exit 0"* ]]
	[[ "$(section 2)" == *"strata-run-one: exit 1"* ]]
	[[ "$(section 3)" == *"out-from-container"* ]]
	[[ "$(section 3)" == *"strata-run-one: exit 7"* ]]
	[[ "$(section 4)" == *"strata-run-one: exit 137"* ]]
	[[ "$output" == *"== host view of /root/vm-file: written-in-guest"* ]]
	for n in 1 2 3 4; do [[ "$(section $n)" == *"vmm-boot: exit shutdown: triple fault"* ]]; done
}
