#!/usr/bin/env bats
# cgroups.bats - cgroups at the native level on this machine's real hierarchy
# (cgroup v1 controllers, plus the cgroup2 mount of the hybrid layout):
# limits are visible in the controller files and have their effect, and
# update, pause/resume, ps, events and kill --all act on the live cgroup.
# cgroup v2 with controllers is exercised in the vm level's guest, not here.

load helpers

setup() {
	[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] || skip "needs the cgroup v1 memory hierarchy"
	setup_bundle
	update_config '.root.readonly = false'
}
teardown() {
	teardown_bundle
	# the parents this suite made for its cgroupsPath tests (empty by now)
	rmdir /sys/fs/cgroup/*/strata-leak-$$ /sys/fs/cgroup/*/strata-test-$$ 2>/dev/null || true
}

# run_d ID: `run -d` with stdio on files (a pipe would keep bats waiting)
run_d() { $STRATA run -d --bundle "$BUNDLE" "$1" >"$TEST_TMP/$1.out" 2>&1 </dev/null; }
pid_of() { $STRATA state "$1" | jq -r .pid; }
status_of() { $STRATA state "$1" | jq -r .status; }

# cg_dir CTRL PID: the v1 directory of PID's cgroup for controller CTRL
cg_dir() {
	local p
	p=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$2/cgroup")
	echo "/sys/fs/cgroup/$1$p"
}

# wait_for 'SHELL CONDITION': evaluate it every 0.1 s for up to 5 s
wait_for() {
	local i
	for i in $(seq 50); do
		eval "$1" && return 0
		sleep 0.1
	done
	return 1
}

# count_of FILE: the number in FILE, read again while a writer truncated it
count_of() {
	local v i
	for i in $(seq 20); do
		v=$(cat "$1" 2>/dev/null)
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 0.01
	done
	return 1
}

@test "the init joins every v1 hierarchy and the cgroup2 one, under /strata/ID by default" {
	set_args sleep 100
	id=$(rand_id)
	run_d "$id"
	pid=$(pid_of "$id")
	# every line of /proc/PID/cgroup (containerd reads it) names the container's cgroup
	run grep -vc ":/strata/$id\$" "/proc/$pid/cgroup"
	[ "$output" = 0 ]
	grep -q "^0::/strata/$id\$" "/proc/$pid/cgroup"
	grep -q ":memory:/strata/$id\$" "/proc/$pid/cgroup"
	$STRATA delete --force "$id"
	for d in /sys/fs/cgroup/*/strata/"$id"; do [ ! -e "$d" ]; done
}

@test "cgroupsPath: absolute is under each hierarchy's root, relative under the caller's cgroup" {
	set_args sleep 100
	id=$(rand_id)
	update_config ".linux.cgroupsPath = \"/strata-test-$$/abs-$id\""
	run_d "$id"
	pid=$(pid_of "$id")
	grep -q ":memory:/strata-test-$$/abs-$id\$" "/proc/$pid/cgroup"
	$STRATA delete --force "$id"
	[ ! -e "/sys/fs/cgroup/memory/strata-test-$$/abs-$id" ]
	for d in /sys/fs/cgroup/*/strata-test-$$; do rmdir "$d"; done

	# relative: strata runs from a cgroup of this test (not the cgroup of
	# whatever runs the suite), /strata-test-PID in memory and pids
	id2=$(rand_id)
	update_config ".linux.cgroupsPath = \"rel-$id2\""
	(
		for c in memory pids; do
			mkdir -p "/sys/fs/cgroup/$c/strata-test-$$"
			echo "$BASHPID" >"/sys/fs/cgroup/$c/strata-test-$$/cgroup.procs"
		done
		run_d "$id2"
	)
	pid=$(pid_of "$id2")
	cat "/proc/$pid/cgroup"
	grep -q ":memory:/strata-test-$$/rel-$id2\$" "/proc/$pid/cgroup"
	grep -q ":pids:/strata-test-$$/rel-$id2\$" "/proc/$pid/cgroup"
	own=$(awk -F: '$2 == "freezer" { print $3 }' /proc/self/cgroup)
	[ "$own" = / ] && own=
	grep -q ":freezer:$own/rel-$id2\$" "/proc/$pid/cgroup"
	$STRATA delete --force "$id2"
	[ ! -e "/sys/fs/cgroup/memory/strata-test-$$/rel-$id2" ]
	[ ! -e "/sys/fs/cgroup/freezer$own/rel-$id2" ]
}

