#!/usr/bin/env bash
# containerd.sh - a private containerd for the client suites: its own root,
# state, sockets and config in a temporary directory, never the system's
# (client-contract.md "Private containerd").
#
#   source tests/clients/containerd.sh
#   ctrd_start STRATA_BIN     boots containerd in $CTRD_DIR (exported), with a CRI
#                             handler `strata` (BinaryName = STRATA_BIN) as default,
#                             and imports localhost/busybox:latest and
#                             localhost/pause:latest into namespaces $CTRD_NS and k8s.io
#   ctrd_ctr ARGS...          ctr against it
#   ctrd_stop                 kills tasks, stops containerd and its shims, removes
#                             our shim sockets from /run/containerd/s and $CTRD_DIR
#   ctrd_skip_reason          non-empty when containerd/ctr are not installed
#
# The shim sockets of containerd 1.6 always go to /run/containerd/s/<sha256 of
# "ADDRESS/NAMESPACE/ID">; ctrd_stop removes exactly ours.

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$CLIENTS_DIR/image.sh"
CTRD_NS=${CTRD_NS:-strata-test}

ctrd_skip_reason() {
	command -v containerd >/dev/null || { echo "containerd is not installed (apt-get install containerd)"; return; }
	command -v ctr >/dev/null || { echo "ctr is not installed (apt-get install containerd)"; return; }
	command -v containerd-shim-runc-v2 >/dev/null || { echo "containerd-shim-runc-v2 is not installed"; return; }
}

ctrd_ctr() { ctr --address "$CTRD_DIR/c.sock" "$@"; }

ctrd_write_config() {
	local strata=$1
	mkdir -p "$CTRD_DIR/cni/bin" "$CTRD_DIR/cni/conf"
	cat >"$CTRD_DIR/config.toml" <<-TOML
	version = 2
	root = "$CTRD_DIR/root"
	state = "$CTRD_DIR/state"
	oom_score = 0
	disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
	  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
	  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
	[grpc]
	  address = "$CTRD_DIR/c.sock"
	[ttrpc]
	  address = "$CTRD_DIR/c.sock.ttrpc"
	[debug]
	  level = "info"
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "localhost/pause:latest"
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	  restrict_oom_score_adj = true
	  enable_selinux = false
	  [plugins."io.containerd.grpc.v1.cri".containerd]
	    default_runtime_name = "strata"
	    snapshotter = "overlayfs"
	    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.strata]
	      runtime_type = "io.containerd.runc.v2"
	      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.strata.options]
	        BinaryName = "$strata"
	        Root = "$CTRD_DIR/strata-root"
	    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
	      runtime_type = "io.containerd.runc.v2"
	      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
	        BinaryName = "runc"
	        Root = "$CTRD_DIR/runc-root"
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "$CTRD_DIR/cni/bin"
	    conf_dir = "$CTRD_DIR/cni/conf"
	TOML
}

ctrd_start() {
	local strata=$1 i
	CTRD_DIR=$(mktemp -d /tmp/strata-ctrd.XXXXXX)
	export CTRD_DIR CTRD_NS
	ctrd_write_config "$strata"
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/containerd.log" 2>&1 &
	echo $! >"$CTRD_DIR/containerd.pid"
	for i in $(seq 100); do
		ctrd_ctr version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctrd_ctr version >/dev/null 2>&1 || { cat "$CTRD_DIR/containerd.log" >&2; return 1; }
	local rootfs=${BUSYBOX_ROOTFS:?}
	oci_image_archive "$rootfs" localhost/busybox:latest "$CTRD_DIR/busybox.tar" '["/bin/sh"]'
	# the pod sandbox: a loop, not one long sleep (long sleeps end early when this VM's clock jumps)
	oci_image_archive "$rootfs" localhost/pause:latest "$CTRD_DIR/pause.tar" \
		'["/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 1; done"]'
	local ns
	for ns in "$CTRD_NS" k8s.io; do
		ctrd_ctr -n "$ns" images import "$CTRD_DIR/busybox.tar" >/dev/null || return 1
		ctrd_ctr -n "$ns" images import "$CTRD_DIR/pause.tar" >/dev/null || return 1
	done
}

# ctrd_shim_socket NS ID: the path containerd 1.6 gives the shim of task ID in NS
ctrd_shim_socket() {
	echo "/run/containerd/s/$(printf '%s' "$CTRD_DIR/c.sock/$1/$2" | sha256sum | cut -d' ' -f1)"
}

ctrd_stop() {
	[ -n "${CTRD_DIR:-}" ] && [ -d "$CTRD_DIR" ] || return 0
	local ns id
	for ns in "$CTRD_NS" k8s.io; do
		for id in $(ctrd_ctr -n "$ns" tasks ls -q 2>/dev/null); do
			ctrd_ctr -n "$ns" tasks kill -s SIGKILL "$id" >/dev/null 2>&1
			ctrd_ctr -n "$ns" tasks delete -f "$id" >/dev/null 2>&1
		done
		for id in $(ctrd_ctr -n "$ns" containers ls -q 2>/dev/null); do
			ctrd_ctr -n "$ns" containers delete "$id" >/dev/null 2>&1
			rm -f "$(ctrd_shim_socket "$ns" "$id")"
		done
	done
	# the ids of every shim we started, from containerd's state dir
	for ns in "$CTRD_DIR"/state/io.containerd.runtime.v2.task/*/; do
		[ -d "$ns" ] || continue
		for id in "$ns"*/; do
			[ -d "$id" ] && rm -f "$(ctrd_shim_socket "$(basename "$ns")" "$(basename "$id")")"
		done
	done
	local pid
	pid=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	fi
	# shims whose containerd is ours (their -address names our socket)
	for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CTRD_DIR/c.sock" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	umount -R "$CTRD_DIR/root" 2>/dev/null
	umount -R "$CTRD_DIR/state" 2>/dev/null
	grep -o " $CTRD_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$CTRD_DIR"
	# ctr's cgroupsPath is /<namespace>/<id>: the runtime removes <id>, the
	# namespace level is left to whoever made it (as with runc)
	local d
	for d in /sys/fs/cgroup/*/"$CTRD_NS" /sys/fs/cgroup/"$CTRD_NS"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}
