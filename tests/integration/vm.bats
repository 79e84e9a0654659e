#!/usr/bin/env bats
# vm.bats - strata's VMM (kvm-shim/) on real KVM.
#
# Tiny guests (kvm-shim/stubs) run on this host's /dev/kvm, PVM included.
# The Linux-guest tests boot the minimal kernel (kvm-shim/kernel/build-kernel.sh,
# cached) in our VMM: directly on hardware KVM, or, when this host's /dev/kvm
# is PVM or missing, all of them in ONE boot of the level-1 test machine
# (tests/vm/test-machine.sh, qemu TCG emulating SVM) from setup_file; each
# test checks its section of that run's output.

load helpers

VMM_BOOT=${VMM_BOOT:-$REPO_DIR/build/kvm-shim/vmm-boot}
STUBS=$REPO_DIR/build/kvm-shim/stubs
INITRD=$REPO_DIR/build/kvm-shim/guest/tiny-initrd.cpio.gz

need_vmm() {
	[ -x "$VMM_BOOT" ] || skip "vmm-boot is not built ($VMM_BOOT)"
	[ -c /dev/kvm ] || skip "this host has no /dev/kvm"
}

is_pvm() { [ -e /sys/module/kvm_pvm ]; }

# setup_file: run every Linux-guest case once, where a usable /dev/kvm is.
# Leaves the output in $VM_LINUX_OUT, or a skip reason in $VM_LINUX_SKIP.
setup_file() {
	export VM_LINUX_OUT=$BATS_FILE_TMPDIR/linux.txt VM_LINUX_SKIP=$BATS_FILE_TMPDIR/linux.skip
	local initrd_one=$REPO_DIR/build/kvm-shim/guest/run-one-initrd.cpio.gz kernel w
	if [ ! -x "$VMM_BOOT" ]; then echo "vmm-boot is not built ($VMM_BOOT)" >"$VM_LINUX_SKIP"; return 0; fi
	if [ ! -c /dev/kvm ]; then echo "this host has no /dev/kvm" >"$VM_LINUX_SKIP"; return 0; fi
	if [ ! -f "$INITRD" ] || [ ! -f "$initrd_one" ]; then echo "the guest initrds are not built" >"$VM_LINUX_SKIP"; return 0; fi
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	kernel=$(bash "$REPO_DIR/kvm-shim/kernel/build-kernel.sh" | tail -1)
	# Shared read-write with the test machine (its /tmp is its own tmpfs).
	w=$(mktemp -d /tmp/strata-vm-linux.XXXXXX)
	export VM_LINUX_W=$w
	mkdir "$w/share"
	echo "from the host" >"$w/share/from-host.txt"
	cat >"$w/cases.sh" <<CASES
#!/bin/bash
# 1 level-2 vCPU: with 2, qemu 7.2's TCG-emulated SVM sometimes never leaves
# VMRUN (level-1 soft lockups in KVM_RUN).
"$REPO_DIR/tests/vm/boot-minimal-kernel.sh" "$VMM_BOOT" "$(dirname "$kernel")" "$INITRD" "$w/share" 1
echo "== share host-view: \$(cat "$w/share/from-guest.txt" 2>/dev/null)"
"$REPO_DIR/tests/vm/run-one-commands.sh" "$VMM_BOOT" "$kernel" "$initrd_one" "$BUSYBOX_ROOTFS"
CASES
	chmod +x "$w/cases.sh"
	if is_pvm; then
		echo "# this host's /dev/kvm is PVM: the Linux-guest cases run inside the test machine (qemu TCG + SVM)" >&3
		"$REPO_DIR/tests/vm/test-machine.sh" -t 900 -w "$w" "$w/cases.sh" >"$VM_LINUX_OUT" 2>&1
	else
		"$w/cases.sh" >"$VM_LINUX_OUT" 2>&1
	fi
	echo "== machine rc=$?" >>"$VM_LINUX_OUT"
}

teardown_file() {
	[ -n "${VM_LINUX_W:-}" ] && rm -rf "$VM_LINUX_W"
	return 0
}

# need_linux_run: skip with setup_file's reason, else show its output.
need_linux_run() {
	[ ! -s "$VM_LINUX_SKIP" ] || skip "$(cat "$VM_LINUX_SKIP")"
	cat "$VM_LINUX_OUT"
	grep -q '^== machine rc=0$' "$VM_LINUX_OUT"
}

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
	need_linux_run
	output=$(cat "$VM_LINUX_OUT")
	# The last guest's write into the shared directory is on this host.
	[[ "$output" == *"== share host-view: written by the guest"* ]]
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
	need_linux_run
	output=$(cat "$VM_LINUX_OUT")
	section() { sed -n "/^== $1\$/,/^== $1 rc=/p" <<<"$output"; }
	[[ "$(section 1)" == *"strata-run-one: exit 0"* ]]
	[[ "$(section 2)" == *"strata-run-one: exit 1"* ]]
	[[ "$(section 3)" == *"out-from-container"* ]]
	[[ "$(section 3)" == *"strata-run-one: exit 7"* ]]
	[[ "$(section 4)" == *"strata-run-one: exit 137"* ]]
	[[ "$output" == *"== host view of /root/vm-file: written-in-guest"* ]]
	for n in 1 2 3 4; do [[ "$(section $n)" == *"vmm-boot: exit shutdown: triple fault"* ]]; done
}