@test "limits are visible in the cgroup files; the device list is deny-all plus the defaults" {
	set_args sleep 100
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 134217728}
		| .linux.resources.cpu = {"shares": 512, "quota": 20000, "period": 100000, "cpus": "0"}
		| .linux.resources.pids = {"limit": 42}
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
	id=$(rand_id)
	run_d "$id"
	pid=$(pid_of "$id")
	[ "$(cat "$(cg_dir memory "$pid")/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(cg_dir memory "$pid")/memory.soft_limit_in_bytes")" = 33554432 ]
	[ "$(cat "$(cg_dir memory "$pid")/memory.memsw.limit_in_bytes")" = 134217728 ]
	[ "$(cat "$(cg_dir cpu "$pid")/cpu.shares")" = 512 ]
	[ "$(cat "$(cg_dir cpu "$pid")/cpu.cfs_quota_us")" = 20000 ]
	[ "$(cat "$(cg_dir cpuset "$pid")/cpuset.cpus")" = 0 ]
	[ "$(cat "$(cg_dir pids "$pid")/pids.max")" = 42 ]
	list=$(cat "$(cg_dir devices "$pid")/devices.list")
	echo "$list"
	grep -qx 'c 1:3 rwm' <<<"$list"
	grep -qx 'c 136:\* rwm' <<<"$list"
	grep -qx 'c 5:2 rwm' <<<"$list"
	! grep -q '^a ' <<<"$list"
	! grep -q '^b 8:' <<<"$list"
}

@test "a memory hog is OOM-killed at its limit (exit 137) and events reports the oom" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c 'x=0123456789abcdef; while :; do x=$x$x; done'
	id=$(rand_id)
	run $STRATA run --bundle "$BUNDLE" "$id" </dev/null
	echo "status $status: $output"
	[ "$status" -eq 137 ]

	# the same hog started after a pause, watched by `events`
	set_args sh -c 'while [ ! -e /go ]; do sleep 0.1; done; x=0123456789abcdef; while :; do x=$x$x; done'
	id=$(rand_id)
	run_d "$id"
	$STRATA events --interval 1s "$id" >"$TEST_TMP/events" 2>"$TEST_TMP/events.err" &
	ev=$!
	sleep 0.5
	touch "$BUNDLE/rootfs/go"
	for i in $(seq 100); do kill -0 "$ev" 2>/dev/null || break; sleep 0.1; done
	kill "$ev" 2>/dev/null || true
	wait "$ev" || true
	cat "$TEST_TMP/events" "$TEST_TMP/events.err"
	grep -q "{\"type\":\"oom\",\"id\":\"$id\"}" "$TEST_TMP/events"
}

@test "a fork loop stops at pids.limit" {
	update_config '.linux.resources.pids = {"limit": 10}'
	# the inner shell forks until the limit stops it (and then exits: ash
	# treats "can't fork" as fatal); the outer one then execs, without a fork
	set_args sh -c 'sh -c "for i in \$(seq 1 40); do sleep 100 & done"; exec sleep 100'
	id=$(rand_id)
	run_d "$id"
	pid=$(pid_of "$id")
	dir=$(cg_dir pids "$pid")
	sleep 1
	[ "$(status_of "$id")" = running ]
	[ "$(cat "$dir/pids.current")" -le 10 ]
	[ "$(cat "$dir/pids.current")" -ge 5 ]
	grep -q 'max [1-9]' "$dir/pids.events"
	grep -q "can't fork" "$TEST_TMP/$id.out"
	# ps lists exactly the cgroup's processes
	run $STRATA ps --format json "$id"
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq "$(wc -l <"$dir/cgroup.procs")" ]
	[ "$(jq -r 'sort | join(" ")' <<<"$output")" = "$(sort -n "$dir/cgroup.procs" | xargs)" ]
}

@test "pause freezes a counter loop, resume thaws it; state shows paused" {
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/count.new; mv /count.new /count; sleep 0.05; done'
	id=$(rand_id)
	run_d "$id"
	sleep 0.5
	$STRATA pause "$id"
	[ "$(status_of "$id")" = paused ]
	[ "$(cat "$(cg_dir freezer "$(pid_of "$id")")/freezer.state")" = FROZEN ]
	a=$(count_of "$BUNDLE/rootfs/count")
	sleep 0.5
	b=$(count_of "$BUNDLE/rootfs/count")
	[ "$a" = "$b" ]
	# pausing twice is runc's "container not running"
	run $STRATA pause "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not running"* ]]
	$STRATA resume "$id"
	[ "$(status_of "$id")" = running ]
	sleep 0.5
	c=$(count_of "$BUNDLE/rootfs/count")
	[ "$c" -gt "$b" ]
	run $STRATA resume "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container not paused"* ]]
	# a paused container can be deleted with --force
	$STRATA pause "$id"
	$STRATA delete --force "$id"
	run $STRATA state "$id"
	[ "$status" -ne 0 ]
}

