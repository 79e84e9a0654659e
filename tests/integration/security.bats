#!/usr/bin/env bats
# security.bats - process security configuration seen from inside the
# container: capability sets, noNewPrivileges, seccomp (errno, args,
# unknown names, notify, ENOSYS for newer syscalls), LSM requests,
# scheduler, ioPriority, execCPUAffinity, personality.

load helpers

HELPERS=${HELPERS_DIR:-$REPO_DIR/build/helpers}

setup() {
	setup_bundle
	[ -x "$HELPERS/sc-probe" ] || skip "test helpers are not built ($HELPERS)"
	cp "$HELPERS/sc-probe" "$BUNDLE/rootfs/bin/sc-probe"
}

teardown() { teardown_bundle; }

# x86_64 syscall numbers used below
NR_mkdir=83; NR_personality=135; NR_getpriority=140; NR_getpgid=121; NR_getsid=124
NR_ioprio_get=252; NR_clone3=435; NR_openat2=437; NR_getpid=39

@test "capability sets are exactly the configured ones" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_CHOWN","CAP_KILL","CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL"],
		"ambient": ["CAP_KILL"]}'
	set_args sh -c 'grep ^Cap /proc/self/status'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	# sh execs grep: the ambient set makes CapPrm/CapEff of grep = CapAmb
	[[ "$output" == *"CapInh:	0000000000000020"* ]]
	[[ "$output" == *"CapBnd:	0000000000000421"* ]]
	[[ "$output" == *"CapAmb:	0000000000000020"* ]]
}

@test "uid 0 with noNewPrivileges keeps exactly the permitted set across execve" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_CHOWN","CAP_SYS_ADMIN","CAP_DAC_OVERRIDE"],
		"effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN","CAP_DAC_OVERRIDE"]}'
	set_args sh -c 'grep ^Cap /proc/self/status'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	# capabilities(7): for uid 0 effective becomes permitted at execve; with
	# no_new_privs the process cannot gain the rest of the bounding set
	[[ "$output" == *"CapBnd:	0000000000200003"* ]]
	[[ "$output" == *"CapPrm:	0000000000000003"* ]]
	[[ "$output" == *"CapEff:	0000000000000003"* ]]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
}

@test "a non-root user keeps only what the config grants" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 3000]}
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": [], "permitted": []}'
	set_args sh -c 'grep -E "^(Cap|Uid|Gid|Groups)" /proc/self/status'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapBnd:	0000000000000020"* ]]
	[[ "$output" == *"Uid:	1000	1000	1000	1000"* ]]
	[[ "$output" == *"Gid:	1000	1000	1000	1000"* ]]
	[[ "$output" == *"Groups:	2000 3000"* ]]
}

@test "an unknown capability name is an error naming it" {
	update_config '.process.capabilities.bounding += ["CAP_MAKE_COFFEE"]'
	set_args true
	run sh -c "$STRATA run --bundle $BUNDLE $(rand_id) 2>&1 || exit 1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"CAP_MAKE_COFFEE"* ]]
}

@test "noNewPrivileges sets NoNewPrivs; without seccomp the Seccomp field is 0" {
	update_config '.process.noNewPrivileges = true | del(.linux.seccomp)'
	set_args grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	0"* ]]

	update_config '.process.noNewPrivileges = false'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
}

@test "seccomp: a denied syscall returns the configured errno, unknown names are skipped" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat", "no_such_syscall_strata"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}'
	set_args sh -c "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; sc-probe $NR_mkdir s:/tmp/x 0755; sc-probe $NR_getpid"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"ret=-1 errno=95"* ]]
	[[ "$output" == *"ret=1 errno=0"* ]]
}

@test "seccomp: without noNewPrivileges the filter still loads (before the capability drop)" {
	update_config '.process.noNewPrivileges = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95}]}'
	set_args sh -c "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; sc-probe $NR_mkdir s:/tmp/x 0755"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"NoNewPrivs:	0"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"ret=-1 errno=95"* ]]
}

@test "seccomp: argument comparisons EQ, NE, GT, MASKED_EQ and two conditions on one argument" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77,
		 "args": [{"index": 0, "value": 4660, "op": "SCMP_CMP_EQ"}]},
		{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 78,
		 "args": [{"index": 0, "value": 240, "valueTwo": 16, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 79,
		 "args": [{"index": 0, "value": 100000, "op": "SCMP_CMP_GT"}]},
		{"names": ["getsid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 80,
		 "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_NE"}]},
		{"names": ["setpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 81,
		 "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_LT"}, {"index": 0, "value": 9, "op": "SCMP_CMP_GE"}]}]}'
	# (one line: set_args splits its arguments at newlines)
	set_args sh -c "sc-probe $NR_personality 0x1234; sc-probe $NR_personality 0xffffffff; sc-probe $NR_getpriority 0x10 0; sc-probe $NR_getpriority 0x20 0; sc-probe $NR_getpgid 200000; sc-probe $NR_getpgid 0; sc-probe $NR_getsid 77; sc-probe $NR_getsid 0; sc-probe 109 3 3; sc-probe 109 12 12; sc-probe 109 7 7"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	mapfile -t l <<<"$output"
	[ "${l[0]}" = "ret=-1 errno=77" ]
	[ "${l[1]}" = "ret=0 errno=0" ]
	[ "${l[2]}" = "ret=-1 errno=78" ]
	[ "${l[3]}" = "ret=-1 errno=22" ]   # not matched: the kernel's EINVAL
	[ "${l[4]}" = "ret=-1 errno=79" ]
	[[ "${l[5]}" == "ret="*" errno=0" ]]
	[ "${l[6]}" = "ret=-1 errno=80" ]
	[[ "${l[7]}" == "ret="*" errno=0" ]]
	[ "${l[8]}" = "ret=-1 errno=81" ]    # 3 < 5
	[ "${l[9]}" = "ret=-1 errno=81" ]    # 12 >= 9
	[ "${l[10]}" != "ret=-1 errno=81" ]  # 7: neither
}

