#!/usr/bin/env bats
# namespaces.bats - linux.namespaces observed from inside the container:
# new namespaces of every type, joining by path, user namespace mappings,
# time namespace offsets, loopback up in a new network namespace, hostname.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# in_container CMD: run `sh -c CMD` in the bundle, output in $output
in_container() {
	set_args sh -c "$1"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
}

ns_of() { readlink "/proc/$1/ns/$2"; }

add_userns() {
	# the container's root (host uid 100000) must be able to reach the rootfs
	chmod 755 "$TEST_TMP"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "every namespace type is new: the inode differs from the host's" {
	add_userns
	update_config '.linux.namespaces += [{"type": "time"}]'
	in_container 'for n in pid net mnt ipc uts user cgroup time; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	[ "$status" -eq 0 ]
	for n in pid net mnt ipc uts user cgroup time; do
		inside=$(echo "$output" | awk -v n=$n '$1 == n {print $2}')
		[ -n "$inside" ]
		[ "$inside" != "$(ns_of self $n)" ] || { echo "$n namespace is the host's: $inside"; false; }
	done
}

@test "a namespace not listed is shared with the host" {
	update_config 'del(.linux.namespaces[] | select(.type == "ipc" or .type == "network"))'
	in_container 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/net'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of self ipc)" ]
	[ "${lines[1]}" = "$(ns_of self net)" ]
}

@test "the init is pid 1 of a new pid namespace" {
	in_container 'echo $$'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
}

@test "namespaces given by path are joined" {
	set_args sleep 100
	a=$(rand_id)
	$STRATA create --bundle "$BUNDLE" "$a" >/dev/null 2>&1 </dev/null
	pid=$($STRATA state "$a" | jq .pid)
	update_config ".linux.namespaces = [{\"type\": \"mount\"},
		{\"type\": \"network\", \"path\": \"/proc/$pid/ns/net\"},
		{\"type\": \"ipc\", \"path\": \"/proc/$pid/ns/ipc\"},
		{\"type\": \"uts\", \"path\": \"/proc/$pid/ns/uts\"},
		{\"type\": \"pid\", \"path\": \"/proc/$pid/ns/pid\"}]"
	in_container 'readlink /proc/self/ns/net; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts; readlink /proc/self/ns/pid; hostname; echo $$'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of $pid net)" ]
	[ "${lines[1]}" = "$(ns_of $pid ipc)" ]
	[ "${lines[2]}" = "$(ns_of $pid uts)" ]
	[ "${lines[3]}" = "$(ns_of $pid pid)" ]
	# the joined UTS namespace carries the first container's hostname
	[ "${lines[4]}" = "$(jq -r .hostname "$BUNDLE/config.json")" ]
	# not pid 1: the first container's init is
	[ "${lines[5]}" -gt 1 ]
	$STRATA delete --force "$a"
}

@test "joining a path that is not a namespace of that type fails clearly" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/ipc" else . end)'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"is not a network namespace"* ]]
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "user namespace: uidMappings and gidMappings are visible in /proc/self/uid_map" {
	add_userns
	in_container 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
}

@test "user namespace: the container's root is an unprivileged host uid" {
	add_userns
	set_args sleep 100
	id=$(rand_id)
	$STRATA create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	pid=$($STRATA state "$id" | jq .pid)
	$STRATA start "$id"
	[ "$(awk '/^Uid:/ {print $2}' /proc/$pid/status)" = 100000 ]
	$STRATA delete --force "$id"
}

@test "time namespace: timeOffsets shift boottime and monotonic" {
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 8640000, "nanosecs": 0}, "monotonic": {"secs": 1000, "nanosecs": 0}}'
	in_container 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^monotonic +1000 +0$'
	echo "$output" | grep -Eq '^boottime +8640000 +0$'
	host_up=$(cut -d. -f1 /proc/uptime)
	[ "${lines[2]}" -ge $((host_up + 8640000)) ]
}

@test "timeOffsets without a time namespace is refused" {
	update_config '.linux.timeOffsets = {"boottime": {"secs": 10, "nanosecs": 0}}'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"timeOffsets"* ]]
}

@test "a new network namespace has lo up and nothing else" {
	in_container 'cat /sys/class/net/lo/flags; ls /sys/class/net'
	[ "$status" -eq 0 ]
	# IFF_UP (0x1) | IFF_LOOPBACK (0x8)
	[ $((${lines[0]} & 0x1)) -eq 1 ]
	[ "${lines[1]}" = lo ]
}

@test "hostname and domainname in a private UTS namespace" {
	update_config '.hostname = "box1" | .domainname = "example.test"'
	in_container 'hostname; cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box1 ]
	[ "${lines[1]}" = example.test ]
	[ "$(hostname)" != box1 ]
}

@test "a hostname without a private UTS namespace is refused with runc's message" {
	update_config 'del(.linux.namespaces[] | select(.type == "uts")) | .hostname = "box1"'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unable to set hostname without a private UTS namespace"* ]]
	[ -z "$(ls "$STRATA_ROOT")" ]
}

@test "cgroup namespace: the container sees its cgroup as the root" {
	in_container 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	# every hierarchy's path is / inside a new cgroup namespace
	! echo "$output" | grep -v ':/$'
}
