#!/usr/bin/env bats
# hooks.bats - lifecycle hooks: each leaves "<kind> <id> <status>" in a
# marks file, in the spec's order; a failing createRuntime hook fails
# `create` and leaves nothing behind; poststart/poststop failures are only
# warnings; a hook's timeout kills it.

load helpers

setup() {
	setup_bundle
	MARKS="$TEST_TMP/marks"
	mkdir -p "$MARKS"
	# One script, reachable from the host and (as /hook.sh) from the container.
	cat >"$BUNDLE/rootfs/hook.sh" <<'SH'
#!/bin/sh
# hook.sh KIND LOG: append "KIND ID STATUS" from the state on stdin
state=$(cat)
id=$(echo "$state" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
status=$(echo "$state" | sed -n 's/.*"status" *: *"\([^"]*\)".*/\1/p')
echo "$1 $id $status" >>"$2"
SH
	chmod 755 "$BUNDLE/rootfs/hook.sh"
	HOOK="$BUNDLE/rootfs/hook.sh"
	update_config ".mounts += [{\"destination\": \"/marks\", \"type\": \"bind\", \"source\": \"$MARKS\", \"options\": [\"rbind\", \"rw\"]}]"
}

teardown() { teardown_bundle; }

# hook PATH KIND LOG: the JSON of one hook
hook() { printf '{"path": "%s", "args": ["hook.sh", "%s", "%s"]}' "$1" "$2" "$3"; }

@test "all six hook kinds run in order with the state on stdin" {
	log="$MARKS/log"
	update_config ".hooks = {
		\"prestart\": [$(hook /bin/sh prestart "$log" | jq -c '.args = ["sh"] + .args | .args[1] = "'"$HOOK"'"')],
		\"createRuntime\": [$(hook "$HOOK" createRuntime "$log")],
		\"createContainer\": [$(hook "$HOOK" createContainer "$log")],
		\"startContainer\": [$(hook /hook.sh startContainer /marks/log)],
		\"poststart\": [$(hook "$HOOK" poststart "$log")],
		\"poststop\": [$(hook "$HOOK" poststop "$log")]}"
	jq .hooks "$BUNDLE/config.json"
	set_args sh -c 'echo process >>/marks/log'
	id=$(rand_id)
	run $STRATA run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$log"
	mapfile -t l <"$log"
	[ "${l[0]}" = "prestart $id creating" ]
	[ "${l[1]}" = "createRuntime $id creating" ]
	[ "${l[2]}" = "createContainer $id creating" ]
	[[ "${l[3]}" == "startContainer $id "* ]]
	# poststart and the process race each other; poststop is last
	sorted=$(printf '%s\n' "${l[4]%% *}" "${l[5]%% *}" | sort | tr '\n' ' ')
	[ "$sorted" = "poststart process " ]
	[ "${l[6]}" = "poststop $id stopped" ]
	[ "${#l[@]}" -eq 7 ]
}

@test "hooks get their env and args; createRuntime runs in the runtime's mount namespace" {
	log="$MARKS/log"
	cat >"$TEST_TMP/env-hook.sh" <<SH
#!/bin/sh
cat >/dev/null
echo "\$0 \$1 FOO=\$FOO mnt=\$(readlink /proc/self/ns/mnt)" >>"$log"
SH
	chmod 755 "$TEST_TMP/env-hook.sh"
	update_config ".hooks = {\"createRuntime\": [{\"path\": \"$TEST_TMP/env-hook.sh\", \"args\": [\"env-hook\", \"a1\"], \"env\": [\"FOO=bar\"]}]}"
	set_args true
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	cat "$log"
	grep -qF "a1 FOO=bar mnt=$(readlink /proc/self/ns/mnt)" "$log"
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	cat >"$TEST_TMP/fail.sh" <<'SH'
#!/bin/sh
echo "hook says no" >&2
exit 3
SH
	chmod 755 "$TEST_TMP/fail.sh"
	update_config ".hooks = {\"createRuntime\": [{\"path\": \"$TEST_TMP/fail.sh\"}]}"
	set_args sleep 100
	before=$(host_mounts)
	id=$(rand_id)
	run $STRATA create --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *createRuntime* ]]
	[[ "$output" == *"hook says no"* ]]
	[[ "$output" == *"status 3"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
	run $STRATA state "$id"
	[ "$status" -ne 0 ]
	[ "$(host_mounts)" = "$before" ]
	! pgrep -f "sleep 100" | xargs -r -n1 sh -c 'grep -qs "$0" /proc/$0/cmdline && readlink /proc/$0/root' | grep -q "$BUNDLE"
}

@test "a hook that runs past its timeout is killed and fails the step" {
	update_config '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]}'
	set_args true
	id=$(rand_id)
	SECONDS=0
	run $STRATA run --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$SECONDS" -lt 10 ]
	[[ "$output" == *"timed out"* ]]
	[ ! -e "$STRATA_ROOT/$id" ]
}

@test "poststart and poststop failures are warnings: the container still runs" {
	update_config '.hooks = {"poststart": [{"path": "/bin/false"}], "poststop": [{"path": "/bin/false"}]}'
	set_args sh -c 'echo still-ran'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *still-ran* ]]
}
