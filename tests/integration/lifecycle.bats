#!/usr/bin/env bats
# lifecycle.bats - create/start/state/kill/delete/run/list/spec at the native
# level, with runc's outputs, messages and exit codes (client-contract.md §3).

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# create_c ID [FLAGS...]: create with the bundle; the init inherits create's
# stdio, so it goes to a file (a pipe would keep bats waiting).
create_c() {
	local id=$1
	shift
	$STRATA create --bundle "$BUNDLE" "$@" "$id" >"$TEST_TMP/create.out" 2>&1 </dev/null
}

status_of() { $STRATA state "$1" | jq -r .status; }
pid_of() { $STRATA state "$1" | jq -r .pid; }

# wait_status ID STATUS: poll for up to 5 s
wait_status() {
	local i
	for i in $(seq 50); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "status of $1 is $(status_of "$1"), wanted $2" >&2
	return 1
}

@test "create, start, kill, delete: created -> running -> stopped -> gone" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id" --pid-file "$TEST_TMP/pid"
	[ "$(status_of "$id")" = created ]
	pid=$(pid_of "$id")
	[ "$pid" -gt 0 ]
	# the pid file holds the host pid, without a newline (as runc writes it)
	[ "$(cat "$TEST_TMP/pid")" = "$pid" ]
	[ "$(tail -c1 "$TEST_TMP/pid" | od -An -c | tr -d ' ')" != '\n' ]
	[ -d "/proc/$pid" ]
	$STRATA start "$id"
	[ "$(status_of "$id")" = running ]
	# after start the init is the container's program
	[ "$(cat /proc/$pid/comm)" = sleep ]
	$STRATA kill "$id" KILL
	wait_status "$id" stopped
	[ "$(pid_of "$id")" = 0 ]
	$STRATA delete "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
	run $STRATA state "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "state prints runc's fields" {
	set_args sleep 100
	update_config '.annotations = {"org.example.key": "value"}'
	id=$(rand_id)
	create_c "$id"
	run $STRATA state "$id"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" --arg b "$BUNDLE" '
		.ociVersion == "1.3.0" and .id == $id and .status == "created" and (.pid > 0) and
		.bundle == $b and (.rootfs | length > 0) and
		(.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")) and .owner == "" and
		.annotations["org.example.key"] == "value"'
	# pretty-printed like runc's (two-space indent)
	[[ "$output" == *'  "id": '* ]]
}

@test "run exits with the container's status: 0, 3, 255, 128+9" {
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	set_args sh -c 'exit 3'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 3 ]
	set_args sh -c 'exit 255'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 255 ]
	# the init of a pid namespace cannot be killed from inside it: share the host's
	update_config 'del(.linux.namespaces[] | select(.type == "pid"))'
	set_args sh -c 'kill -9 $$'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 137 ]
	# without --keep every container was deleted
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "run prints the container's output and --keep keeps it stopped" {
	set_args echo hello from strata
	id=$(rand_id)
	run $STRATA run --keep --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from strata" ]
	[ "$(status_of "$id")" = stopped ]
	$STRATA delete "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
}

@test "run --detach returns with the container running" {
	set_args sleep 100
	id=$(rand_id)
	$STRATA run --detach --bundle "$BUNDLE" "$id" >"$TEST_TMP/out" 2>&1 </dev/null
	[ "$(status_of "$id")" = running ]
	$STRATA delete --force "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
}

@test "run forwards SIGTERM to the container" {
	set_args sh -c 'trap "exit 7" TERM; while :; do sleep 0.05; done'
	id=$(rand_id)
	$STRATA run --bundle "$BUNDLE" "$id" >"$TEST_TMP/out" 2>&1 </dev/null &
	runpid=$!
	wait_status "$id" running
	sleep 0.2
	kill -TERM "$runpid"
	rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 7 ]
}

