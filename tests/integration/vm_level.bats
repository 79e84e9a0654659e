#!/usr/bin/env bats
# vm_level.bats - `strata --isolation vm` (runtime/vm_level.c, runtime/vm_host.c):
# the bundle's process runs in a guest booted by strata's VMM.
#
# The Linux-guest cases need a /dev/kvm that boots an ordinary kernel.  On a
# host with hardware KVM they run directly; when this host's /dev/kvm is PVM
# (or absent) they all run in ONE boot of the level-1 test machine
# (tests/vm/test-machine.sh, qemu TCG emulating SVM), from setup_file, and
# each test checks its section of that run's output.  The PVM error path is
# tested on this host itself.

load helpers

is_pvm() { [ -e /sys/module/kvm_pvm ]; }

# The cases, run as root where a usable /dev/kvm is (the host or the test
# machine).  $1 = work dir (bundle copies, bind source), shared read-write.
write_cases() {
	cat >"$1/cases.sh" <<'CASES'
#!/bin/bash
# Prints "== NAME" ... "== NAME rc=N" per case.
W=$1 S=$2
cd "$W"
exec >"$W/out.txt" 2>&1
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
# The state root must support FIFOs: a fresh tmpfs directory, never 9p.
R=$(mktemp -d /tmp/strata-vmroot.XXXXXX)
V="$S --root $R --log $W/strata.log --isolation vm"
T="timeout -s KILL 120"
bundle() { rm -rf "$W/b-$1"; mkdir -p "$W/b-$1"; ln -s "$W/rootfs" "$W/b-$1/rootfs"
	jq "$2" "$W/config.json" >"$W/b-$1/config.json"; }
case_() { echo "== $1"; }
end_() { echo "== $1 rc=$2"; }

bundle echo '.process.args = ["echo", "hello from the vm"]'
case_ echo; (cd "$W/b-echo" && $T $V run c-echo); end_ echo $?

bundle exit7 '.process.args = ["sh", "-c", "echo err-line >&2; exit 7"]'
case_ exit7; (cd "$W/b-exit7" && $T $V run c-exit7); end_ exit7 $?

mkdir -p "$W/share"; rm -f "$W/share/f"
bundle bind '.process.args = ["sh", "-c", "echo written-in-guest > /mnt/f"] | .mounts += [{"destination": "/mnt", "type": "bind", "source": "'"$W/share"'", "options": ["rbind", "rw"]}]'
case_ bind; (cd "$W/b-bind" && $T $V run c-bind); rc=$?; echo "host-view: $(cat "$W/share/f" 2>&1)"; end_ bind $rc

bundle mem '.process.args = ["cat", "/sys/fs/cgroup/memory.max"] | .linux.resources.memory.limit = 67108864'
case_ mem; (cd "$W/b-mem" && $T $V run c-mem); end_ mem $?

bundle term '.process.args = ["sh", "-c", "trap \"exit 42\" TERM; echo ready; while :; do sleep 1; done"]'
case_ term
(cd "$W/b-term" && $T $V run c-term) >"$W/term.out" 2>&1 & p=$!
for i in $(seq 300); do grep -q ready "$W/term.out" 2>/dev/null && break; sleep 0.2; done
$V kill c-term TERM; wait $p; rc=$?; cat "$W/term.out"; end_ term $rc

bundle kill9 '.process.args = ["sleep", "1000"]'
case_ kill9
(cd "$W/b-kill9" && $T $V run c-kill9) & p=$!
for i in $(seq 300); do [ "$($V state c-kill9 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.2; done
vmm=$($V state c-kill9 | jq -r .pid)
$V kill c-kill9 KILL; wait $p; rc=$?
sleep 0.5
[ -d /proc/$vmm ] && echo "VMM $vmm still alive" || echo "VMM gone"
ls "$R"; end_ kill9 $rc

bundle life '.process.args = ["sh", "-c", "echo life-out; exit 3"]'
case_ life
(cd "$W/b-life" && $V create c-life) && echo "after-create: $($V state c-life | jq -r .status)"
$V start c-life; echo "start rc=$?"
for i in $(seq 300); do [ "$($V state c-life | jq -r .status)" = stopped ] && break; sleep 0.2; done
echo "after-exit: $($V state c-life | jq -r .status)"
$V delete c-life; echo "delete rc=$?"; ls "$R"; end_ life 0
rm -rf "$R"
CASES
	chmod +x "$1/cases.sh"
}

setup_file() {
	export VMLEVEL_OUT="$BATS_FILE_TMPDIR/out.txt"
	[ -x "$STRATA_BIN" ] || return 0
	W=$(mktemp -d /tmp/strata-vmlevel.XXXXXX)
	export VMLEVEL_W=$W
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	cp -a "$BUSYBOX_ROOTFS" "$W/rootfs"
	"$STRATA_BIN" spec --bundle "$W" >/dev/null
	jq '.process.terminal = false' "$W/config.json" >"$W/c" && mv "$W/c" "$W/config.json"
	write_cases "$W"
	if is_pvm || [ ! -c /dev/kvm ]; then
		echo "# this host's /dev/kvm is PVM: the vm-level cases run inside the test machine (qemu TCG + SVM)" >&3
		"$REPO_DIR/tests/vm/test-machine.sh" -t 900 -w "$W" "$W/cases.sh" "$W" "$STRATA_BIN" >"$W/machine.txt" 2>&1 || true
	else
		"$W/cases.sh" "$W" "$STRATA_BIN" || true
	fi
	cat "$W/out.txt" "$W/machine.txt" >"$VMLEVEL_OUT" 2>/dev/null || true
	cp "$W/strata.log" "$BATS_FILE_TMPDIR/strata.log" 2>/dev/null || true
}

teardown_file() {
	[ -n "${VMLEVEL_W:-}" ] && rm -rf "$VMLEVEL_W"
	return 0
}

section() { sed -n "/^== $1\$/,/^== $1 rc=/p" "$VMLEVEL_OUT"; }

need_run() {
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	[ -s "$VMLEVEL_OUT" ] || skip "the vm-level cases did not run"
	if grep -q "^test-machine: .*\(failed\|did not finish\)\|no /dev/kvm inside" "$VMLEVEL_OUT"; then
		cat "$VMLEVEL_OUT"
		false
	fi
}

@test "vm level: PVM host: run fails at once with the PVM message, exit 1, nothing left behind" {
	is_pvm || skip "this host's /dev/kvm is not PVM"
	setup_bundle
	set_args echo hi
	id=$(rand_id)
	before=$(ls /sys/fs/cgroup)
	run timeout 20 $STRATA --isolation vm run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"this host's /dev/kvm is PVM (kvm_pvm)"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
	[ "$(ls /sys/fs/cgroup)" = "$before" ]
	! pgrep -f -- "$STRATA_ROOT" >/dev/null
	teardown_bundle
}

@test "vm level: echo output on stdout, exit 0" {
	need_run
	section echo
	[[ "$(section echo)" == *"hello from the vm"* ]]
	[[ "$(section echo)" == *"== echo rc=0"* ]]
}

@test "vm level: exit code 7 and stderr come back" {
	need_run
	section exit7
	[[ "$(section exit7)" == *"err-line"* ]]
	[[ "$(section exit7)" == *"== exit7 rc=7"* ]]
}

@test "vm level: a bind-mounted host directory gets the container's write" {
	need_run
	section bind
	[[ "$(section bind)" == *"host-view: written-in-guest"* ]]
	[[ "$(section bind)" == *"== bind rc=0"* ]]
}

@test "vm level: memory.max from the config is the guest cgroup's" {
	need_run
	section mem
	[[ "$(section mem)" == *"67108864"* ]]
	[[ "$(section mem)" == *"== mem rc=0"* ]]
}

@test "vm level: kill TERM is forwarded into the guest (trap exits 42)" {
	need_run
	section term
	[[ "$(section term)" == *"== term rc=42"* ]]
}

@test "vm level: kill -9 of the VMM: run exits 137, no VMM left" {
	need_run
	section kill9
	[[ "$(section kill9)" == *"VMM gone"* ]]
	[[ "$(section kill9)" == *"== kill9 rc=137"* ]]
}

@test "vm level: create / state / start / delete" {
	need_run
	section life
	s=$(section life)
	[[ "$s" == *"after-create: created"* ]]
	[[ "$s" == *"life-out"* ]]
	[[ "$s" == *"start rc=0"* ]]
	[[ "$s" == *"after-exit: stopped"* ]]
	[[ "$s" == *"delete rc=0"* ]]
}
