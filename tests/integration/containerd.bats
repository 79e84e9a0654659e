#!/usr/bin/env bats
# containerd.bats - strata as the runc binary of containerd 1.6's
# io.containerd.runc.v2 shim, driven with ctr against a private containerd
# booted once for the suite (tests/clients/containerd.sh):
#   ctr run --runtime io.containerd.runc.v2 --runc-binary <strata>
# Covers output and exit codes, a create failure, a detached task with
# `ctr task exec` (with and without -t), `task ps`, pause/resume, kill, delete
# (client-contract.md §3.1).

load helpers

setup_file() {
	. "$REPO_DIR/tests/clients/containerd.sh"
	reason=$(ctrd_skip_reason)
	if [ -n "$reason" ]; then
		export CTRD_SKIP="$reason"
		return 0
	fi
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	export BUSYBOX_ROOTFS
	ctrd_start "$STRATA_BIN"
	export CTRD_DIR
}

teardown_file() {
	. "$REPO_DIR/tests/clients/containerd.sh"
	ctrd_stop
}

setup() {
	[ -z "${CTRD_SKIP:-}" ] || skip "$CTRD_SKIP"
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	. "$REPO_DIR/tests/clients/containerd.sh"
	ID=$(rand_id)
	RT=(--runtime io.containerd.runc.v2 --runc-binary "$STRATA_BIN" --runc-root "$CTRD_DIR/runc-root")
	FIFO=(--fifo-dir "$CTRD_DIR/fifo")
}

teardown() {
	[ -n "${CTRD_DIR:-}" ] || return 0
	ctrd_ctr -n "$CTRD_NS" tasks kill -s SIGKILL "$ID" >/dev/null 2>&1
	ctrd_ctr -n "$CTRD_NS" tasks delete -f "$ID" >/dev/null 2>&1
	ctrd_ctr -n "$CTRD_NS" containers delete "$ID" >/dev/null 2>&1
	rm -f "$(ctrd_shim_socket "$CTRD_NS" "$ID")"
	return 0
}

c() { ctrd_ctr -n "$CTRD_NS" "$@"; }

task_status() { c tasks ls | awk -v id="$1" '$1 == id {print $3}'; }

@test "ctr run --rm: output and exit code 0" {
	run c run --rm "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'echo hello from strata; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from strata" ]
	[[ "${lines[1]}" == "sh -c echo hello from strata"* ]]
}

@test "ctr run --rm: a non-zero exit code comes back" {
	run c run --rm "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "ctr run: strata really is the runtime (its state dir under --runc-root)" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	[ -f "$CTRD_DIR/runc-root/$CTRD_NS/$ID/state.json" ]
	run "$STRATA_BIN" --root "$CTRD_DIR/runc-root/$CTRD_NS" state "$ID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = running ]
}

@test "ctr run: a missing binary fails at create with no such file or directory" {
	run c run --rm "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file or directory"* ]]
}

@test "ctr task exec: output, exit codes, a missing binary" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	run c task exec --exec-id e1 "${FIFO[@]}" "$ID" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "; exit 5'
	[ "$status" -eq 5 ]
	[ "${lines[0]}" = in-exec ]
	[[ "${lines[1]}" == "sh -c while"* ]]
	run c task exec --exec-id e2 "${FIFO[@]}" "$ID" /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file or directory"* ]]
}

@test "ctr task exec -t: a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	run timeout 20 script -qec "ctr --address $CTRD_DIR/c.sock -n $CTRD_NS task exec -t --exec-id t1 --fifo-dir $CTRD_DIR/fifo $ID sh -c 'tty; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "ctr run -t: a terminal for the init" {
	command -v script >/dev/null || skip "script(1) is not installed"
	run timeout 20 script -qec "ctr --address $CTRD_DIR/c.sock -n $CTRD_NS run --rm -t ${RT[*]} --fifo-dir $CTRD_DIR/fifo localhost/busybox:latest $ID sh -c 'tty; exit 3'" /dev/null
	[ "$status" -eq 3 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "ctr task ps: host pids of the init and an exec" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	c task exec -d --exec-id bg "${FIFO[@]}" "$ID" sh -c 'while :; do sleep 1; done'
	run c task ps "$ID"
	[ "$status" -eq 0 ]
	init=$(c tasks ls | awk -v id="$ID" '$1 == id {print $2}')
	echo "$output" | awk 'NR > 1 {print $1}' | grep -qx "$init"
	[ "$(echo "$output" | grep -c bg)" -eq 1 ]
}

@test "ctr task pause/resume" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	c task pause "$ID"
	[ "$(task_status "$ID")" = PAUSED ]
	init=$(c tasks ls | awk -v id="$ID" '$1 == id {print $2}')
	grep -q '^State:.*(stopped)\|^State:.*D\|^State:.*S' /proc/$init/status
	c task resume "$ID"
	[ "$(task_status "$ID")" = RUNNING ]
	run c task exec --exec-id after "${FIFO[@]}" "$ID" echo alive
	[ "$output" = alive ]
}

@test "ctr task kill, then delete: the exit status and no state left" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	c task kill -s SIGKILL "$ID"
	for _ in $(seq 50); do [ "$(task_status "$ID")" = STOPPED ] && break; sleep 0.1; done
	[ "$(task_status "$ID")" = STOPPED ]
	run c task delete "$ID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"137"* ]] || true
	c container delete "$ID"
	[ ! -e "$CTRD_DIR/runc-root/$CTRD_NS/$ID" ]
}

@test "ctr task kill -a: every process of the task" {
	c run -d "${RT[@]}" "${FIFO[@]}" localhost/busybox:latest "$ID" sh -c 'while :; do sleep 1; done'
	c task kill -a -s SIGKILL "$ID"
	for _ in $(seq 50); do [ "$(task_status "$ID")" = STOPPED ] && break; sleep 0.1; done
	[ "$(task_status "$ID")" = STOPPED ]
}
