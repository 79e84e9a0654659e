#!/usr/bin/env bats
# Hostile root filesystems: symlinks planted in the rootfs (`etc -> /`,
# `proc -> <host dir>`, `dev -> /tmp/x`, `dev/null -> <host file>`, masked and
# read-only paths pointing out of the rootfs, `../..` destinations, magic
# links) must never get anything mounted, created or written outside the
# rootfs.  Each test compares the host before and after: its mount table
# (the entries that could be ours) and the victim files' inode and content.
# The container either gets the mount inside its rootfs or fails cleanly.

load helpers

setup() {
	setup_bundle
	ROOTFS="$BUNDLE/rootfs"
	HOSTDIR="$TEST_TMP/hostdir"        # a host directory the rootfs points at
	VICTIM="$TEST_TMP/victim"          # a host file the rootfs points at
	mkdir -p "$HOSTDIR"
	echo precious >"$VICTIM"
	update_config '.root.readonly = false'
}

teardown() { teardown_bundle; }

in_container() {
	set_args sh -c "$1"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
}

# The host's mount points that a leak could add (other tests on the machine
# may mount elsewhere concurrently; these names are ours or sensitive).
watched_mounts() {
	awk '{print $5}' /proc/self/mountinfo |
		grep -E "^($TEST_TMP|/etc|/proc|/dev|/sys|/tmp/strata-hostile|/strata-probe|/hostile)" | sort
}

# snapshot: host mount points plus inode, size and content of the victims
snapshot() {
	watched_mounts
	stat -c '%n %i %s %F' "$VICTIM" "$HOSTDIR" /etc/passwd /etc/hostname 2>&1
	cat "$VICTIM"
	ls -A "$HOSTDIR"
	ls -d /strata-probe /tmp/strata-hostile-$$ 2>&1 || true
}

@test "hostile: etc -> / keeps mounts on etc inside the rootfs" {
	rm -rf "$ROOTFS/etc" && ln -s / "$ROOTFS/etc"
	echo probe >"$TEST_TMP/probe"
	update_config ".mounts += [{\"destination\":\"/etc/strata-probe\",\"type\":\"bind\",\"source\":\"$TEST_TMP/probe\",\"options\":[\"bind\",\"ro\"]},
	                           {\"destination\":\"/etc/hostile\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"
	before=$(snapshot)
	in_container 'cat /etc/strata-probe; grep -E " /(strata-probe|hostile) " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *probe* ]]
	# inside the container they landed at the rootfs's own / (etc -> /)
	[[ "$output" == *" /strata-probe ro"* ]]
	[[ "$output" == *" /hostile rw"* ]]
	[ -e "$ROOTFS/strata-probe" ] && [ -d "$ROOTFS/hostile" ]
	[ ! -e /strata-probe ] && [ ! -e /hostile ]
	[ "$before" = "$after" ]
}

@test "hostile: proc -> host directory mounts procfs inside the rootfs only" {
	rm -rf "$ROOTFS/proc" && ln -s "$HOSTDIR" "$ROOTFS/proc"
	before=$(snapshot)
	in_container 'head -1 /proc/self/status; grep " - proc " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"Name:"* ]]
	[[ "$output" == *" $HOSTDIR "*" - proc proc "* ]]
	# the host directory is still empty and is no mount point
	[ -z "$(ls -A "$HOSTDIR")" ]
	! mountpoint -q "$HOSTDIR"
	[ -d "$ROOTFS$HOSTDIR" ]
	[ "$before" = "$after" ]
}

@test "hostile: dev -> /tmp/x puts /dev (tmpfs, devices) inside the rootfs" {
	target="/tmp/strata-hostile-$$"
	rm -rf "$ROOTFS/dev" && ln -s "$target" "$ROOTFS/dev"
	before=$(snapshot)
	in_container 'stat -c "%n %t:%T" /dev/null; grep " /dev " /proc/self/mountinfo; echo x >/dev/null && echo null-ok'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"null-ok"* ]]
	[ ! -e "$target" ]
	[ -d "$ROOTFS$target" ]
	[ "$before" = "$after" ]
}

