#!/usr/bin/env bats
# sentry.bats - the sentry isolation level (issue 6).
#
# The differential test runs every line of sentry-commands.txt as `sh -c LINE`
# at --isolation native and at --isolation sentry in the same busybox bundle
# and compares stdout, stderr and the exit status.  Adding a command is one
# line in that file.  The other tests check the sentry alone: signals from
# `strata kill`, a bind-mounted host directory, path escapes, the syscall
# table; the first task's session and the orphaned-process-group rule for
# SIGTSTP are checked against the native level as well.

load helpers

setup() {
	setup_bundle
	# writes in the differential commands need a writable rootfs
	update_config ".root.readonly = false"
}
teardown() { teardown_bundle; }

COMMANDS="$BATS_TEST_DIRNAME/sentry-commands.txt"

# run_level LEVEL OUTDIR ARGS...: run the bundle at LEVEL; stdout, stderr and
# the exit status land in OUTDIR/{out,err,rc}.
run_level() {
	local level=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	set_args "$@"
	local id
	id=$(rand_id)
	set +e
	timeout -s KILL 60 $STRATA_BIN --root "$STRATA_ROOT" --isolation "$level" run -b "$BUNDLE" "$id" \
		</dev/null >"$dir/out" 2>"$dir/err"
	echo $? >"$dir/rc"
	set -e
	$STRATA_BIN --root "$STRATA_ROOT" delete --force "$id" >/dev/null 2>&1 || true
}

@test "sentry: differential busybox commands (sentry-commands.txt)" {
	local n=0 failed=0 line
	while IFS= read -r line; do
		case "$line" in '' | '#'*) continue ;; esac
		n=$((n + 1))
		run_level native "$TEST_TMP/n$n" sh -c "$line"
		run_level sentry "$TEST_TMP/s$n" sh -c "$line"
		local f bad=0
		for f in out err rc; do
			if ! cmp -s "$TEST_TMP/n$n/$f" "$TEST_TMP/s$n/$f"; then
				echo "# MISMATCH ($f) in: $line"
				diff "$TEST_TMP/n$n/$f" "$TEST_TMP/s$n/$f" | head -20 | sed 's/^/#   /'
				bad=1
			fi
		done
		failed=$((failed + bad))
	done <"$COMMANDS"
	echo "# $n commands, $failed mismatches"
	[ "$n" -ge 40 ]
	[ "$failed" -eq 0 ]
}

@test "sentry: exit status of the container is the first task's" {
	run_level sentry "$TEST_TMP/a" sh -c 'exit 7'
	[ "$(cat "$TEST_TMP/a/rc")" = 7 ]
	run_level sentry "$TEST_TMP/b" sh -c 'kill -KILL $$'
	# pid 1 ignores signals it does not handle, SIGKILL from inside included
	[ "$(cat "$TEST_TMP/b/rc")" = 0 ]
}

@test "sentry: SIGTERM from strata kill reaches a trap handler" {
	set_args sh -c 'trap "echo term; exit 7" TERM; sleep 100 & wait'
	local id
	id=$(rand_id)
	(sleep 1.5; $STRATA_BIN --root "$STRATA_ROOT" kill "$id" TERM) &
	run timeout -s KILL 30 $STRATA_BIN --root "$STRATA_ROOT" --isolation sentry run -b "$BUNDLE" "$id" </dev/null
	wait
	[ "$status" -eq 7 ]
	[ "$output" = "term" ]
}

@test "sentry: SIGKILL from strata kill ends the container with 137" {
	set_args sleep 100
	local id
	id=$(rand_id)
	(sleep 1.5; $STRATA_BIN --root "$STRATA_ROOT" kill "$id" KILL) &
	run timeout -s KILL 30 $STRATA_BIN --root "$STRATA_ROOT" --isolation sentry run -b "$BUNDLE" "$id" </dev/null
	wait
	[ "$status" -eq 137 ]
}

@test "sentry: a write to a bind-mounted host directory is visible on the host" {
	mkdir -p "$TEST_TMP/vol"
	update_config '.mounts += [{"destination":"/mnt/vol","type":"bind","source":"'"$TEST_TMP/vol"'","options":["rbind","rw"]}]'
	run_level sentry "$TEST_TMP/o" sh -c 'echo from-sentry > /mnt/vol/file && ls /mnt/vol'
	[ "$(cat "$TEST_TMP/o/rc")" = 0 ]
	[ "$(cat "$TEST_TMP/vol/file")" = from-sentry ]
}