@test "update changes live limits: flags, --resources -, --resources=FILE" {
	set_args sleep 100
	update_config '.linux.resources.memory = {"limit": 67108864}'
	id=$(rand_id)
	run_d "$id"
	dir=$(cg_dir memory "$(pid_of "$id")")
	[ "$(cat "$dir/memory.limit_in_bytes")" = 67108864 ]
	$STRATA update --memory 128M --memory-swap 256m --pids-limit 30 --cpu-share 256 "$id"
	[ "$(cat "$dir/memory.limit_in_bytes")" = 134217728 ]
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 268435456 ]
	[ "$(cat "$(cg_dir pids "$(pid_of "$id")")/pids.max")" = 30 ]
	[ "$(cat "$(cg_dir cpu "$(pid_of "$id")")/cpu.shares")" = 256 ]
	# the CRI's form: JSON on stdin, with a deny-all device list that must not be applied
	echo '{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":100663296,"swap":100663296},"cpu":{}}' |
		$STRATA update --resources - "$id"
	[ "$(cat "$dir/memory.limit_in_bytes")" = 100663296 ]
	grep -qx 'c 1:3 rwm' "$(cg_dir devices "$(pid_of "$id")")/devices.list"
	# podman's form
	echo '{"memory":{"limit":83886080,"swap":167772160}}' >"$TEST_TMP/r.json"
	$STRATA update --resources="$TEST_TMP/r.json" "$id"
	[ "$(cat "$dir/memory.limit_in_bytes")" = 83886080 ]
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 167772160 ]
	run $STRATA update --memory 12Q "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid size"* ]]
	run $STRATA update --l3-cache-schema L3:0=f "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not supported"* ]]
}

@test "events --stats reports memory usage that grows with the workload" {
	# a file in the container's /dev/shm (tmpfs) is charged to its memory cgroup
	set_args sh -c 'while [ ! -e /go ]; do sleep 0.1; done; head -c 30000000 /dev/zero >/dev/shm/f; touch /done; sleep 100'
	update_config '.linux.resources.memory = {"limit": 268435456} | .linux.resources.pids = {"limit": 50}'
	id=$(rand_id)
	run_d "$id"
	run $STRATA events --stats "$id"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "stats" and .id == "'"$id"'"'
	echo "$output" | jq -e '.data.memory.usage.limit == 268435456 and .data.pids.limit == 50 and .data.pids.current >= 1'
	echo "$output" | jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | length) > 0'
	echo "$output" | jq -e '.data.memory.raw | has("rss")'
	before=$(echo "$output" | jq .data.memory.usage.usage)
	touch "$BUNDLE/rootfs/go"
	wait_for '[ -e "$BUNDLE/rootfs/done" ]'
	after=$($STRATA events --stats "$id" | jq .data.memory.usage.usage)
	echo "before $before after $after"
	[ "$after" -gt $((before + 25000000)) ]
	# --interval streams stats lines
	timeout 3 $STRATA events --interval 500ms "$id" >"$TEST_TMP/ev" || true
	[ "$(grep -c '"type":"stats"' "$TEST_TMP/ev")" -ge 3 ]
}

@test "kill --all signals every process in the cgroup, also after the init exited" {
	# without a pid namespace the children outlive the init
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 1000 & sleep 1000 & sleep 1'
	id=$(rand_id)
	run_d "$id"
	dir=$(cg_dir pids "$(pid_of "$id")")
	wait_for '[ "$(status_of "$id")" = stopped ]'
	[ "$(wc -l <"$dir/cgroup.procs")" -eq 2 ]
	run $STRATA ps --format json "$id"
	[ "$(jq length <<<"$output")" -eq 2 ]
	$STRATA kill --all "$id" 9
	wait_for '[ "$(wc -l <"$dir/cgroup.procs")" -eq 0 ]'
	# and again on the empty cgroup: still success, as runc
	$STRATA kill --all "$id" 9
	$STRATA delete "$id"
	[ ! -e "$dir" ]
}

@test "ps --format table filters ps -ef to the container's pids" {
	set_args sleep 100
	id=$(rand_id)
	run_d "$id"
	pid=$(pid_of "$id")
	run $STRATA ps "$id"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *" $pid "*"sleep 100"* ]]
	run $STRATA ps "$id" -o pid,comm
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *"$pid sleep"* ]]
}