@test "hostile: dev/null -> host file is replaced by the real node, the host file is untouched" {
	# no /dev tmpfs: the devices are made in the rootfs's own dev/
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
	rm -f "$ROOTFS/dev/null" && ln -s "$VICTIM" "$ROOTFS/dev/null"
	ln -sf /etc/passwd "$ROOTFS/dev/zero"
	ino=$(stat -c %i "$VICTIM")
	before=$(snapshot)
	in_container 'echo clobbered >/dev/null; stat -c "%n %F %t:%T" /dev/null /dev/zero; cat /proc/keys | wc -c'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3"* ]]
	[[ "$output" == *"/dev/zero character special file 1:5"* ]]
	[ "$(cat "$VICTIM")" = "precious" ]
	[ "$(stat -c %i "$VICTIM")" = "$ino" ]
	[ "$before" = "$after" ]
}

@test "hostile: /dev/null swapped for a symlink to a procfs file cannot feed masking" {
	# CVE-2025-31133: masking binds "/dev/null" over the masked path; if the
	# container's /dev/null were used, a symlink would put a writable procfs
	# file there.  The host's verified null device is used instead.
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
	rm -f "$ROOTFS/dev/null" && ln -s /proc/sys/kernel/core_pattern "$ROOTFS/dev/null"
	before=$(snapshot)
	in_container 'stat -c "%t:%T" /proc/keys /proc/timer_list; grep -E " /proc/(keys|timer_list) " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"1:3"* ]]
	[[ "$output" != *"core_pattern"* ]]
	[[ "$output" == *" /proc/keys "*" - devtmpfs "* ]]
	[ "$before" = "$after" ]
}

@test "hostile: a masked path that is a symlink to a host file masks nothing on the host" {
	ln -s "$VICTIM" "$ROOTFS/evil-mask"
	ln -s /etc/passwd "$ROOTFS/evil-passwd"
	update_config '.linux.maskedPaths += ["/evil-mask", "/evil-passwd"]'
	ino=$(stat -c %i /etc/passwd)
	before=$(snapshot)
	in_container 'echo "[$(cat /evil-passwd)]"; grep -E " /etc/passwd " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	# the rootfs's own /etc/passwd (the symlink's target inside the root) is masked
	[[ "$output" == *"[]"* ]]
	[[ "$output" == *" /etc/passwd "* ]]
	[ "$(stat -c %i /etc/passwd)" = "$ino" ]
	[ -s /etc/passwd ]
	[ "$before" = "$after" ]
}

@test "hostile: a read-only path that is a symlink to a host dir leaves the host writable" {
	ln -s "$HOSTDIR" "$ROOTFS/evil-ro"
	mkdir -p "$ROOTFS$HOSTDIR"
	update_config '.linux.readonlyPaths += ["/evil-ro"]'
	before=$(snapshot)
	in_container "touch $HOSTDIR/x; echo \"touch=\$?\""
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"touch=1"* ]]
	touch "$HOSTDIR/host-can-write"
	rm "$HOSTDIR/host-can-write"
	[ "$before" = "$after" ]
}

@test "hostile: a ../../.. destination stays inside the rootfs" {
	update_config ".mounts += [{\"destination\":\"/../../..$TEST_TMP/escape\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]"
	before=$(snapshot)
	in_container "grep ' $TEST_TMP/escape ' /proc/self/mountinfo"
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *" - tmpfs "* ]]
	[ ! -e "$TEST_TMP/escape" ]
	[ -d "$ROOTFS$TEST_TMP/escape" ]
	[ "$before" = "$after" ]
}

@test "hostile: a relative symlink climbing out (../../..) is clamped at the rootfs" {
	ln -s ../../../../../../../.. "$ROOTFS/up"
	update_config '.mounts += [{"destination":"/up/tmp/hostile-up","type":"tmpfs","source":"tmpfs"}]'
	before=$(snapshot)
	in_container 'grep " /tmp/hostile-up " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[ -d "$ROOTFS/tmp/hostile-up" ]
	[ ! -e /tmp/hostile-up ]
	[ "$before" = "$after" ]
}

@test "hostile: a dangling symlink destination is created inside the rootfs" {
	ln -s /tmp/strata-hostile-$$/deep "$ROOTFS/dangle"
	update_config '.mounts += [{"destination":"/dangle","type":"tmpfs","source":"tmpfs"}]'
	before=$(snapshot)
	in_container "grep ' /tmp/strata-hostile-$$/deep ' /proc/self/mountinfo"
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[ -d "$ROOTFS/tmp/strata-hostile-$$/deep" ]
	[ ! -e "/tmp/strata-hostile-$$" ]
	[ "$before" = "$after" ]
}