@test "sentry: an uncleaned mount destination lands on the cleaned path, nothing stray" {
	mkdir -p "$TEST_TMP/vol"
	update_config '.mounts += [{"destination":"//mnt/./stray-x/../cleaned-vol/","type":"bind","source":"'"$TEST_TMP/vol"'","options":["rbind","rw"]}]'
	run_level sentry "$TEST_TMP/o" sh -c 'echo from-sentry > /mnt/cleaned-vol/file && grep -c " /mnt/cleaned-vol " /proc/self/mounts'
	[ "$(cat "$TEST_TMP/o/rc")" = 0 ]
	[ "$(cat "$TEST_TMP/o/out")" = 1 ]
	[ "$(cat "$TEST_TMP/vol/file")" = from-sentry ]
	[ ! -e "$BUNDLE/rootfs/mnt/stray-x" ]
}

@test "sentry: paths cannot escape the container root" {
	# A marker beside the rootfs on the host must stay out of reach.
	echo host-secret >"$BUNDLE/secret"
	# (one-line scripts: set_args splits its arguments at newlines)
	run_level sentry "$TEST_TMP/o" sh -c 'cat /../secret ../../../../secret /proc/self/root/../secret /proc/1/cwd/../../secret 2>/dev/null; ln -s / /tmp/rootlink; cat /tmp/rootlink/../secret 2>/dev/null; ln -s /../../.. /tmp/uplink; ls /tmp/uplink/ | grep -c secret; cd -P /proc/1/root/../..; pwd -P; ls | grep -c secret; echo end'
	! grep -q host-secret "$TEST_TMP/o/out"
	grep -q '^end$' "$TEST_TMP/o/out"
	[ "$(sed -n 1p "$TEST_TMP/o/out")" = 0 ]
	[ "$(sed -n 2p "$TEST_TMP/o/out")" = / ]
}

@test "sentry: a rename race does not move a walk outside the root" {
	# One task renames a directory back and forth while another walks through it.
	echo host-secret >"$BUNDLE/secret"
	run_level sentry "$TEST_TMP/o" sh -c 'mkdir -p /tmp/a/b/c; i=0; (while [ $i -lt 300 ]; do mv /tmp/a/b /tmp/b 2>/dev/null; mv /tmp/b /tmp/a/b 2>/dev/null; i=$((i+1)); done) & j=0; while [ $j -lt 300 ]; do cat /tmp/a/b/c/../../../../secret 2>/dev/null; j=$((j+1)); done; wait; echo end'
	! grep -q host-secret "$TEST_TMP/o/out"
	grep -q '^end$' "$TEST_TMP/o/out"
}

@test "sentry: /proc shows only the sandbox's tasks" {
	run_level sentry "$TEST_TMP/o" sh -c 'sleep 2 & ls /proc | grep -E "^[0-9]+$" | sort -n'
	# sh, sleep and the pipeline's tasks, numbered by the sentry from 1
	[ "$(head -1 "$TEST_TMP/o/out")" = 1 ]
	[ "$(wc -l <"$TEST_TMP/o/out")" -le 6 ]
	[ "$(tail -1 "$TEST_TMP/o/out")" -le 6 ]
}

@test "sentry: strata syscalls prints the table" {
	run $STRATA_BIN syscalls
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == NR*NAME*SUPPORT*NOTE ]]
	echo "$output" | grep -qE '^0 +read +full'
	echo "$output" | grep -qE '^59 +execve +partial'
	run $STRATA_BIN syscalls --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq '[.[] | select(.name == "getpid")] | length')" -eq 1 ]
}

@test "sentry: --debug traces calls strace-style with sentry pids" {
	set_args cat /etc/passwd
	local id
	id=$(rand_id)
	run timeout -s KILL 30 $STRATA_BIN --root "$STRATA_ROOT" --debug --log "$TEST_TMP/log" --isolation sentry run -b "$BUNDLE" "$id" </dev/null
	[ "$status" -eq 0 ]
	grep -qF '[pid 1] openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3' "$TEST_TMP/log"
}

@test "sentry: the vsyscall page cannot reach the host kernel" {
	# time() through the legacy vsyscall page is emulated by the host kernel
	# without a ptrace stop; the task's seccomp filter refuses it (EPERM).
	command -v gcc >/dev/null || skip "gcc not installed"
	printf '%s\n' '#include <stdio.h>' \
		'int main(void) { long (*vt)(long *) = (long (*)(long *))0xffffffffff600400UL;' \
		'printf("%ld\n", vt(NULL)); return 0; }' >"$TEST_TMP/vsys.c"
	gcc -O2 -static -o "$BUNDLE/rootfs/bin/vsys" "$TEST_TMP/vsys.c" || skip "no static libc"
	run_level sentry "$TEST_TMP/o" /bin/vsys
	[ "$(cat "$TEST_TMP/o/rc")" = 0 ]
	[ "$(cat "$TEST_TMP/o/out")" = -1 ]
}

