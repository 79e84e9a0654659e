#!/usr/bin/env bats
# process.bats - config.json `process` observed from inside the container:
# args, env, cwd, user (uid, gid, additionalGids, umask), rlimits,
# oomScoreAdj, the fds the container gets, and the init's session and
# process group.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

in_container() {
	set_args sh -c "$1"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
}

@test "args are passed as given, spaces and quotes included" {
	set_args /bin/echo "one two" "'three'" '"four"'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[ "$output" = "one two 'three' \"four\"" ]
}

@test "args[0] is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/usr/local/bin:/bin", "FOO=bar"]'
	set_args echo found
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[ "$output" = found ]
}

@test "env is exactly process.env, plus HOME" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	set_args /usr/bin/env
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"FOO=bar baz"* ]]
	[[ "$output" == *"EMPTY="* ]]
	[[ "$output" == *"HOME=/root"* ]]
	# nothing of the runtime's environment leaks in
	! [[ "$output" == *"BATS_"* ]]
}

@test "an explicit HOME is kept" {
	update_config '.process.env += ["HOME=/tmp"]'
	in_container 'echo $HOME'
	[ "$output" = /tmp ]
}

@test "cwd is the working directory, created when missing" {
	update_config '.process.cwd = "/var/work/dir"'
	update_config '.root.readonly = false'
	in_container 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /var/work/dir ]
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [1002, 1003]}'
	in_container 'id -u; id -g; id -G'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 1002 1003" ]
}

@test "user: no additionalGids means no supplementary groups from the host" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	in_container 'grep ^Groups: /proc/self/status'
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "Groups:" ]
}

@test "umask from process.user.umask, 0022 by default" {
	update_config '.process.user.umask = 23'
	in_container 'umask'
	[ "$output" = 0027 ]
	update_config 'del(.process.user.umask)'
	in_container 'umask'
	[ "$output" = 0022 ]
}

@test "rlimits are applied (soft and hard)" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 800},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}, {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	in_container 'ulimit -n; ulimit -Hn; ulimit -c; grep "Max processes" /proc/self/limits'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 512 ]
	[ "${lines[1]}" = 800 ]
	[ "${lines[2]}" = 0 ]
	[[ "${lines[3]}" =~ Max\ processes\ +300\ +400 ]]
}

@test "an unknown rlimit is refused at create" {
	update_config '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"RLIMIT_BOGUS"* ]]
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "oomScoreAdj (positive: this machine lacks CAP_SYS_RESOURCE for negative values)" {
	update_config '.process.oomScoreAdj = 500'
	in_container 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "only fds 0, 1 and 2 reach the container" {
	in_container 'ls /proc/self/fd | sort -n | tr "\n" " "'
	[ "$status" -eq 0 ]
	# ls itself holds one more fd for the directory it lists
	[[ "$output" =~ ^0\ 1\ 2\ ([0-9]+\ )?$ ]]
}

@test "--preserve-fds passes fds 3..3+N-1 to the container" {
	set_args sh -c 'echo via-fd3 >&3; echo via-fd4 >&4'
	id=$(rand_id)
	$STRATA run --preserve-fds 2 --bundle "$BUNDLE" "$id" 3>"$TEST_TMP/fd3" 4>"$TEST_TMP/fd4" </dev/null
	[ "$(cat "$TEST_TMP/fd3")" = via-fd3 ]
	[ "$(cat "$TEST_TMP/fd4")" = via-fd4 ]
}

@test "LISTEN_FDS is passed through with LISTEN_PID set to the container's init" {
	set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; echo sock >&3'
	id=$(rand_id)
	LISTEN_FDS=1 LISTEN_PID=$$ $STRATA run --bundle "$BUNDLE" "$id" 3>"$TEST_TMP/fd3" >"$TEST_TMP/out" </dev/null
	[ "$(cat "$TEST_TMP/out")" = "1 1" ]
	[ "$(cat "$TEST_TMP/fd3")" = sock ]
}

@test "stdin of the runtime is the container's stdin" {
	set_args cat
	run sh -c "echo piped-in | $STRATA run --bundle '$BUNDLE' $(rand_id)"
	[ "$status" -eq 0 ]
	[ "$output" = piped-in ]
}

@test "a Debian bundle runs bash" {
	deb=$(ls -d /var/cache/strata/debian-*/rootfs 2>/dev/null | head -n1)
	[ -n "$deb" ] || skip "no Debian rootfs cached"
	update_config ".root.path = \"$deb\" | .root.readonly = true"
	set_args bash -c 'cat /etc/os-release'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Debian GNU/Linux"* ]]
}

@test "signals ignored or blocked by the caller are default again in the container" {
	update_config 'del(.linux.namespaces[] | select(.type == "pid"))'
	set_args sh -c 'grep -E "^Sig(Blk|Ign):" /proc/self/status'
	run sh -c "trap '' INT TERM HUP; $STRATA run --bundle '$BUNDLE' $(rand_id)"
	[ "$status" -eq 0 ]
	# sh itself ignores nothing it was not told to; the mask is empty
	[[ "$output" == *"SigBlk:	0000000000000000"* ]]
	! [[ "$output" == *"SigIgn:	0000000000004003"* ]]
}

# The init leads a session and process group of its own, terminal or not (as
# runc's): it used to stay in the caller's, with sid 0 seen from its pid
# namespace.  /proc/<pid>/stat: 1 pid, 2 (comm), 3 state, 4 ppid, 5 pgrp, 6 session.
@test "the init leads its own session and process group without a terminal" {
	set_args cat /proc/self/stat
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	set -- $output
	echo "pid=$1 pgrp=$5 session=$6"
	[ "$1" = 1 ]
	[ "$5" = 1 ]
	[ "$6" = 1 ]
}

@test "the init leads its own session without a pid namespace too" {
	update_config 'del(.linux.namespaces[] | select(.type == "pid"))'
	set_args cat /proc/self/stat
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	set -- $output
	echo "pid=$1 pgrp=$5 session=$6 (ours: $(cut -d' ' -f6 /proc/$$/stat))"
	[ "$1" -gt 1 ]
	[ "$5" = "$1" ]
	[ "$6" = "$1" ]
}

# The container's group has no parent outside it in the same session, so it is
# orphaned and the kernel discards SIGTSTP to its members (SIGSTOP still
# stops): the same at every level, whoever started `strata run`.
@test "SIGTSTP to a process in the init's orphaned process group is discarded" {
	set_args sh -c '(while :; do :; done) & q=$!; kill -TSTP $q; sleep 0.1; grep State /proc/$q/status; kill $q'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"State:	R (running)"* ]]
}
