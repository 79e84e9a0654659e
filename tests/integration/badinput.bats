#!/usr/bin/env bats
# badinput.bats - every bad input gives a clear one-line error, exit 1, and
# leaves nothing behind: no state directory, no host mount, no process, no cgroup.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# nothing_left ID: no trace of container ID anywhere on the host
nothing_left() {
	local id=$1
	[ -z "$(ls -A "$STRATA_ROOT")" ] || { echo "state left: $(ls -A "$STRATA_ROOT")"; return 1; }
	# a leaked mount would sit on the bundle's rootfs or the state root, both under $TEST_TMP
	# (the host's whole table is not compared: other suites mount things meanwhile)
	! grep -F "$TEST_TMP" /proc/self/mountinfo || { echo "mount left"; return 1; }
	! pgrep -f -- "$STRATA_ROOT .*$id\$" || { echo "process left"; return 1; }
	[ -z "$(ls -d /sys/fs/cgroup/*/strata/"$id" 2>/dev/null)" ] || { echo "cgroup left"; return 1; }
}

# create_fails ID: create must fail; its one-line error is in $output
create_fails() {
	run $STRATA create --bundle "$BUNDLE" "$1"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ] || { echo "more than one line: $output"; return 1; }
}

@test "malformed config.json: the error says where" {
	echo '{"ociVersion": "1.3.0", "process": {' >"$BUNDLE/config.json"
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *"config.json"*"malformed JSON"* ]]
	nothing_left "$id"
}

@test "a field of the wrong type is named by its JSON path" {
	update_config '.process.user.uid = "root"'
	id=$(rand_id)
	create_fails "$id"
	# (the text log format escapes the quotes, as logrus does)
	[[ "$output" == *'config.json: .process.user.uid: expected an integer, got '*root* ]]
	nothing_left "$id"
}

@test "a missing required field is named" {
	update_config 'del(.ociVersion)'
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *".ociVersion"* ]]
	nothing_left "$id"
}

@test "a bundle without config.json" {
	rm "$BUNDLE/config.json"
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *"config.json"*"No such file or directory"* ]]
	nothing_left "$id"
}

@test "a missing rootfs" {
	update_config '.root.path = "no-such-rootfs"'
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *"rootfs"*"no-such-rootfs"*"does not exist"* ]]
	nothing_left "$id"
}

@test "a missing binary fails at create with 'no such file or directory'" {
	set_args /bin/no-such-binary
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *'stat /bin/no-such-binary: no such file or directory'* ]]
	nothing_left "$id"
}

@test "a binary missing from PATH fails at create (podman maps it to 127)" {
	set_args no-such-command
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *'no-such-command'*'executable file not found in $PATH'* ]]
	nothing_left "$id"
}

@test "a directory as the binary is refused" {
	set_args /bin
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *'exec: '*/bin*'is a directory'* ]]
	nothing_left "$id"
}

@test "a failing mount rolls everything back" {
	update_config '.mounts += [{"destination": "/mnt/x", "type": "no-such-fs", "source": "none"}]'
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *"/mnt/x"* ]]
	nothing_left "$id"
}

@test "a failing createRuntime hook rolls everything back" {
	update_config '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
	id=$(rand_id)
	create_fails "$id"
	[[ "$output" == *"createRuntime"* ]]
	nothing_left "$id"
}

@test "a duplicate id fails and leaves the first container alone" {
	set_args sleep 100
	id=$(rand_id)
	$STRATA create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	create_fails "$id"
	[[ "$output" == *"container with id exists: $id"* ]]
	[ "$($STRATA state "$id" | jq -r .status)" = created ]
	$STRATA delete --force "$id"
	nothing_left "$id"
}

@test "unknown ids" {
	for cmd in state start kill "kill --all" delete "delete -f"; do
		run $STRATA $cmd no-such-id
		[ "$status" -eq 1 ]
		[ "$output" != "" ]
		[[ "$output" == *"container does not exist"* ]]
	done
}

@test "invalid ids never touch a path outside the root" {
	for id in "../escape" "a/b" ".hidden" "-flag" ""; do
		run $STRATA create --bundle "$BUNDLE" -- "$id"
		[ "$status" -eq 1 ]
	done
	[ ! -e "$TEST_TMP/escape" ]
	nothing_left escape
}

@test "an unknown isolation level is refused" {
	run $STRATA --isolation bogus create --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown isolation level"* ]]
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "the vm level on a PVM host fails at create, saying why, and leaves nothing" {
	[ -e /sys/module/kvm_pvm ] || skip "this host's /dev/kvm is not PVM (vm_level.bats runs the vm level here)"
	id=$(rand_id)
	run $STRATA --isolation vm create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"this host's /dev/kvm is PVM"* ]]
	nothing_left "$id"
}

@test "bad flags and arguments" {
	run $STRATA create --no-such-flag --bundle "$BUNDLE" x
	[ "$status" -eq 1 ]
	[[ "$output" == *"flag provided but not defined: -no-such-flag"* ]]
	run $STRATA create --preserve-fds many --bundle "$BUNDLE" x
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid value"* ]]
	run $STRATA create --bundle
	[ "$status" -eq 1 ]
	[[ "$output" == *"flag needs an argument"* ]]
	run $STRATA start
	[ "$status" -eq 1 ]
	run $STRATA kill a b c
	[ "$status" -eq 1 ]
	nothing_left x
}