# Job-control and real-time signals are forwarded too (runc forwards every
# asynchronous signal): the container leads its own session, so a terminal's
# ^Z reaches it only through `strata run`.
@test "run forwards SIGTSTP, SIGPWR and a real-time signal to the container" {
	update_config '.root.readonly = false'
	set_args sh -c 'trap "echo TSTP >> /sig" TSTP; trap "echo PWR >> /sig" PWR; trap "echo RT >> /sig; exit 9" 37; while :; do sleep 0.05; done'
	id=$(rand_id)
	$STRATA run --bundle "$BUNDLE" "$id" >"$TEST_TMP/out" 2>&1 </dev/null &
	runpid=$!
	# A run that is stopped instead of forwarding must not hang the suite.
	(sleep 60; kill -KILL "$runpid") >/dev/null 2>&1 &
	watchdog=$!
	wait_status "$id" running
	sleep 0.2
	kill -TSTP "$runpid"
	sleep 0.2
	kill -PWR "$runpid"
	sleep 0.2
	kill -37 "$runpid" # SIGRTMIN+3 with glibc
	rc=0
	wait "$runpid" || rc=$?
	kill "$watchdog" 2>/dev/null || true
	cat "$BUNDLE/rootfs/sig"
	[ "$rc" -eq 9 ]
	[ "$(cat "$BUNDLE/rootfs/sig" | xargs)" = "TSTP PWR RT" ]
}

@test "kill accepts names with and without SIG, and numbers; default is SIGTERM" {
	update_config '.root.readonly = false'
	set_args sh -c 'for s in USR1 USR2 HUP TERM; do trap "echo $s >> /sig" $s; done; while :; do sleep 0.05; done'
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	sleep 0.3
	$STRATA kill "$id" USR1
	sleep 0.2
	$STRATA kill "$id" SIGUSR2
	sleep 0.2
	$STRATA kill "$id" 1
	sleep 0.2
	$STRATA kill "$id"
	sleep 0.3
	[ "$(cat "$BUNDLE/rootfs/sig" | tr '\n' ' ')" = "USR1 USR2 HUP TERM " ]
	run $STRATA kill "$id" NOSUCHSIG
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown signal"* ]]
	$STRATA kill "$id" 9
	wait_status "$id" stopped
}

@test "kill on a stopped container: 'container not running', but --all exits 0" {
	set_args true
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	wait_status "$id" stopped
	run $STRATA kill "$id" 15
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not running"* ]]
	run $STRATA kill --all "$id" 9
	[ "$status" -eq 0 ]
	$STRATA delete "$id"
}

@test "kill --all signals every process of the container" {
	set_args sh -c 'sleep 100 & sleep 100 & wait'
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	sleep 0.3
	$STRATA kill --all "$id" KILL
	wait_status "$id" stopped
	$STRATA delete "$id"
}

@test "delete refuses a running container; delete --force kills it" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	pid=$(pid_of "$id")
	run $STRATA delete "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot delete container $id that is not stopped: running"* ]]
	[ -d "/proc/$pid" ]
	$STRATA delete --force "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
	# the init is gone (or an unreaped zombie of our shell)
	[ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
}

@test "delete of a created container kills its init" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	pid=$(pid_of "$id")
	$STRATA delete "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
	[ ! -d "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
}

@test "delete --force works without PATH in the environment (podman's cleanup)" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	env -i XDG_RUNTIME_DIR=/tmp $STRATA delete --force "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
}

@test "start: stopped and running containers are refused with runc's messages" {
	set_args true
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	wait_status "$id" stopped
	run $STRATA start "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot start a container that has stopped"* ]]
	set_args sleep 100
	id2=$(rand_id)
	create_c "$id2"
	$STRATA start "$id2"
	run $STRATA start "$id2"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot start an already running container"* ]]
}

@test "a duplicate id is refused and the first container is untouched" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	pid=$(pid_of "$id")
	run $STRATA create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container with id exists: $id"* ]]
	[ "$(pid_of "$id")" = "$pid" ]
	[ "$(status_of "$id")" = created ]
}

@test "unknown ids: state, start, kill, delete say 'container does not exist' and exit 1" {
	for cmd in state start kill delete "delete --force"; do
		run $STRATA $cmd nosuchcontainer
		[ "$status" -eq 1 ]
		[[ "$output" == *"container does not exist"* ]]
	done
}

