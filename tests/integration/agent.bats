#!/usr/bin/env bats
# agent.bats - the vm level's guest agent (kvm-shim/guest/agent/) as PID 1 of
# a real Linux guest, driven through its protocol (kvm-shim/agent_protocol.h).
#
# The guest is the minimal kernel (kvm-shim/kernel/build-kernel.sh, cached in
# /var/cache/strata/kernel) booted by qemu-system-x86_64 -M microvm under TCG
# (tests/vm/agent-qemu.sh), once for the whole file; every test runs one
# container in it through tests/vm/agent-host.py.  No strata VMM and no KVM
# needed, so this runs on PVM hosts too.  Everything is emulated: it proves
# behaviour, never speed.

load helpers
bats_require_minimum_version 1.5.0

AGENT_QEMU=$REPO_DIR/tests/vm/agent-qemu.sh
AGENT_HOST=$REPO_DIR/tests/vm/agent-host.py
AGENT_INITRD=$REPO_DIR/build/guest/agent-initrd.cpio.gz

setup_file() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
	ls /var/cache/strata/kernel/*/bzImage >/dev/null 2>&1 || skip "no guest kernel in /var/cache/strata/kernel (kvm-shim/kernel/build-kernel.sh)"
	[ -f "$AGENT_INITRD" ] || skip "the agent initrd is not built ($AGENT_INITRD: make guest)"
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	# A short path: the agent port is a unix socket (108-byte limit).
	VM_DIR=$(mktemp -d /tmp/strata-agent.XXXXXX)
	export VM_DIR
	"$AGENT_QEMU" boot "$VM_DIR" >"$VM_DIR/boot.txt" 2>&1 || {
		cat "$VM_DIR/boot.txt" >&3
		return 1
	}
}

teardown_file() {
	[ -n "${VM_DIR:-}" ] || return 0
	"$AGENT_QEMU" stop "$VM_DIR" >/dev/null 2>&1 || true
	rm -rf "$VM_DIR"
}

setup() {
	CONF_DIR=$(mktemp -d /tmp/strata-agent-conf.XXXXXX)
	"$STRATA_BIN" spec --bundle "$CONF_DIR" >/dev/null
	conf '.process.terminal = false'
}

teardown() {
	rm -rf "$CONF_DIR"
}

# qemu_alive PID: running, not a zombie waiting for its adopter to reap it.
qemu_alive() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

conf() {
	local tmp
	tmp=$(mktemp "$CONF_DIR/c.XXXXXX")
	jq "$@" "$CONF_DIR/config.json" >"$tmp" && mv "$tmp" "$CONF_DIR/config.json"
}

conf_args() {
	conf --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s .)" '.process.args = $a'
}

# guest_run [agent-host run options]: run $CONF_DIR/config.json in the guest.
guest_run() {
	python3 "$AGENT_HOST" --timeout 120 "$VM_DIR/agent.sock" run "$CONF_DIR/config.json" --share rootfs=rootfs "$@"
}

@test "agent: the guest booted and the agent reported READY" {
	cat "$VM_DIR/boot.txt"
	grep -q "ready version 1" "$VM_DIR/boot.txt"
}

@test "agent: output, the container's cgroup v2 and memory.max from the config" {
	conf_args sh -c 'echo hi; cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max'
	conf '.linux.resources.memory.limit = 33554432'
	run guest_run
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hi" ]
	[ "${lines[1]}" = "0::/" ] # its own cgroup namespace
	[ "${lines[2]}" = "33554432" ]
}

@test "agent: without a cgroup namespace the container sits in a child cgroup of the guest" {
	conf_args sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/$(cut -d: -f3 /proc/self/cgroup)/pids.max'
	conf 'del(.linux.namespaces[] | select(.type == "cgroup")) | .linux.resources.pids.limit = 77'
	run guest_run
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == 0::/?* ]]
	[ "${lines[1]}" = "77" ]
}

@test "agent: user, env, cwd, rlimits, capabilities and seccomp apply in the guest" {
	conf_args sh -c 'id -u; id -g; echo "$GREETING"; pwd; ulimit -n; grep CapBnd /proc/self/status; mkdir /tmp/blocked 2>&1 || echo mkdir-refused'
	conf '.process.user = {"uid": 1000, "gid": 1001} | .process.env += ["GREETING=hi-from-vm"] | .process.cwd = "/tmp"
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 321, "soft": 123}]
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	run guest_run
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1000" ]
	[ "${lines[1]}" = "1001" ]
	[ "${lines[2]}" = "hi-from-vm" ]
	[ "${lines[3]}" = "/tmp" ]
	[ "${lines[4]}" = "123" ]
	[[ "${lines[5]}" == *0000000000000020 ]] # bounding set: CAP_KILL only (bit 5)
	[[ "$output" == *"Operation not permitted"*mkdir-refused* ]]
}

@test "agent: exit status and separate stdout and stderr" {
	conf_args sh -c 'echo to-out; echo to-err >&2; exit 7'
	run --separate-stderr guest_run
	echo "out: $output"
	echo "err: $stderr"
	[ "$status" -eq 7 ]
	[ "$output" = "to-out" ]
	[ "$stderr" = "to-err" ]
}

@test "agent: a container killed by SIGKILL from the host reports 137" {
	# (SIGKILL from inside would not do: init of a pid namespace ignores it.)
	conf_args sleep 60
	run guest_run --signal 9 --signal-delay 1
	echo "$output"
	[ "$status" -eq 137 ]
}

@test "agent: SIGNAL is forwarded to the container's init" {
	conf_args sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while true; do sleep 0.2; done'
	run guest_run --signal 15 --signal-delay 2
	echo "$output"
	[ "$status" -eq 42 ]
	[[ "$output" == *ready*got-term* ]]
}

@test "agent: exec joins the running container (same cgroup limit)" {
	conf_args sh -c 'sleep 4; echo init-done'
	conf '.linux.resources.memory.limit = 50331648'
	echo '{"args":["sh","-c","echo from-exec; cat /sys/fs/cgroup/memory.max; exit 3"],"cwd":"/","env":["PATH=/bin:/usr/bin"],"user":{"uid":0,"gid":0}}' >"$CONF_DIR/process.json"
	run guest_run --exec "$CONF_DIR/process.json" --exec-out "$CONF_DIR/exec.out"
	echo "$output"
	cat "$CONF_DIR/exec.out"
	[ "$status" -eq 0 ]
	[ "$output" = "init-done" ]
	[ "$(cat "$CONF_DIR/exec.out.status")" = "3" ]
	[ "$(head -1 "$CONF_DIR/exec.out")" = "from-exec" ]
	[ "$(sed -n 2p "$CONF_DIR/exec.out")" = "50331648" ]
}

@test "agent: SIGNAL reaches an exec process; the container goes on" {
	conf_args sh -c 'sleep 5; echo init-done'
	echo '{"args":["sleep","60"],"cwd":"/","env":["PATH=/bin:/usr/bin"],"user":{"uid":0,"gid":0}}' >"$CONF_DIR/process.json"
	run guest_run --exec "$CONF_DIR/process.json" --exec-out "$CONF_DIR/exec.out" --exec-signal 9
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "init-done" ]
	[ "$(cat "$CONF_DIR/exec.out.status")" = "137" ]
}

@test "agent: a file written to a bind-mounted share is on the host afterwards" {
	local marker="vm-$RANDOM$RANDOM"
	rm -f "$VM_DIR/vol/f"
	conf_args sh -c "echo $marker > /mnt/vol/f"
	conf --arg v "$VM_DIR/vol" '.mounts += [{"destination":"/mnt/vol","type":"bind","source":$v,"options":["rbind","rw"]}]'
	run guest_run --share "vol=$VM_DIR/vol"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$VM_DIR/vol/f")" = "$marker" ]
}

@test "agent: STDIN frames feed the container's stdin, then EOF" {
	head -c 300000 /dev/urandom >"$CONF_DIR/in.bin"
	conf_args sh -c 'read -r first; echo "first=$first"; wc -c'
	{ echo hello-stdin; cat "$CONF_DIR/in.bin"; } >"$CONF_DIR/stdin"
	run guest_run --stdin "$CONF_DIR/stdin"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "first=hello-stdin" ]
	[ "$(echo "${lines[1]}" | tr -d ' ')" = "300000" ]
}

@test "agent: a create error comes back as ERROR with the runtime's message" {
	conf_args /nonexistent
	run guest_run
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"agent error"*"/nonexistent"* ]]
}

@test "agent: malformed and out-of-order frames are refused with ERROR" {
	run python3 "$AGENT_HOST" --timeout 60 "$VM_DIR/agent.sock" probe
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
}

@test "agent: the guest still runs containers after errors" {
	conf_args echo still-alive
	run guest_run
	[ "$status" -eq 0 ]
	[ "$output" = "still-alive" ]
}

# Last: it powers the guest off.
@test "agent: the guest powers off after the container when CREATE asks for it" {
	local pid
	pid=$(cat "$VM_DIR/qemu.pid")
	conf_args echo last
	run guest_run --poweroff
	[ "$status" -eq 0 ]
	[ "$output" = "last" ]
	for _ in $(seq 100); do
		qemu_alive "$pid" || break
		sleep 0.1
	done
	! qemu_alive "$pid"
}
