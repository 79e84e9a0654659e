#!/usr/bin/env bats
# terminal.bats - process.terminal: the pty made inside the container and
# sent over --console-socket, consoleSize, /dev/console, and `run`
# attaching the caller's terminal (an interactive shell under script(1)).

load helpers

HELPERS=${HELPERS_DIR:-$REPO_DIR/build/helpers}

setup() {
	setup_bundle
	[ -x "$HELPERS/console-receiver" ] || skip "test helpers are not built ($HELPERS)"
	update_config '.process.terminal = true'
}

teardown() { teardown_bundle; }

# start_receiver INPUT: a console-socket receiver in the background on $SOCK
start_receiver() {
	SOCK="$TEST_TMP/console.sock"
	"$HELPERS/console-receiver" -n "$TEST_TMP/ptyname" -i "$1" -t 10 "$SOCK" >"$TEST_TMP/console.out" 2>&1 &
	RECV_PID=$!
	for i in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
	return 1
}

@test "--console-socket receives the pty master; tty, consoleSize and the session inside" {
	start_receiver ''
	update_config '.process.consoleSize = {"height": 33, "width": 111}'
	set_args sh -c 'tty; stty size; ls -l /proc/self/fd/0; ps -o pid,sid,tty 2>/dev/null | head -3; true'
	id=$(rand_id)
	run $STRATA run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	wait "$RECV_PID"
	cat -A "$TEST_TMP/console.out"
	[ "$(cat "$TEST_TMP/ptyname")" = /dev/pts/0 ]
	grep -q '^/dev/pts/0' "$TEST_TMP/console.out"
	grep -q '^33 111' "$TEST_TMP/console.out"
}

@test "an interactive shell over the console socket: type a command, read its output" {
	start_receiver 'echo typed-$((6*7))\nexit\n'
	set_args sh
	id=$(rand_id)
	run $STRATA run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	wait "$RECV_PID"
	cat -A "$TEST_TMP/console.out"
	grep -q 'typed-42' "$TEST_TMP/console.out"
}

@test "/dev/console is the container's pty" {
	start_receiver ''
	set_args sh -c 'stat -c "%t,%T" /dev/console; stat -c "%t,%T" /dev/pts/0'
	id=$(rand_id)
	run $STRATA run --detach --console-socket "$SOCK" --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	wait "$RECV_PID"
	cat -A "$TEST_TMP/console.out"
	mapfile -t l < <(tr -d '\r' <"$TEST_TMP/console.out")
	[ "${l[0]}" = "88,0" ]      # major 136 = 0x88 (pty slaves), minor 0
	[ "${l[0]}" = "${l[1]}" ]
}

@test "strata run without --console-socket attaches the caller's terminal (script)" {
	command -v script >/dev/null || skip "script(1) is not installed"
	set_args sh
	id=$(rand_id)
	( sleep 1; echo 'echo attached-$((40+2)); stty size'; sleep 1; echo exit ) |
		script -qfec "stty rows 21 cols 77; $STRATA run --bundle $BUNDLE $id" /dev/null >"$TEST_TMP/script.out" 2>&1
	rc=$?
	cat -A "$TEST_TMP/script.out"
	[ "$rc" -eq 0 ]
	grep -q 'attached-42' "$TEST_TMP/script.out"
	grep -q '21 77' "$TEST_TMP/script.out"
}

@test "the container's exit status comes back through the attached terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	set_args sh -c 'echo bye; exit 7'
	id=$(rand_id)
	run script -qfec "$STRATA run --bundle $BUNDLE $id" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 7 ]
	[[ "$output" == *bye* ]]
}

@test "terminal true without a console socket in create is an error" {
	set_args true
	run sh -c "$STRATA create --bundle $BUNDLE $(rand_id) </dev/null 2>&1 || exit 1"
	echo "$output"
	[ "$status" -ne 0 ]
}
