#!/usr/bin/env bats
# exec.bats - `strata exec` (runc exec's flags): namespaces, cgroup, root,
# capabilities, rlimits, no_new_privs, fds, exit codes, --detach/--pid-file,
# --process, --tty (client-contract.md §3.1, §3.2).

load helpers

setup() {
	setup_bundle
	set_args sleep 1000
	update_config '.process.rlimits = [{"type":"RLIMIT_NOFILE","hard":777,"soft":666}]'
	ID=$(rand_id)
}
teardown() { teardown_bundle; }

start_c() {
	$STRATA run -d --bundle "$BUNDLE" "$ID" >"$TEST_TMP/run.out" 2>&1 </dev/null
	[ "$($STRATA state "$ID" | jq -r .status)" = running ]
	INIT=$($STRATA state "$ID" | jq -r .pid)
}

@test "exec: output and exit status" {
	start_c
	run $STRATA exec "$ID" echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	run $STRATA exec "$ID" sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run $STRATA exec "$ID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec: joins every namespace, the cgroup and the root of the init" {
	start_c
	for ns in pid net mnt ipc uts; do
		inner=$($STRATA exec "$ID" readlink /proc/self/ns/$ns)
		[ "$inner" = "$(readlink /proc/$INIT/ns/$ns)" ]
	done
	# pid namespace: the init is pid 1 in it
	[ "$($STRATA exec "$ID" cat /proc/1/cmdline | tr '\0' ' ')" = "sleep 1000 " ]
	run $STRATA exec "$ID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[ "$output" = "$($STRATA exec "$ID" cat /proc/1/cgroup)" ]
	# the container's root: busybox, and no host file
	$STRATA exec "$ID" test -x /bin/busybox
	! $STRATA exec "$ID" test -e "$BUNDLE/config.json"
}

@test "exec: capabilities, rlimits and the environment of config.json" {
	start_c
	[ "$($STRATA exec "$ID" grep CapBnd /proc/self/status)" = "$(grep CapBnd /proc/$INIT/status)" ]
	[ "$($STRATA exec "$ID" grep CapEff /proc/self/status)" = "$(grep CapEff /proc/$INIT/status)" ]
	[ "$($STRATA exec "$ID" sh -c 'ulimit -n')" = 666 ]
	[ "$($STRATA exec "$ID" sh -c 'ulimit -Hn')" = 777 ]
	run $STRATA exec "$ID" sh -c 'echo $PATH:$HOME'
	[ "$output" = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/root" ]
}

@test "exec: inline --env --cwd --user --cap --no-new-privs" {
	start_c
	run $STRATA exec --env FOO=bar --env PATH=/bin --cwd /tmp --user 1000:1001 "$ID" sh -c 'echo $FOO $PATH; pwd; id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bar /bin" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1001 ]
	# CAP_SYS_ADMIN is bit 21: not in spec's default set, added by --cap
	eff=$($STRATA exec --cap CAP_SYS_ADMIN "$ID" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')
	[ $(( 0x$eff & (1 << 21) )) -ne 0 ]
	eff=$($STRATA exec "$ID" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')
	[ $(( 0x$eff & (1 << 21) )) -eq 0 ]
	[ "$($STRATA exec --no-new-privs "$ID" grep NoNewPrivs /proc/self/status | awk '{print $2}')" = 1 ]
}

@test "exec: no_new_privs of config.json stays on" {
	update_config '.process.noNewPrivileges = true'
	start_c
	[ "$($STRATA exec "$ID" grep NoNewPrivs /proc/self/status | awk '{print $2}')" = 1 ]
}

@test "exec: --process FILE (the shim's process JSON)" {
	start_c
	cat >"$TEST_TMP/process.json" <<-'JSON'
	{"user":{"uid":1234,"gid":0,"additionalGids":[0]},"args":["sh","-c","echo $A; pwd; id -u; ulimit -n"],
	 "env":["PATH=/bin:/usr/bin","A=from-json"],"cwd":"/etc",
	 "capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]},
	 "rlimits":[{"type":"RLIMIT_NOFILE","hard":100,"soft":99}],"oomScoreAdj":0}
	JSON
	run $STRATA exec --process "$TEST_TMP/process.json" "$ID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-json ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = 1234 ]
	[ "${lines[3]}" = 99 ]
}

@test "exec: only fds 0-2 (and --preserve-fds) reach the process" {
	start_c
	# fds 3 and 4 are open in the caller without close-on-exec
	$STRATA exec --detach --pid-file "$TEST_TMP/exec.pid" "$ID" sleep 100 3>/dev/null 4>/dev/null
	pid=$(cat "$TEST_TMP/exec.pid")
	[ "$(ls /proc/$pid/fd | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	run $STRATA exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3<<<"passed-fd"
	[ "$status" -eq 0 ]
	[ "$output" = passed-fd ]
}

@test "exec: a missing binary fails with no such file or directory, in the json log too" {
	start_c
	run $STRATA --log "$TEST_TMP/log.json" --log-format json exec "$ID" /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file or directory"* ]]
	tail -1 "$TEST_TMP/log.json" | jq -e '.level == "error" and (.msg | test("no such file or directory"))'
	run $STRATA exec "$ID" nonexistent-cmd
	[ "$status" -ne 0 ]
	[[ "$output" == *"executable file not found"* ]]
}

@test "exec --detach --pid-file: the host pid, reparented away from strata" {
	start_c
	# a loop, not one long sleep: this VM's clock jumps end long sleeps early
	$STRATA exec --detach --pid-file "$TEST_TMP/exec.pid" "$ID" sh -c 'while :; do sleep 1; done' >/dev/null
	pid=$(cat "$TEST_TMP/exec.pid")
	[ -n "$pid" ]
	[[ "$(tr '\0' ' ' </proc/$pid/cmdline)" == "sh -c while"* ]]
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT/ns/pid)" ]
	[ "$(cat /proc/$pid/cgroup)" = "$(cat /proc/$INIT/cgroup)" ]
	# in ps of the container
	$STRATA ps --format json "$ID" | jq -e --argjson p "$pid" 'index($p)'
}

@test "exec: a running exec does not block kill and delete" {
	start_c
	$STRATA exec "$ID" sleep 300 >/dev/null 2>&1 &
	epid=$!
	sleep 0.5
	timeout 5 $STRATA kill "$ID" KILL
	timeout 10 $STRATA delete --force "$ID"
	wait $epid || true
}

@test "exec: --tty without a console socket relays the pty" {
	start_c
	command -v script >/dev/null || skip "script(1) is not installed"
	run timeout 10 script -qec "$STRATA exec -t $ID sh -c 'tty; exit 7'" /dev/null
	[ "$status" -eq 7 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "exec: stopped and unknown containers" {
	run $STRATA exec nosuchcontainer true
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	set_args true
	$STRATA run --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null || true
	$STRATA create --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null || true
	$STRATA start "$ID"
	sleep 0.3
	run $STRATA exec "$ID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
}

# The exec'd process leads a session and process group of its own, as the
# init does (runc's exec does too).  /proc/self/stat: 1 pid, 5 pgrp, 6 session.
@test "exec: the process leads its own session without a terminal" {
	start_c
	run $STRATA exec "$ID" cat /proc/self/stat
	[ "$status" -eq 0 ]
	set -- $output
	echo "pid=$1 pgrp=$5 session=$6"
	[ "$1" -gt 1 ]
	[ "$5" = "$1" ]
	[ "$6" = "$1" ]
}
