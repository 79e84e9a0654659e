#!/usr/bin/env bats
# cri.bats - the Kubernetes path: a containerd CRI runtime handler `strata`
# (runtime_type io.containerd.runc.v2, options.BinaryName = strata, as a
# RuntimeClass names it), driven through the CRI gRPC API the way kubelet
# drives it, with tests/clients/cri_client.py (crictl is not in Debian 12).
# A private containerd is booted once for the suite (tests/clients/containerd.sh).

load helpers

setup_file() {
	. "$REPO_DIR/tests/clients/containerd.sh"
	reason=$(ctrd_skip_reason)
	if [ -z "$reason" ] && ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
		reason="python3-grpcio / python3-grpc-tools are not installed"
	fi
	if [ -n "$reason" ]; then
		export CRI_SKIP="$reason"
		return 0
	fi
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	export BUSYBOX_ROOTFS
	ctrd_start "$STRATA_BIN"
	export CTRD_DIR
	/usr/bin/python3 "$REPO_DIR/tests/clients/cri_client.py" --gen "$CTRD_DIR/gen" compile
	CRI_CGROUP_PARENT=/strata-cri-$(basename "$CTRD_DIR" | cut -d. -f2)
	export CRI_CGROUP_PARENT
	# one pod for the whole suite, as a Deployment's pod would be
	POD=$(cri run-pod suite-pod strata)
	export POD
}

teardown_file() {
	. "$REPO_DIR/tests/clients/containerd.sh"
	if [ -n "${POD:-}" ]; then
		cri stop-pod "$POD" >/dev/null 2>&1
		cri rm-pod "$POD" >/dev/null 2>&1
	fi
	ctrd_stop
	local d
	for d in /sys/fs/cgroup/*"${CRI_CGROUP_PARENT:-/nonexistent}"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	return 0
}

cri() {
	/usr/bin/python3 "$REPO_DIR/tests/clients/cri_client.py" --socket "$CTRD_DIR/c.sock" --gen "$CTRD_DIR/gen" \
		--cgroup-parent "$CRI_CGROUP_PARENT" "$@"
}

setup() {
	[ -z "${CRI_SKIP:-}" ] || skip "$CRI_SKIP"
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	CID=
}

teardown() {
	if [ -n "${CID:-}" ]; then
		cri stop "$CID" 0 >/dev/null 2>&1
		cri rm "$CID" >/dev/null 2>&1
	fi
	return 0
}

LOOP='trap "exit 0" TERM; while :; do sleep 1; done'
MiB=1048576

strata_k8s() { "$STRATA_BIN" --root "$CTRD_DIR/strata-root/k8s.io" "$@"; }

@test "cri: RunPodSandbox with the strata handler runs the sandbox under strata" {
	[ -n "$POD" ]
	run strata_k8s state "$POD"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = running ]
	[ "$(echo "$output" | jq -r '.annotations["io.kubernetes.cri.container-type"]')" = sandbox ]
}

@test "cri: CreateContainer joins the sandbox namespaces; StartContainer; ExecSync" {
	CID=$(cri create "$POD" suite-pod c-exec $((64 * MiB)) sh -c "$LOOP")
	[ -n "$CID" ]
	cri start "$CID"
	[ "$(cri status "$CID")" = "CONTAINER_RUNNING 0" ]
	sandbox_pid=$(strata_k8s state "$POD" | jq -r .pid)
	run cri exec "$CID" 10 readlink /proc/self/ns/ipc
	[ "$status" -eq 0 ]
	[ "$output" = "$(readlink /proc/$sandbox_pid/ns/ipc)" ]
	# NODE network: the host's network namespace
	run cri exec "$CID" 10 readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
	run cri exec "$CID" 10 sh -c 'echo $STRATA_TEST; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = cri ]
}

@test "cri: ExecSync of a missing binary reports no such file or directory" {
	CID=$(cri create "$POD" suite-pod c-missing $((64 * MiB)) sh -c "$LOOP")
	cri start "$CID"
	run cri exec "$CID" 10 /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"no such file or directory"* ]]
}

@test "cri: the memory limit, then UpdateContainerResources" {
	CID=$(cri create "$POD" suite-pod c-update $((64 * MiB)) sh -c "$LOOP")
	cri start "$CID"
	mem='cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	[ "$(cri exec "$CID" 10 sh -c "$mem")" = $((64 * MiB)) ]
	cri update "$CID" $((128 * MiB))
	[ "$(cri exec "$CID" 10 sh -c "$mem")" = $((128 * MiB)) ]
}

@test "cri: StopContainer (SIGTERM) and RemoveContainer" {
	CID=$(cri create "$POD" suite-pod c-stop $((64 * MiB)) sh -c "$LOOP")
	cri start "$CID"
	cri stop "$CID" 10
	[ "$(cri status "$CID")" = "CONTAINER_EXITED 0" ]
	cri rm "$CID"
	[ ! -e "$CTRD_DIR/strata-root/k8s.io/$CID" ]
	CID=
}

@test "cri: StopContainer kills a container that ignores SIGTERM after the grace period" {
	CID=$(cri create "$POD" suite-pod c-kill $((64 * MiB)) sh -c 'trap "" TERM; while :; do sleep 1; done')
	cri start "$CID"
	cri stop "$CID" 1
	[ "$(cri status "$CID")" = "CONTAINER_EXITED 137" ]
	cri rm "$CID"
	CID=
}

@test "cri: StopPodSandbox and RemovePodSandbox of a second pod" {
	pod2=$(cri run-pod second-pod strata)
	[ "$(strata_k8s state "$pod2" | jq -r .status)" = running ]
	c2=$(cri create "$pod2" second-pod c2 $((64 * MiB)) sh -c "$LOOP")
	cri start "$c2"
	cri stop "$c2" 5
	cri rm "$c2"
	cri stop-pod "$pod2"
	cri rm-pod "$pod2"
	[ ! -e "$CTRD_DIR/strata-root/k8s.io/$pod2" ]
	! strata_k8s state "$pod2"
}