@test "seccomp: an unknown action or operator is an error naming it" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]}'
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"SCMP_ACT_EXPLODE"* ]]

	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ROUGHLY"}]}]}'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"SCMP_CMP_ROUGHLY"* ]]
}

@test "seccomp: under an errno default, syscalls newer than the profile get ENOSYS" {
	# An allowlist of every x86_64 syscall below 335 except mkdir: clone3 (435) and
	# openat2 (437) are newer than anything the profile names.
	names=$(grep '#define __NR_' /usr/include/x86_64-linux-gnu/asm/unistd_64.h |
		awk '$3 < 335 && $2 != "__NR_mkdir" { sub("__NR_", "", $2); print $2 }' | jq -R . | jq -sc .)
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 13,
		\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		\"syscalls\": [{\"names\": $names, \"action\": \"SCMP_ACT_ALLOW\"}]}"
	set_args sh -c "sc-probe $NR_mkdir s:/tmp/q 0755; sc-probe $NR_clone3 0 0; sc-probe $NR_openat2 0 0 0 0; sc-probe $NR_getpid"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	mapfile -t l <<<"$output"
	[ "${l[0]}" = "ret=-1 errno=13" ]   # named range, not allowed: the default errno
	[ "${l[1]}" = "ret=-1 errno=38" ]   # ENOSYS
	[ "${l[2]}" = "ret=-1 errno=38" ]
	[ "${l[3]}" = "ret=1 errno=0" ]
}

@test "seccomp: SCMP_ACT_NOTIFY sends the listener fd and the container state to listenerPath" {
	[ -x "$HELPERS/notify-listener" ] || skip "notify-listener not built"
	sock="$TEST_TMP/notify.sock"
	"$HELPERS/notify-listener" -e 95 -t 10 "$sock" "$TEST_TMP/state.json" >"$TEST_TMP/listener.out" 2>&1 &
	lpid=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$sock\",
		\"listenerMetadata\": \"strata-meta\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	set_args sh -c "sc-probe $NR_mkdir s:/tmp/m 0755; sc-probe $NR_getpid"
	id=$(rand_id)
	run $STRATA run --bundle "$BUNDLE" "$id"
	echo "$output"
	wait "$lpid" || true
	cat "$TEST_TMP/listener.out" "$TEST_TMP/state.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ret=-1 errno=95"* ]]   # the listener's answer
	grep -q "notified nr=$NR_mkdir" "$TEST_TMP/listener.out"
	[ "$(jq -r '.fds[0]' "$TEST_TMP/state.json")" = seccompFd ]
	[ "$(jq -r '.metadata' "$TEST_TMP/state.json")" = strata-meta ]
	[ "$(jq -r '.state.id' "$TEST_TMP/state.json")" = "$id" ]
	[ "$(jq -r '.ociVersion' "$TEST_TMP/state.json")" != null ]
	[ "$(jq -r '.pid' "$TEST_TMP/state.json")" -gt 0 ]
}

@test "apparmorProfile / selinuxLabel on a host without the LSM is a clear error" {
	if grep -qw apparmor /sys/kernel/security/lsm 2>/dev/null || [ -d /sys/module/apparmor ]; then
		skip "this host has AppArmor"
	fi
	update_config '.process.apparmorProfile = "strata-test-profile"'
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"apparmor profile \`strata-test-profile\` requested but AppArmor is not enabled on this host"* ]]

	if ! grep -qw selinux /sys/kernel/security/lsm 2>/dev/null && [ ! -e /sys/fs/selinux/enforce ]; then
		update_config 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
		run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
		echo "$output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"SELinux is not enabled on this host"* ]]
	fi
}

@test "scheduler, ioPriority and execCPUAffinity are applied" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}
		| .process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
		| .process.execCPUAffinity = {"initial": "0", "final": "0"}'
	set_args sh -c "grep -E '^policy' /proc/self/sched; cut -d' ' -f19 /proc/self/stat; sc-probe $NR_ioprio_get 1 0; grep Cpus_allowed_list /proc/self/status"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ policy[[:space:]]+:[[:space:]]+3 ]]   # SCHED_BATCH
	mapfile -t l <<<"$output"
	[ "${l[1]}" = 5 ]                                     # nice
	[ "${l[2]}" = "ret=24576 errno=0" ]                   # IOPRIO_CLASS_IDLE << 13
	[[ "${l[3]}" == "Cpus_allowed_list:"*"0" ]]
}

@test "an unknown scheduler policy is an error naming it" {
	update_config '.process.scheduler = {"policy": "SCHED_TURBO"}'
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"SCHED_TURBO"* ]]
}

@test "personality LINUX32 makes uname -m report a 32-bit machine" {
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args uname -m
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "an unknown capability name fails at create (exit 1) and leaves no state" {
	update_config '.process.capabilities.bounding += ["CAP_MAKE_COFFEE"]'
	set_args true
	id=$(rand_id)
	run $STRATA create --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown capability \`CAP_MAKE_COFFEE\`"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
}
