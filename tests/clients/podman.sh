#!/usr/bin/env bash
# podman.sh - a private podman setup for the client suite: containers.conf and
# storage.conf in a temporary directory (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF, --root/--runroot), strata as the runtime with its
# own state root (--runtime-flag root=...), cgroupfs, file events, no
# network, rlimits at the current hard limits, an imported busybox image
# (client-contract.md "podman without systemd or network").
#
#   source tests/clients/podman.sh
#   pm_setup STRATA_BIN     makes $PM_DIR (exported) and imports localhost/busybox:latest
#   pm ARGS...              podman with the private configuration
#   pm_teardown             removes containers, storage, the cgroup parent and
#                           podman's stray v1 directories, and $PM_DIR
#   pm_skip_reason          non-empty when podman/conmon are not installed
CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$CLIENTS_DIR/image.sh"

pm_skip_reason() {
	command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman)"; return; }
	command -v conmon >/dev/null || { echo "conmon is not installed (apt-get install conmon)"; return; }
}

pm() {
	CONTAINERS_CONF="$PM_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf" \
	CONTAINERS_REGISTRIES_CONF="$PM_DIR/registries.conf" \
		podman --root "$PM_DIR/graph" --runroot "$PM_DIR/run" --runtime "$PM_STRATA" \
		--runtime-flag "root=$PM_DIR/strata-root" --cgroup-manager cgroupfs --events-backend file "$@"
}

pm_setup() {
	PM_STRATA=$1
	PM_DIR=$(mktemp -d /tmp/strata-podman.XXXXXX)
	PM_CGROUP_PARENT=/strata-podman-$(basename "$PM_DIR" | cut -d. -f2)
	export PM_DIR PM_STRATA PM_CGROUP_PARENT
	mkdir -p "$PM_DIR/tmp" "$PM_DIR/strata-root"
	local nofile nproc
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	# podman itself lowers RLIMIT_NPROC to pid_max when that is smaller
	local pidmax
	pidmax=$(cat /proc/sys/kernel/pid_max)
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pidmax" ]; then nproc=$pidmax; fi
	cat >"$PM_DIR/containers.conf" <<-CONF
	[containers]
	netns = "none"
	default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"
	events_logfile_path = "$PM_DIR/events.log"
	lock_type = "file"
	tmp_dir = "$PM_DIR/tmp"
	volume_path = "$PM_DIR/volumes"
	static_dir = "$PM_DIR/static"
	runtime = "strata"
	runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "strata"]
	[engine.runtimes]
	strata = ["$PM_STRATA"]
	CONF
	cat >"$PM_DIR/storage.conf" <<-CONF
	[storage]
	driver = "overlay"
	graphroot = "$PM_DIR/graph"
	runroot = "$PM_DIR/run"
	CONF
	echo 'unqualified-search-registries = []' >"$PM_DIR/registries.conf"
	rootfs_tar "${BUSYBOX_ROOTFS:?}" "$PM_DIR/rootfs.tar"
	pm import --change 'CMD ["/bin/sh"]' --change "ENV $IMAGE_PATH_ENV" \
		"$PM_DIR/rootfs.tar" localhost/busybox:latest >/dev/null
}

pm_teardown() {
	[ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	pm system reset -f >/dev/null 2>&1 || true
	local id
	for id in $(ls "$PM_DIR/strata-root" 2>/dev/null); do
		"$PM_STRATA" --root "$PM_DIR/strata-root" delete --force "$id" >/dev/null 2>&1
	done
	grep -o " $PM_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	# the cgroup parent, and the directories podman/conmon make on the
	# /sys/fs/cgroup tmpfs for v1 controllers that are not mounted
	local d
	for d in /sys/fs/cgroup/*"$PM_CGROUP_PARENT" /sys/fs/cgroup"$PM_CGROUP_PARENT"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		if [ -d "$d" ] && ! mountpoint -q "$(dirname "$d")"; then rm -rf "$d"; fi
	done
	rm -rf "$PM_DIR"
}