@test "sentry: threads of one process share memory, futexes and the exit" {
	command -v gcc >/dev/null || skip "gcc not installed"
	printf '%s\n' '#include <pthread.h>' '#include <stdio.h>' \
		'static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER; static int n;' \
		'static void *w(void *a) { for (int i = 0; i < 1000; i++) { pthread_mutex_lock(&m); n++; pthread_mutex_unlock(&m); } return a; }' \
		'int main(void) { pthread_t t[4]; for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, w, 0);' \
		'for (int i = 0; i < 4; i++) pthread_join(t[i], 0); printf("%d\n", n); return 0; }' >"$TEST_TMP/thr.c"
	gcc -O2 -static -pthread -o "$BUNDLE/rootfs/bin/thr" "$TEST_TMP/thr.c" || skip "no static libc"
	run_level sentry "$TEST_TMP/o" /bin/thr
	[ "$(cat "$TEST_TMP/o/rc")" = 0 ]
	[ "$(cat "$TEST_TMP/o/out")" = 4000 ]
}

@test "sentry: the first task leads its own session and process group, as the native init" {
	# /proc/self/stat: 1 pid, 2 (comm), 3 state, 4 ppid, 5 pgrp, 6 session
	local level
	for level in native sentry; do
		run_level $level "$TEST_TMP/$level" cat /proc/self/stat
		[ "$(cat "$TEST_TMP/$level/rc")" = 0 ]
		set -- $(cat "$TEST_TMP/$level/out")
		echo "$level: pid=$1 pgrp=$5 session=$6"
		[ "$1" = 1 ]
		[ "$5" = 1 ]
		[ "$6" = 1 ]
	done
}

@test "sentry: SIGTSTP stops only outside an orphaned process group, as native" {
	# A child in a group of its own, whose parent (the init) is in another
	# group of the same session: SIGTSTP stops it.  A child in the init's
	# group, which has no such parent: SIGTSTP is discarded.  Each both
	# asleep in a system call and running user code.
	command -v gcc >/dev/null || skip "gcc not installed"
	printf '%s\n' '#include <signal.h>' '#include <stdio.h>' '#include <string.h>' \
		'#include <sys/wait.h>' '#include <unistd.h>' \
		'static void state(pid_t p, const char *what) { char path[64], l[256]; snprintf(path, sizeof(path), "/proc/%d/status", (int)p);' \
		'  FILE *f = fopen(path, "r"); while (f != NULL && fgets(l, sizeof(l), f) != NULL) if (strncmp(l, "State:", 6) == 0) printf("%s %s", what, l);' \
		'  if (f != NULL) fclose(f); fflush(stdout); }' \
		'static void one(int own, int busy, const char *what) { pid_t c = fork();' \
		'  if (c == 0) { if (own) setpgid(0, 0); for (;;) if (!busy) pause(); }' \
		'  if (own) setpgid(c, c); usleep(50000); kill(c, SIGTSTP); usleep(200000); state(c, what);' \
		'  kill(c, SIGKILL); waitpid(c, NULL, 0); }' \
		'int main(void) { one(1, 0, "own-sleeping"); one(1, 1, "own-busy"); one(0, 0, "init-sleeping"); one(0, 1, "init-busy"); return 0; }' \
		>"$TEST_TMP/tstp.c"
	gcc -O2 -static -o "$BUNDLE/rootfs/bin/tstp" "$TEST_TMP/tstp.c" || skip "no static libc"
	run_level native "$TEST_TMP/n" /bin/tstp
	run_level sentry "$TEST_TMP/s" /bin/tstp
	cat "$TEST_TMP/n/out" "$TEST_TMP/s/out" "$TEST_TMP/s/err"
	[ "$(cat "$TEST_TMP/s/rc")" = 0 ]
	diff "$TEST_TMP/n/out" "$TEST_TMP/s/out"
	grep -q '^own-sleeping State:	T' "$TEST_TMP/s/out"
	grep -q '^own-busy State:	T' "$TEST_TMP/s/out"
	grep -q '^init-sleeping State:	S' "$TEST_TMP/s/out"
	grep -q '^init-busy State:	R' "$TEST_TMP/s/out"
}