@test "list: table, json and quiet" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	run $STRATA list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]]
	[[ "${lines[1]}" =~ ^$id\ +[0-9]+\ +created\ +$BUNDLE\ +[0-9T:.-]+Z\ +root$ ]]
	run $STRATA list --format json
	echo "$output" | jq -e --arg id "$id" '.[0].id == $id and .[0].status == "created" and .[0].owner == "root"'
	run $STRATA list -q
	[ "$output" = "$id" ]
}

@test "global flags: = forms, json log, unknown flag, version" {
	run $STRATA --log-format=json --log="$TEST_TMP/log.json" state nosuch
	[ "$status" -eq 1 ]
	tail -n1 "$TEST_TMP/log.json" | jq -e '.level == "error" and .msg == "container does not exist" and (.time | length > 0)'
	run $STRATA_BIN --bogus list
	[ "$status" -eq 1 ]
	[[ "$output" == *"flag provided but not defined: -bogus"* ]]
	run $STRATA_BIN --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^strata\ version\ [0-9] ]]
	[[ "${lines[1]}" == "commit: "* ]]
	[ "${lines[2]}" = "spec: 1.3.0" ]
	[[ "${lines[3]}" =~ ^libseccomp:\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "spec writes a runnable config and refuses to overwrite it" {
	d="$TEST_TMP/specdir"
	mkdir -p "$d"
	$STRATA_BIN spec --bundle "$d"
	jq -e '.ociVersion == "1.3.0" and .process.args == ["sh"]' "$d/config.json"
	run $STRATA_BIN spec -b "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *"File config.json exists. Remove it first"* ]]
}

@test "the isolation level is recorded at create (flag, annotation)" {
	set_args sleep 100
	id=$(rand_id)
	$STRATA --isolation native create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	[ "$(jq -r .level "$STRATA_ROOT/$id/state.json")" = native ]
	$STRATA delete --force "$id"
	update_config '.annotations["io.strata.isolation"] = "sentry"'
	id=$(rand_id)
	$STRATA create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	[ "$(jq -r .level "$STRATA_ROOT/$id/state.json")" = sentry ]
	# the flag wins over the annotation
	$STRATA delete --force "$id"
	$STRATA --isolation native create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	[ "$(jq -r .level "$STRATA_ROOT/$id/state.json")" = native ]
	$STRATA delete --force "$id"
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "100 create/start/delete cycles leave no mount, cgroup, process or state behind" {
	set_args sleep 4242
	mounts_before=$(wc -l </proc/self/mountinfo)
	procs_before=$(pgrep -xf 'sleep 4242' | wc -l)
	cgs=""
	for i in $(seq 100); do
		id="leak-$$-$i"
		create_c "$id"
		pid=$($STRATA state "$id" | jq .pid)
		# the init's own cgroup directories, in every v1 hierarchy and cgroup2
		cgs+=" $(awk -F: '{ c = ($2 == "") ? "unified" : $2; sub(/^name=/, "", c); print "/sys/fs/cgroup/" c $3 }' /proc/$pid/cgroup | tr '\n' ' ')"
		$STRATA start "$id"
		$STRATA delete --force "$id"
	done
	for d in $cgs; do
		[ ! -d "$d" ] || { echo "cgroup left: $d"; false; }
	done
	[ -z "$(ls "$STRATA_ROOT")" ]
	# no mount of ours on the host (others may mount things meanwhile, so the
	# total is only checked against a per-cycle leak)
	! grep -F "$TEST_TMP" /proc/self/mountinfo
	[ "$(wc -l </proc/self/mountinfo)" -lt $((mounts_before + 50)) ]
	[ "$(ls -d /sys/fs/cgroup/*/strata/leak-$$-* 2>/dev/null | wc -l)" -eq 0 ]
	sleep 0.2
	[ "$(pgrep -xf 'sleep 4242' | wc -l)" -eq "$procs_before" ]
}

@test "hooks run in lifecycle order, with the state on stdin" {
	log="$BUNDLE/rootfs/hooklog"
	update_config '.root.readonly = false'
	# prestart, createRuntime, poststart, poststop run in the runtime's namespaces
	# (host paths); createContainer runs in the container's namespaces before
	# pivot_root (the host path still resolves); startContainer runs after it.
	host_hook() { echo "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"read -r s; echo $1 \$(echo \\\"\$s\\\" | grep -o '\\\"status\\\":\\\"[a-z]*\\\"') >> $log\"]}"; }
	update_config ".hooks = {
		\"prestart\": [$(host_hook prestart)],
		\"createRuntime\": [$(host_hook createRuntime)],
		\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo createContainer >> $log\"]}],
		\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo startContainer >> /hooklog\"]}],
		\"poststart\": [$(host_hook poststart)],
		\"poststop\": [$(host_hook poststop)]}"
	set_args sh -c 'echo process >> /hooklog'
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	wait_status "$id" stopped
	$STRATA delete "$id"
	run cat "$log"
	echo "$output"
	[ "${lines[0]}" = 'prestart "status":"creating"' ]
	[ "${lines[1]}" = 'createRuntime "status":"creating"' ]
	[ "${lines[2]}" = createContainer ]
	[ "${lines[3]}" = startContainer ]
	# poststart runs once the process executes (start waits for its execve)
	[[ "${lines[4]} ${lines[5]}" == *process* ]]
	[[ "${lines[4]} ${lines[5]}" == *'poststart "status":"running"'* ]]
	[ "${lines[6]}" = 'poststop "status":"stopped"' ]
}

@test "a failing poststart hook is a warning; the container keeps running" {
	update_config '.hooks = {"poststart": [{"path": "/bin/false"}]}'
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	run $STRATA start "$id"
	[ "$status" -eq 0 ]
	[ "$(status_of "$id")" = running ]
}

@test "delete --force of a paused container" {
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	$STRATA start "$id"
	run $STRATA pause "$id"
	[ "$status" -eq 0 ] || skip "pause: $output"
	[ "$(status_of "$id")" = paused ]
	run $STRATA delete "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"that is not stopped: paused"* ]]
	$STRATA delete --force "$id"
	[ ! -e "$STRATA_ROOT/$id" ]
}

@test "a failure after the start gate makes start fail with the reason" {
	update_config '.hooks = {"startContainer": [{"path": "/bin/false"}]}'
	set_args sleep 100
	id=$(rand_id)
	create_c "$id"
	run $STRATA start "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unable to start container process"*"startContainer"* ]]
	[ "$(status_of "$id")" = stopped ]
	# run reports it too, and cleans up
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unable to start container process"* ]]
}

@test "a new session keyring named after the id; --no-new-keyring keeps the caller's" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_args cat /proc/keys
	id=$(rand_id)
	run $STRATA run --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *" keyring   $id: "* ]]
	id2=$(rand_id)
	run $STRATA run --no-new-keyring --bundle "$BUNDLE" "$id2"
	[ "$status" -eq 0 ]
	! [[ "$output" == *"$id2"* ]]
}

@test "--no-pivot runs the container with MS_MOVE + chroot" {
	set_args sh -c 'ls /; cat /proc/self/mountinfo | head -n1'
	run $STRATA run --no-pivot --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *bin* ]]
	# no host directory is visible
	! [[ "$output" == *"$TEST_TMP"/bundle/rootfs/bin* ]]
}

@test "commands on one container wait for each other (lock)" {
	update_config '.hooks = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "1"]}]}'
	set_args sleep 100
	id=$(rand_id)
	create_c "$id" &
	cpid=$!
	sleep 0.4
	# create is still inside its hook: state waits for it instead of failing
	[ -d "$STRATA_ROOT/$id" ]
	run $STRATA state "$id"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.status == "created"'
	wait "$cpid"
	# two concurrent deletes: one removes it, the other finds it gone
	$STRATA delete --force "$id" >"$TEST_TMP/d1" 2>&1 &
	$STRATA delete --force "$id" >"$TEST_TMP/d2" 2>&1 &
	wait
	[ ! -e "$STRATA_ROOT/$id" ]
	cat "$TEST_TMP/d1" "$TEST_TMP/d2" | grep -q "container does not exist"
}