@test "hostile: a destination through a /proc magic link fails cleanly" {
	ln -s /proc/self/root/tmp "$ROOTFS/magic"
	update_config '.mounts += [{"destination":"/magic/hostile","type":"tmpfs","source":"tmpfs"}]'
	before=$(snapshot)
	id=$(rand_id)
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$id"
	after=$(snapshot)
	[ "$status" -ne 0 ]
	[[ "$output" == *"/magic/hostile"* ]]
	[ ! -e /tmp/hostile ]
	[ "$before" = "$after" ]
	# nothing left behind
	run $STRATA state "$id"
	[ "$status" -ne 0 ]
}

@test "hostile: a bind over a procfs file outside the allowed list is refused" {
	echo 0 >"$TEST_TMP/fake"
	update_config ".mounts += [{\"destination\":\"/proc/version\",\"type\":\"bind\",\"source\":\"$TEST_TMP/fake\",\"options\":[\"bind\"]}]"
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"/proc/version"*"procfs"* ]]
	# an allowed one (lxcfs-style /proc/cpuinfo) works
	update_config ".mounts |= map(select(.destination != \"/proc/version\")) |
	              .mounts += [{\"destination\":\"/proc/cpuinfo\",\"type\":\"bind\",\"source\":\"$TEST_TMP/fake\",\"options\":[\"bind\"]}]"
	in_container 'cat /proc/cpuinfo'
	[ "$status" -eq 0 ]
	[ "$output" = "0" ]
}

@test "hostile: a sysctl key with path tricks is refused and the host is untouched" {
	before=$(cat /proc/sys/kernel/core_pattern)
	update_config '.linux.sysctl = {"net/../../kernel/core_pattern": "|/bin/evil"}'
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid key"* ]]
	update_config '.linux.sysctl = {"net.ipv4.conf.all.forwarding": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	in_container 'true'
	[ "$status" -ne 0 ]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
}

@test "hostile: a destination swapped with a symlink while mounting (rename race) stays inside" {
	# CVE-2021-30465 class: the mount point is exchanged with a symlink to
	# a host directory between the check and the mount.  Lookups inside
	# the root by fd make the swap harmless.
	command -v python3 >/dev/null || skip "python3 (for renameat2) is not installed"
	mkdir -p "$ROOTFS/mnt/x"
	ln -s "$HOSTDIR" "$ROOTFS/mnt-link"
	update_config '.mounts += [{"destination":"/mnt/x","type":"tmpfs","source":"tmpfs"}]'
	before=$(snapshot)
	python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b, stop = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3]
while not os.path.exists(stop):
    libc.renameat2(-100, a, -100, b, 2)  # RENAME_EXCHANGE
' "$ROOTFS/mnt" "$ROOTFS/mnt-link" "$TEST_TMP/stop" &
	racer=$!
	set_args true
	for i in $(seq 15); do
		$STRATA run --bundle "$BUNDLE" "$(rand_id)" >/dev/null 2>&1 || true
	done
	touch "$TEST_TMP/stop"
	wait "$racer"
	after=$(snapshot)
	[ -z "$(ls -A "$HOSTDIR")" ]
	! mountpoint -q "$HOSTDIR"
	[ "$before" = "$after" ]
}

@test "hostile: in a user namespace, dev/null -> host file gets the bound host node, host untouched" {
	update_config '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not))) |
		.linux.namespaces += [{"type":"user"}] |
		.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
		.linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	rm -f "$ROOTFS/dev/null" && ln -s "$VICTIM" "$ROOTFS/dev/null"
	rm -rf "$ROOTFS/etc" && ln -s / "$ROOTFS/etc"
	chown -R -h 100000:100000 "$ROOTFS"
	chmod 0755 "$TEST_TMP" # the mapped root must reach the state dir
	ino=$(stat -c %i "$VICTIM")
	before=$(snapshot)
	in_container 'echo clobbered >/dev/null; stat -c "%n %F %t:%T" /dev/null; grep " /dev/null " /proc/self/mountinfo'
	after=$(snapshot)
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3"* ]]
	[[ "$output" == *" - devtmpfs "* ]]
	[ "$(cat "$VICTIM")" = "precious" ]
	[ "$(stat -c %i "$VICTIM")" = "$ino" ]
	[ "$before" = "$after" ]
}