@test "--systemd-cgroup without systemd is a clear error, never a silent fallback" {
	[ ! -d /run/systemd/system ] || skip "systemd is running here"
	update_config '.linux.cgroupsPath = "system.slice:strata:x1"'
	id=$(rand_id)
	run $STRATA --systemd-cgroup run --bundle "$BUNDLE" "$id" </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"systemd is not running"* ]]
	for d in /sys/fs/cgroup/*/strata/"$id"; do [ ! -e "$d" ]; done
}

@test "resources this host cannot apply are errors: unified keys, unmounted controllers" {
	set_args true
	update_config '.linux.resources.unified = {"memory.high": "1G"}'
	id=$(rand_id)
	run $STRATA run --bundle "$BUNDLE" "$id" </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"memory.high"* ]]
	for d in /sys/fs/cgroup/*/strata/"$id"; do [ ! -e "$d" ]; done
	if [ ! -d /sys/fs/cgroup/hugetlb ]; then
		update_config 'del(.linux.resources.unified) | .linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 2097152}]'
		id=$(rand_id)
		run $STRATA run --bundle "$BUNDLE" "$id" </dev/null
		[ "$status" -ne 0 ]
		[[ "$output" == *"hugetlb"* ]]
	fi
}

@test "no leaks: 100 create/start/kill/delete cycles leave the cgroup directory count unchanged" {
	set_args sleep 100
	parent="strata-leak-$$"
	update_config ".linux.cgroupsPath = \"/$parent/c\""
	count() { find /sys/fs/cgroup/*/"$parent" -mindepth 1 -type d 2>/dev/null | wc -l; }
	before=$(count)
	for i in $(seq 100); do
		id="leak$$-$i"
		update_config ".linux.cgroupsPath = \"/$parent/$id\""
		$STRATA create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
		# the count sees a live container's directories (the test can fail)
		[ "$i" -ne 1 ] || [ "$(count)" -gt "$before" ]
		if [ $((i % 2)) -eq 0 ]; then
			# running, then delete --force
			$STRATA start "$id"
			$STRATA delete --force "$id"
		elif [ $((i % 3)) -eq 0 ]; then
			# created (never started), delete --force
			$STRATA delete --force "$id"
		else
			$STRATA start "$id"
			$STRATA kill "$id" 9
			wait_for '[ "$(status_of "$id")" = stopped ]'
			$STRATA delete "$id"
		fi
	done
	after=$(count)
	echo "cgroup directories under /$parent: before $before, after $after"
	rmdir /sys/fs/cgroup/*/"$parent" 2>/dev/null || true
	[ "$before" -eq "$after" ]
}

@test "cgroups: --rootless takes true, false or auto; anything else is a clear error" {
	set_args true
	run $STRATA --rootless bogus run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid --rootless value \`bogus\`: use true, false or auto"* ]]
	# a plain bundle runs rootless (and still gets its cgroup when it can)
	set_args sh -c 'cat /proc/self/cgroup'
	run $STRATA --rootless true run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pids:"* ]]
	for v in "--rootless false" "--rootless auto" "--rootless=t" "--rootless=FALSE"; do
		run $STRATA $v run --bundle "$BUNDLE" "$(rand_id)"
		[ "$status" -eq 0 ]
	done
}

# in_ro_cgroups CMD...: run CMD in a private mount namespace where every cgroup
# hierarchy is read-only, so creating the container's cgroup fails with EROFS
# even for root (the host's mounts are not touched).
in_ro_cgroups() {
	unshare -m --propagation private sh -c '
		for m in $(awk "{ for (i = 7; i <= NF; i++) if (\$i == \"-\") { if (\$(i+1) ~ /^cgroup2?\$/) print \$5; break } }" /proc/self/mountinfo); do
			mount -o remount,bind,ro "$m" || exit 99
		done
		exec "$@"' sh "$@"
}

@test "cgroups: --rootless turns a cgroup permission error into a warning, unless resources are set" {
	command -v unshare >/dev/null || skip "needs unshare(1)"
	set_args sh -c 'echo ran-without-cgroup'
	# rootless: a warning, and the container runs
	run in_ro_cgroups $STRATA --rootless true run --bundle "$BUNDLE" "$(rand_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"level=warning"*"rootless: the container runs without a cgroup"*"Read-only file system"* ]]
	[[ "$output" == *"ran-without-cgroup"* ]]
	# not rootless (false, or auto as real root): the error stands
	for v in false auto; do
		run in_ro_cgroups $STRATA --rootless $v run --bundle "$BUNDLE" "$(rand_id)"
		[ "$status" -eq 1 ]
		[[ "$output" == *"level=error"*"Read-only file system"* ]]
		[[ "$output" != *"ran-without-cgroup"* ]]
	done
	# rootless with a limit the config asks for: an error, as runc
	update_config '.linux.resources.pids = {"limit": 50}'
	run in_ro_cgroups $STRATA --rootless true run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"level=error"*"Read-only file system"* ]]
	[[ "$output" != *"ran-without-cgroup"* ]]
	# nothing is left behind in the state root
	[ -z "$(ls "$STRATA_ROOT")" ]
}
