#!/usr/bin/env bats
# vm_level.bats - `strata --isolation vm` (runtime/vm_level.c, runtime/vm_host.c):
# the bundle's process runs in a guest booted by strata's VMM.
#
# The Linux-guest cases need a /dev/kvm that boots an ordinary kernel.  On a
# host with hardware KVM they run directly; when this host's /dev/kvm is PVM
# (or absent) they all run in ONE boot of the level-1 test machine
# (tests/vm/test-machine.sh, qemu TCG emulating SVM), from setup_file, and
# each test checks its section of that run's output.  The PVM error path is
# tested on this host itself.  The differential (vm-commands.txt, driver
# vm-diff-driver.sh) compares native and vm output line by line in that run.

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
# --- binds ---
# 8 bind-mounted directories plus CRI's single-file binds (/etc/hosts rw,
# /etc/resolv.conf ro), all through one staging share (runtime/vm_shares.h).
rm -rf "$W/bd"; mkdir -p "$W/bd"; printf host-rw >"$W/bd/hosts"; printf host-ro >"$W/bd/resolv"
mj='.mounts += [{"destination": "/etc/hosts", "type": "bind", "source": "'"$W/bd/hosts"'", "options": ["rbind", "rw"]}, {"destination": "/etc/resolv.conf", "type": "bind", "source": "'"$W/bd/resolv"'", "options": ["rbind", "ro"]}]'
for i in 0 1 2 3 4 5 6 7; do
	mkdir -p "$W/bd/d$i"; echo "in-$i" >"$W/bd/d$i/in"; o=bind; [ $((i % 2)) = 0 ] && o=rbind
	mj="$mj"' | .mounts += [{"destination": "/b/d'$i'", "type": "bind", "source": "'"$W/bd/d$i"'", "options": ["'$o'", "rw"]}]'
