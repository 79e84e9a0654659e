#!/usr/bin/env bats
# podman.bats - strata as podman's OCI runtime (`--runtime <strata>`,
# conmon), with a private containers.conf/storage.conf and an imported
# busybox image (tests/clients/podman.sh; client-contract.md §3.2).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	. "$REPO_DIR/tests/clients/podman.sh"
	reason=$(pm_skip_reason)
	if [ -n "$reason" ]; then
		export PM_SKIP="$reason"
		return 0
	fi
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	export BUSYBOX_ROOTFS
	pm_setup "$STRATA_BIN" >/dev/null
}

teardown_file() {
	. "$REPO_DIR/tests/clients/podman.sh"
	pm_teardown
}

setup() {
	[ -z "${PM_SKIP:-}" ] || skip "$PM_SKIP"
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	. "$REPO_DIR/tests/clients/podman.sh"
	CP=(--cgroup-parent "$PM_CGROUP_PARENT")
	IMG=localhost/busybox:latest
	LOOP='trap "exit 0" TERM; while :; do sleep 1; done'
}

teardown() {
	[ -n "${CID:-}" ] && pm rm -f -t 0 "$CID" >/dev/null 2>&1
	return 0
}

# pm_tty CMD...: a podman command line under script(1), so it has a terminal
pm_tty() {
	command -v script >/dev/null || skip "script(1) is not installed"
	local cmd="CONTAINERS_CONF=$PM_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf"
	cmd+=" CONTAINERS_REGISTRIES_CONF=$PM_DIR/registries.conf podman --root $PM_DIR/graph --runroot $PM_DIR/run"
	cmd+=" --runtime $PM_STRATA --runtime-flag root=$PM_DIR/strata-root --cgroup-manager cgroupfs --events-backend file $*"
	timeout 30 script -qec "$cmd" /dev/null
}

@test "podman run --rm: output and exit codes" {
	run pm run --rm "${CP[@]}" "$IMG" echo hello from strata
	[ "$status" -eq 0 ]
	[ "$output" = "hello from strata" ]
	run pm run --rm "${CP[@]}" "$IMG" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "podman uses strata (its state under the runtime root, json log)" {
	CID=$(pm run -d "${CP[@]}" "$IMG" sh -c "$LOOP")
	[ -f "$PM_DIR/strata-root/$CID/state.json" ]
	run "$STRATA_BIN" --root "$PM_DIR/strata-root" state "$CID"
	[ "$(echo "$output" | jq -r .status)" = running ]
	[ "$(echo "$output" | jq -r '.annotations["io.container.manager"]')" = libpod ]
}

@test "podman run: a command that does not exist gives exit code 127" {
	run -127 pm run --rm "${CP[@]}" "$IMG" /no/such/command
	[ "$status" -eq 127 ]
	run -127 pm run --rm "${CP[@]}" "$IMG" no-such-command
	[ "$status" -eq 127 ]
}

@test "podman run -d, exec, exec -it, stop, rm" {
	CID=$(pm run -d "${CP[@]}" "$IMG" sh -c "$LOOP")
	run pm exec "$CID" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "; exit 4'
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = in-exec ]
	[[ "${lines[1]}" == "sh -c trap"* ]]
	run pm_tty exec -it "$CID" sh -c "'tty; exit 6'"
	[ "$status" -eq 6 ]
	[[ "$output" == *"/dev/pts/"* ]]
	run -127 pm exec "$CID" /no/such/command
	[ "$status" -eq 127 ]
	pm stop -t 10 "$CID"
	[ "$(pm inspect --format '{{.State.Status}}' "$CID")" = exited ]
	[ "$(pm inspect --format '{{.State.ExitCode}}' "$CID")" = 0 ]
	pm rm "$CID"
	[ ! -e "$PM_DIR/strata-root/$CID" ]
	CID=
}

@test "podman pause and unpause" {
	CID=$(pm run -d "${CP[@]}" "$IMG" sh -c "$LOOP")
	pm pause "$CID"
	[ "$(pm inspect --format '{{.State.Status}}' "$CID")" = paused ]
	[ "$("$STRATA_BIN" --root "$PM_DIR/strata-root" state "$CID" | jq -r .status)" = paused ]
	pm unpause "$CID"
	[ "$(pm inspect --format '{{.State.Status}}' "$CID")" = running ]
	run pm exec "$CID" echo alive
	[ "$output" = alive ]
}

@test "podman run -it under script: a terminal for the init" {
	run pm_tty run --rm -it "${CP[@]}" "$IMG" sh -c "'tty; exit 5'"
	[ "$status" -eq 5 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "podman run --memory --pids-limit: visible inside" {
	run pm run --rm "${CP[@]}" --memory 64m --pids-limit 50 "$IMG" sh -c \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;
		 cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 50 ]
}

@test "podman run --cap-drop: the capability is gone" {
	run pm run --rm "${CP[@]}" --cap-drop CHOWN "$IMG" chown 1 /tmp
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	eff=$(pm run --rm "${CP[@]}" --cap-drop CHOWN "$IMG" grep CapEff /proc/self/status | awk '{print $2}')
	[ $(( 0x$eff & 1 )) -eq 0 ]
	eff=$(pm run --rm "${CP[@]}" "$IMG" grep CapEff /proc/self/status | awk '{print $2}')
	[ $(( 0x$eff & 1 )) -eq 1 ]
}

@test "podman update --memory: the live cgroup changes" {
	CID=$(pm run -d "${CP[@]}" --memory 64m "$IMG" sh -c "$LOOP")
	pm update --memory 128m "$CID"
	run pm exec "$CID" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	[ "$output" = 134217728 ]
}

@test "podman kill -s USR1 and rm -f of a running container" {
	CID=$(pm run -d "${CP[@]}" "$IMG" sh -c 'trap "echo got-usr1" USR1; while :; do sleep 1; done')
	pm kill -s USR1 "$CID"
	for _ in $(seq 30); do pm logs "$CID" | grep -q got-usr1 && break; sleep 0.2; done
	pm logs "$CID" | grep -q got-usr1
	pm rm -f -t 0 "$CID"
	[ ! -e "$PM_DIR/strata-root/$CID" ]
	CID=
}