done
bundle binds '.process.args = ["sh", "-c", "for i in 0 1 2 3 4 5 6 7; do cat /b/d$i/in; echo out-$i > /b/d$i/out; done; echo \"guest-hosts: $(cat /etc/hosts)\"; echo guest-rw > /etc/hosts; echo \"guest-resolv: $(cat /etc/resolv.conf)\"; (echo x > /etc/resolv.conf) 2>/dev/null && echo ro-written || echo ro-refused; touch /b/d0/done; while [ ! -e /b/d0/go ]; do sleep 0.2; done"] | '"$mj"
case_ binds
(cd "$W/b-binds" && $T $V run c-binds) >"$W/binds.out" 2>&1 & p=$!
for i in $(seq 600); do [ -e "$W/bd/d0/done" ] && break; sleep 0.2; done
vmm=$($V state c-binds | jq -r .pid)
echo "host staging: [$(ls -A "$R/c-binds/vm-binds" 2>&1)] host mounts: $(grep -c vm-binds /proc/self/mountinfo)"
echo "vmm mounts: $(grep -c vm-binds /proc/$vmm/mountinfo)"
touch "$W/bd/d0/go"; wait $p; rc=$?; cat "$W/binds.out"
echo "host-outs: $(cat "$W"/bd/d*/out | tr '\n' ' ')"
echo "host-hosts: $(cat "$W/bd/hosts")"; echo "host-resolv: $(cat "$W/bd/resolv")"
[ -e "$R/c-binds" ] && echo "binds state left" || echo "binds state gone"
# kill -9 of the VMM: its mount namespace, and the staging mounts, die with it.
bundle binds9 '.process.args = ["sleep", "1000"] | .mounts += [{"destination": "/etc/hosts", "type": "bind", "source": "'"$W/bd/hosts"'", "options": ["rbind", "rw"]}]'
(cd "$W/b-binds9" && $T $V run c-binds9) >/dev/null 2>&1 & p=$!
for i in $(seq 300); do [ "$($V state c-binds9 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.2; done
vmm=$($V state c-binds9 | jq -r .pid)
echo "kill9 vmm mounts: $(grep -c vm-binds /proc/$vmm/mountinfo)"
kill -9 "$vmm"; wait $p; echo "kill9 run rc=$?"
echo "kill9 after: host mounts $(grep -c vm-binds /proc/self/mountinfo), state $([ -e "$R/c-binds9" ] && echo left || echo gone)"
end_ binds $rc
# --- end binds ---

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
# --- differential ---
# vm-commands.txt (copied into $W/diff by diff_prepare): one container per
# level runs every plain line through vm-diff-driver.sh, results into a
# bind-mounted host directory; then each `@own` line runs as its own container
# at both levels.  The native runs are here too, on the same files (9p in the
# test machine), so a difference is the vm level's.
for lv in native vm; do
	bundle "d$lv" '.root.readonly = false | .process.args = ["sh", "/mnt/diff/driver.sh", "/mnt/diff/cmds.txt", "/mnt/diff/r"] | .mounts += [{"destination": "/mnt/diff", "type": "bind", "source": "'"$W/diff/$lv"'", "options": ["rbind", "rw"]}]'
	rm "$W/b-d$lv/rootfs"; mv "$W/diff/rootfs-$lv" "$W/b-d$lv/rootfs"
	case_ "diff-$lv"; t0=$(date +%s)
	(cd "$W/b-d$lv" && $T $S --root "$R" --log "$W/strata.log" --isolation $lv run "c-d$lv" </dev/null); rc=$?
	echo "seconds: $(($(date +%s) - t0))"; end_ "diff-$lv" $rc
done
case_ diff-own; t0=$(date +%s); i=0
grep '^@own ' "$W/diff/cmds.txt" >"$W/diff/own.txt"
while IFS= read -r line; do
	i=$((i + 1))
	bundle "own$i" ".process.args = [\"sh\", \"-c\", $(jq -n --arg l "${line#@own }" '$l')]"
	for lv in native vm; do
		(cd "$W/b-own$i" && $T $S --root "$R" --log "$W/strata.log" --isolation $lv run "c-own$lv$i" \
			</dev/null >"$W/diff/own/$lv.$i.out" 2>"$W/diff/own/$lv.$i.err"); echo $? >"$W/diff/own/$lv.$i.rc"
	done
done <"$W/diff/own.txt"
echo "own lines: $i, seconds: $(($(date +%s) - t0))"; end_ diff-own 0
# --- end differential ---
# --- exec cases ---
bundle exec '.process.args = ["sh", "-c", "trap \"exit 0\" TERM; echo init-up; while :; do sleep 1; done"]'
case_ exec
(cd "$W/b-exec" && $T $V run c-exec) >"$W/exec-init.out" 2>&1 & p=$!
for i in $(seq 300); do [ "$($V state c-exec 2>/dev/null | jq -r .status)" = running ] && break; sleep 0.2; done
echo "sock: $(stat -c %A "$R/c-exec/exec.sock" 2>&1)"
$T $V exec c-exec sh -c 'echo in-exec; echo exec-err >&2; exit 5'; echo "exec1 rc=$?"
echo "cmdline: $($T $V exec c-exec cat /proc/1/cmdline | tr '\0' ' ')"
$T $V exec --env FOO=bar --cwd /tmp c-exec sh -c 'echo "env=$FOO cwd=$(pwd)"'
echo "stdin: $(echo data-in | $T $V exec c-exec cat) rc=$?"
echo "stdin-bytes: $(head -c 300000 /dev/zero | $T $V exec c-exec wc -c)"
echo "stdin-echo: $(head -c 1000000 /dev/zero | $T $V exec c-exec cat | wc -c)"
echo "stdin-closed: $($T $V exec c-exec head -c 0 </dev/zero; echo rc=$?)"
$T $V exec c-exec sh -c 'kill -9 $$'; echo "selfkill rc=$?"
$T $V exec c-exec /no/such/binary; echo "nobin rc=$?"
for n in 1 2 3; do $T $V exec c-exec sh -c "sleep 1; echo conc-\$\$-$n" >"$W/conc-$n.out" 2>&1 & eval "cp$n=\$!"; done
wait $cp1; r1=$?; wait $cp2; r2=$?; wait $cp3; r3=$?
echo "conc rc=$r1,$r2,$r3 $(cat "$W/conc-1.out" "$W/conc-2.out" "$W/conc-3.out" | sed 's/-[0-9]*-/-/' | sort | tr '\n' ' ')"
# A forwarded signal: exec's own SIGTERM reaches the process.
$T $V exec c-exec sh -c 'trap "exit 33" TERM; echo sig-ready; while :; do sleep 1; done' >"$W/sig.out" 2>&1 & sp=$!
for i in $(seq 100); do grep -q sig-ready "$W/sig.out" 2>/dev/null && break; sleep 0.2; done
kill -TERM $sp; wait $sp; echo "sigterm rc=$?"
# A client that dies mid-run must not break the container.
$T $V exec c-exec sh -c 'sleep 2; echo late' >/dev/null 2>&1 & kp=$!
sleep 0.5; kill -KILL $kp; wait $kp 2>/dev/null
$T $V exec c-exec echo after-disconnect; echo "after-disconnect rc=$?"
# --detach: the relay's pid goes to --pid-file; it relays and exits with the process.
$T $V exec -d --pid-file "$W/exec.pid" c-exec sh -c 'sleep 1; echo detached-out' >"$W/det.out" 2>&1; echo "detach rc=$?"
rp=$(cat "$W/exec.pid"); [ -d "/proc/$rp" ] && echo "relay alive"
for i in $(seq 100); do [ -d "/proc/$rp" ] || break; sleep 0.2; done
[ -d "/proc/$rp" ] && echo "relay still alive" || echo "relay gone: $(cat "$W/det.out")"
$V kill c-exec TERM; wait $p; echo "init rc=$?"
$V exec c-exec echo x; echo "gone rc=$?"
ls "$R"; end_ exec 0

bundle execstop '.process.args = ["true"]'
case_ execstop
(cd "$W/b-execstop" && $V create c-execstop >/dev/null 2>&1)
$T $V exec c-execstop echo x; echo "created rc=$?"
$V start c-execstop
for i in $(seq 300); do [ "$($V state c-execstop | jq -r .status)" = stopped ] && break; sleep 0.2; done
$T $V exec c-execstop echo x; echo "stopped rc=$?"
$V delete c-execstop; end_ execstop 0

# Host hooks run on the host; the guest never sees them (it has no /bin/sh).
hk() { echo '{"path": "/bin/sh", "args": ["sh", "-c", "jq -r .status > '"$W"'/hook-'"$1"'"]}'; }
bundle hooks '.process.args = ["echo", "hooked"] | .hooks = {"prestart": ['"$(hk prestart)"'], "createRuntime": ['"$(hk createRuntime)"'], "poststart": ['"$(hk poststart)"'], "poststop": ['"$(hk poststop)"']}'
rm -f "$W"/hook-*
case_ hooks; (cd "$W/b-hooks" && $T $V run c-hooks); rc=$?
for h in prestart createRuntime poststart poststop; do echo "hook $h: $(cat "$W/hook-$h" 2>&1)"; done
end_ hooks $rc
# --- end exec cases ---
rm -rf "$R"
CASES
	chmod +x "$1/cases.sh"
}

# diff_prepare W: what the differential block of cases.sh needs in W/diff:
# one rootfs copy per level (writable; /mnt/diff made before either run so
# both see the same mtimes), and per level a bind source holding the driver,
# the command list and the results directory r/.
diff_prepare() {
	local d=$1/diff lv
	mkdir -p "$d/own"
	cp -a "$BUSYBOX_ROOTFS" "$d/rootfs-native"
	mkdir -p "$d/rootfs-native/mnt/diff"
	cp -a "$d/rootfs-native" "$d/rootfs-vm"
	cp "$BATS_TEST_DIRNAME/vm-commands.txt" "$d/cmds.txt"
	for lv in native vm; do
		mkdir -p "$d/$lv/r"
		cp "$BATS_TEST_DIRNAME/vm-diff-driver.sh" "$d/$lv/driver.sh"
		cp "$d/cmds.txt" "$d/$lv/cmds.txt"
	done
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
	diff_prepare "$W"
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

@test "vm level: PVM host: a kernel given as PVM-enabled is booted, and one that is not fails at the ready timeout, nothing left behind" {
	is_pvm || skip "this host's /dev/kvm is not PVM"
	setup_bundle
	set_args echo hi
	# Our guest kernel is an ordinary one: vouched for as PVM-enabled it is
	# booted (64-bit protocol) and never reaches the agent: a clear error
	# at the ready timeout, never a hang.
	update_config '.annotations["io.strata.vm.pvm-kernel"] = "true" | .annotations["io.strata.vm.ready-timeout"] = "3"'
	id=$(rand_id)
	before=$(ls /sys/fs/cgroup)
	run timeout 60 $STRATA --isolation vm run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the guest agent did not answer within 3 s (READY)"* ]]
	[[ "$output" == *"the kernel was given as PVM-enabled"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
	[ "$(ls /sys/fs/cgroup)" = "$before" ]
	! pgrep -f -- "$STRATA_ROOT" >/dev/null
	# A bad timeout is refused with what was expected.
	update_config '.annotations["io.strata.vm.ready-timeout"] = "soon"'
	run timeout 60 $STRATA --isolation vm run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"io.strata.vm.ready-timeout: expected whole seconds from 1 to 3600, got \`soon\`"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
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

# diff_files A B LINE: compare A.{out,err,rc} with B.{out,err,rc}; print each
# mismatch as sentry.bats does; status 1 when any differs or is missing.
diff_files() {
	local f bad=0
	for f in out err rc; do
		if ! cmp -s "$1.$f" "$2.$f"; then
			echo "# MISMATCH ($f) in: $3"
			diff "$1.$f" "$2.$f" 2>&1 | head -20 | sed 's/^/#   /'
			bad=1
		fi
	done
	return $bad
}

@test "vm level: differential busybox commands, native vs vm, one container each (vm-commands.txt)" {
	need_run
	section diff-native
	section diff-vm
	local d=$VMLEVEL_W/diff n=0 failed=0 line
	[[ "$(section diff-native)" == *"== diff-native rc=0"* ]]
	while IFS= read -r line; do
		case "$line" in '' | '#'* | '@own '*) continue ;; esac
		n=$((n + 1))
		diff_files "$d/native/r/$n" "$d/vm/r/$n" "$line" || failed=$((failed + 1))
	done <"$BATS_TEST_DIRNAME/vm-commands.txt"
	echo "# $n commands, $failed mismatches"
	[ "$(cat "$d/native/r/count")" = "$n" ]
	[ "$(cat "$d/native/r/1.out")" = hello ]
	[ "$n" -ge 100 ]
	[ "$failed" -eq 0 ]
	[ "$(cat "$d/vm/r/count")" = "$n" ]
	[[ "$(section diff-vm)" == *"== diff-vm rc=0"* ]]
}

@test "vm level: a container's own stdout, stderr and exit status equal native (@own lines)" {
	need_run
	section diff-own
	local d=$VMLEVEL_W/diff n=0 failed=0 line
	while IFS= read -r line; do
		case "$line" in '@own '*) ;; *) continue ;; esac
		n=$((n + 1))
		diff_files "$d/own/native.$n" "$d/own/vm.$n" "${line#@own }" || failed=$((failed + 1))
	done <"$BATS_TEST_DIRNAME/vm-commands.txt"
	echo "# $n own-container commands, $failed mismatches"
	[ "$n" -ge 5 ]
	[ "$failed" -eq 0 ]
	# the comparison alone would pass if both levels failed alike
	[ "$(cat "$d/own/vm.1.rc")" = 3 ]
	[ "$(cat "$d/own/vm.2.rc")" = 255 ]
}

@test "vm level: exec into an unknown vm container fails with a clear error" {
	setup_bundle
	run $STRATA --isolation vm exec "no-such-$(rand_id)" echo hi
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container does not exist"* ]]
	teardown_bundle
}

@test "vm level: exec runs in the running container: output, stderr, exit 5, 0600 socket" {
	need_run
	s=$(section exec)
	echo "$s"
	[[ "$s" == *"sock: srw-------"* ]]
	[[ "$s" == *"in-exec"* ]]
	[[ "$s" == *"exec-err"* ]]
	[[ "$s" == *"exec1 rc=5"* ]]
}

@test "vm level: exec sees the container's pid namespace, env and cwd" {
	need_run
	s=$(section exec)
	[[ "$s" == *"cmdline: sh -c trap"*"init-up"* ]]
	[[ "$s" == *"env=bar cwd=/tmp"* ]]
}

@test "vm level: exec exit status: 137 when killed, 1 for a missing binary" {
	need_run
	s=$(section exec)
	[[ "$s" == *"selfkill rc=137"* ]]
	[[ "$s" == *"nobin rc=1"* ]]
}

@test "vm level: exec relays stdin (EOF included), and stops when the process closes it" {
	need_run
	s=$(section exec)
	echo "$s" | grep stdin
	[[ "$s" == *"stdin: data-in rc=0"* ]]
	[[ "$s" == *"stdin-bytes: 300000"* ]]
	[[ "$s" == *"stdin-echo: 1000000"* ]]
	[[ "$s" == *"stdin-closed: rc=0"* ]]
}

@test "vm level: three concurrent execs all finish with their own output" {
	need_run
	[[ "$(section exec)" == *"conc rc=0,0,0 conc-1 conc-2 conc-3 "* ]]
}

@test "vm level: exec forwards SIGTERM; a client killed mid-run leaves the container usable" {
	need_run
	s=$(section exec)
	[[ "$s" == *"sigterm rc=33"* ]]
	[[ "$s" == *"after-disconnect"$'\n'"after-disconnect rc=0"* ]]
	[[ "$s" == *"init rc=0"* ]]
}

@test "vm level: exec --detach writes the relay's pid, which relays and exits" {
	need_run
	s=$(section exec)
	[[ "$s" == *"detach rc=0"* ]]
	[[ "$s" == *"relay alive"* ]]
	[[ "$s" == *"relay gone: detached-out"* ]]
}

@test "vm level: exec into a created, a stopped and a removed container fails" {
	need_run
	s=$(section execstop)
	echo "$s"
	[[ "$s" == *"created rc=1"* ]]
	[[ "$s" == *"stopped rc=1"* ]]
	[[ "$s" == *"container not running"* ]]
	[[ "$(section exec)" == *"container does not exist"*"gone rc=1"* ]]
}

@test "vm level: prestart/createRuntime/poststart/poststop hooks run on the host, not in the guest" {
	need_run
	s=$(section hooks)
	echo "$s"
	[[ "$s" == *"hooked"* ]]
	[[ "$s" == *"hook prestart: creating"* ]]
	[[ "$s" == *"hook createRuntime: creating"* ]]
	[[ "$s" == *"hook poststart: running"* ]]
	[[ "$s" == *"hook poststop: stopped"* ]]
	[[ "$s" == *"== hooks rc=0"* ]]
}

@test "vm level: 8 bind-mounted directories and single-file binds (rw and ro) share one 9p device" {
	need_run
	s=$(section binds)
	echo "$s"
	for i in 0 1 2 3 4 5 6 7; do [[ "$s" == *"in-$i"* ]]; done
	[[ "$s" == *"host-outs: out-0 out-1 out-2 out-3 out-4 out-5 out-6 out-7 "* ]]
	[[ "$s" == *"guest-hosts: host-rw"* ]]
	[[ "$s" == *"host-hosts: guest-rw"* ]]
	[[ "$s" == *"guest-resolv: host-ro"* ]]
	[[ "$s" == *"ro-refused"* ]]
	[[ "$s" == *"host-resolv: host-ro"* ]]
	[[ "$s" == *"binds state gone"* ]]
	[[ "$s" == *"== binds rc=0"* ]]
}

@test "vm level: the bind staging mounts exist only in the VMM's namespace; kill -9 leaves none" {
	need_run
	s=$(section binds)
	echo "$s"
	[[ "$s" == *"host staging: [] host mounts: 0"* ]]
	[[ "$s" == *"vmm mounts: 11"* ]]
	[[ "$s" == *"kill9 vmm mounts: 2"* ]]
	[[ "$s" == *"kill9 run rc=137"* ]]
	[[ "$s" == *"kill9 after: host mounts 0, state gone"* ]]
}
