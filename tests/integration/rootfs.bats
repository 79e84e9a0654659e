#!/usr/bin/env bats
# The container's root filesystem at the native level: every mount type and
# option, /dev, maskedPaths, readonlyPaths, root.readonly, rootfsPropagation
# and sysctl, each observed from inside the container.

load helpers

setup() {
	setup_bundle
	HOSTVOL="$TEST_TMP/vol"
	mkdir -p "$HOSTVOL"
}

teardown() {
	# a submount made by the rbind test
	if [ -n "${TEST_TMP:-}" ] && mountpoint -q "$TEST_TMP/vol/sub" 2>/dev/null; then
		umount "$TEST_TMP/vol/sub"
	fi
	teardown_bundle
}

# in_container 'SCRIPT': run `sh -c SCRIPT` in a new container, output in $output
in_container() {
	set_args sh -c "$1"
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
}

add_mount() { update_config ".mounts += [$1]"; }

# mount_line DEST: the container's mountinfo line for DEST, from $output
mount_line() { printf '%s\n' "$output" | awk -v d="$1" '$5 == d'; }

@test "rootfs: default mounts proc, sysfs ro, /dev tmpfs, devpts, shm, mqueue" {
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /proc)" == *" - proc proc "* ]]
	[[ "$(mount_line /sys)" == *" ro,nosuid,nodev,noexec"*" - sysfs sysfs ro"* ]]
	[[ "$(mount_line /dev)" == *" rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755"* ]]
	[[ "$(mount_line /dev/pts)" == *" - devpts devpts "*"gid=5,mode=620,ptmxmode=666"* ]]
	[[ "$(mount_line /dev/shm)" == *"nosuid,nodev,noexec"*" - tmpfs shm rw,size=65536k"* ]]
	[[ "$(mount_line /dev/mqueue)" == *" - mqueue mqueue "* ]]
}

@test "rootfs: devpts is a new instance with its own ptmx" {
	in_container 'ls -l /dev/ptmx; ls /dev/pts; stat -c "%t:%T" /dev/pts/ptmx'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/ptmx -> pts/ptmx"* ]]
	[[ "$output" == *"5:2"* ]]
}

@test "rootfs: tmpfs size, mode, nosuid, nodev, noexec, strictatime" {
	add_mount '{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","strictatime","mode=1777","size=1m"]}'
	in_container 'cat /proc/self/mountinfo; stat -c "mode=%a" /scratch'
	[ "$status" -eq 0 ]
	line=$(mount_line /scratch)
	# strictatime: no relatime/noatime; tmpfs shows no mode= for 1777
	[[ "$line" == *" rw,nosuid,nodev,noexec - tmpfs tmpfs rw,size=1024k"* ]]
	[[ "$line" != *relatime* ]]
	[[ "$output" == *"mode=1777"* ]]
}

@test "rootfs: noatime and nodiratime are applied" {
	add_mount '{"destination":"/na","type":"tmpfs","source":"tmpfs","options":["noatime","nodiratime"]}'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /na)" == *" rw,noatime,nodiratime "* ]]
}

@test "rootfs: superblock flags sync, dirsync, lazytime, mand and nosymfollow" {
	add_mount '{"destination":"/sb","type":"tmpfs","source":"tmpfs","options":["sync","dirsync","lazytime","mand","nosymfollow"]}'
	add_mount '{"destination":"/plain","type":"tmpfs","source":"tmpfs","options":["sync","async","mand","nomand"]}'
	in_container 'ln -s /etc /sb/link; ls /sb/link/; echo "follow=$?"; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /sb)" == *",nosymfollow - tmpfs tmpfs rw,sync,dirsync,mand,lazytime"* ]]
	[[ "$(mount_line /plain)" == *" - tmpfs tmpfs rw" ]]
	[[ "$output" == *"follow=1"* ]]
}

@test "rootfs: a read-only tmpfs refuses writes" {
	add_mount '{"destination":"/rofs","type":"tmpfs","source":"tmpfs","options":["ro"]}'
	in_container 'touch /rofs/x; echo "touch=$?"; grep " /rofs " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"touch=1"* ]]
	[[ "$output" == *" /rofs ro"* ]]
}

@test "rootfs: noexec blocks running a binary, exec allows it" {
	add_mount '{"destination":"/nx","type":"tmpfs","source":"tmpfs","options":["noexec"]}'
	add_mount '{"destination":"/ex","type":"tmpfs","source":"tmpfs","options":["noexec","exec"]}'
	in_container 'cp /bin/busybox /nx/busybox; cp /bin/busybox /ex/busybox; /ex/busybox echo ran-ex; /nx/busybox echo ran-nx; echo "nx=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"ran-ex"* ]]
	[[ "$output" != *"ran-nx"* ]]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" == *"nx=126"* ]]
}

@test "rootfs: tmpcopyup fills the new tmpfs with what the image had there, then ro" {
	mkdir -p "$BUNDLE/rootfs/run/sub"
	echo imagefile >"$BUNDLE/rootfs/run/sub/f"
	chmod 0711 "$BUNDLE/rootfs/run/sub"
	ln -s /etc/passwd "$BUNDLE/rootfs/run/link"
	add_mount '{"destination":"/run","type":"tmpfs","source":"tmpfs","options":["nosuid","tmpcopyup","ro"]}'
	in_container 'cat /run/sub/f; stat -c "%a" /run/sub; readlink /run/link; touch /run/x; echo "touch=$?"; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"imagefile"* ]]
	[[ "$output" == *"711"* ]]
	[[ "$output" == *"/etc/passwd"* ]]
	[[ "$output" == *"touch=1"* ]]
	[[ "$(mount_line /run)" == *" ro,nosuid"*" - tmpfs "* ]]
}

@test "rootfs: mount points are created, nested, inside the rootfs" {
	add_mount '{"destination":"/a/b/c","type":"tmpfs","source":"tmpfs"}'
	in_container 'grep " /a/b/c " /proc/self/mountinfo && stat -c %a /a/b'
	[ "$status" -eq 0 ]
	[[ "$output" == *"755"* ]]
	[ -d "$BUNDLE/rootfs/a/b/c" ]
}

@test "rootfs: a mount destination is cleaned lexically first (no stray directories)" {
	# "//mnt/./stray-x/../cleaned-vol/" is "/mnt/cleaned-vol": walking it raw would create /mnt/stray-x
	add_mount "{\"destination\":\"//mnt/./stray-x/../cleaned-vol/\",\"type\":\"bind\",\"source\":\"$HOSTVOL\",\"options\":[\"rbind\",\"rw\"]}"
	in_container 'echo cleaned > /mnt/cleaned-vol/file; cat /proc/self/mountinfo; ls -a /mnt'
	[ "$status" -eq 0 ]
	[ -n "$(mount_line /mnt/cleaned-vol)" ]
	[ "$(cat "$HOSTVOL/file")" = "cleaned" ]
	[ -d "$BUNDLE/rootfs/mnt/cleaned-vol" ]
	[ ! -e "$BUNDLE/rootfs/mnt/stray-x" ]
}

@test "rootfs: a bind-mounted host directory is written by the container and seen by the host" {
	add_mount "{\"destination\":\"/vol\",\"type\":\"bind\",\"source\":\"$HOSTVOL\",\"options\":[\"rbind\",\"rw\"]}"
	in_container 'echo from-container > /vol/file && cat /vol/file'
	[ "$status" -eq 0 ]
	[ "$(cat "$HOSTVOL/file")" = "from-container" ]
}

@test "rootfs: a relative bind source is relative to the bundle" {
	mkdir -p "$BUNDLE/relvol"
	echo relative >"$BUNDLE/relvol/f"
	add_mount '{"destination":"/rel","type":"bind","source":"relvol","options":["rbind","ro"]}'
	cd /
	in_container 'cat /rel/f'
	[ "$status" -eq 0 ]
	[ "$output" = "relative" ]
}

@test "rootfs: bind by option only (no type), read-only, nosuid" {
	echo hostdata >"$HOSTVOL/data"
	add_mount "{\"destination\":\"/robind\",\"source\":\"$HOSTVOL\",\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\"]}"
	in_container 'cat /robind/data; touch /robind/new; echo "touch=$?"; grep " /robind " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"hostdata"* ]]
	[[ "$output" == *"touch=1"* ]]
	[[ "$output" == *" /robind ro,nosuid,nodev"* ]]
	[ ! -e "$HOSTVOL/new" ]
}

@test "rootfs: a bind mount of a single file creates a file mount point" {
	echo single >"$TEST_TMP/onefile"
	add_mount "{\"destination\":\"/etc/onefile\",\"type\":\"bind\",\"source\":\"$TEST_TMP/onefile\",\"options\":[\"bind\",\"ro\"]}"
	in_container 'cat /etc/onefile; [ -f /etc/onefile ] && echo is-file'
	[ "$status" -eq 0 ]
	[[ "$output" == *"single"* ]]
	[[ "$output" == *"is-file"* ]]
}

@test "rootfs: rbind keeps submounts; rro makes all of them read-only, ro only the top" {
	mkdir -p "$HOSTVOL/sub"
	mount -t tmpfs -o size=1m strata-test-sub "$HOSTVOL/sub"
	add_mount "{\"destination\":\"/rro\",\"type\":\"bind\",\"source\":\"$HOSTVOL\",\"options\":[\"rbind\",\"rro\"]}"
	add_mount "{\"destination\":\"/topro\",\"type\":\"bind\",\"source\":\"$HOSTVOL\",\"options\":[\"rbind\",\"ro\"]}"
	in_container 'touch /rro/sub/x; echo "rro=$?"; touch /topro/sub/y; echo "topro=$?"; touch /topro/z; echo "top=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"rro=1"* ]]
	[[ "$output" == *"topro=0"* ]]
	[[ "$output" == *"top=1"* ]]
	[ -e "$HOSTVOL/sub/y" ]
	[ ! -e "$HOSTVOL/sub/x" ]
}

@test "rootfs: an idmapped bind mount shows the mapped owners" {
	echo idm >"$HOSTVOL/owned-by-0"
	chown 0:0 "$HOSTVOL/owned-by-0"
	add_mount "{\"destination\":\"/idm\",\"type\":\"bind\",\"source\":\"$HOSTVOL\",\"options\":[\"rbind\",\"idmap\"],
	           \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],
	           \"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":1}]}"
	in_container 'stat -c "%u:%g" /idm/owned-by-0; stat -c "%u:%g" /bin/busybox; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sed -n 1p)" = "1000:2000" ]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "0:0" ]
	[[ "$(mount_line /idm)" == *",idmapped "* ]]
	# the host still sees its own owner
	[ "$(stat -c %u:%g "$HOSTVOL/owned-by-0")" = "0:0" ]
}

@test "rootfs: idmap on a non-bind mount is refused" {
	add_mount '{"destination":"/idm","type":"tmpfs","source":"tmpfs","options":["idmap"]}'
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"idmapped mounts must be bind mounts"* ]]
}

@test "rootfs: per-mount propagation option (rshared, rprivate)" {
	add_mount '{"destination":"/shr","type":"tmpfs","source":"tmpfs","options":["rshared"]}'
	add_mount '{"destination":"/prv","type":"tmpfs","source":"tmpfs","options":["rprivate"]}'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /shr)" == *" shared:"* ]]
	[[ "$(mount_line /prv)" != *"shared:"* ]]
}

@test "rootfs: remount option changes an earlier mount" {
	add_mount '{"destination":"/rm","type":"tmpfs","source":"tmpfs"}'
	add_mount '{"destination":"/rm","type":"tmpfs","source":"tmpfs","options":["remount","ro","nosuid"]}'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /rm)" == *" ro,nosuid"* ]]
}

@test "rootfs: cgroup mount builds the per-hierarchy tree, read-only" {
	in_container 'ls /sys/fs/cgroup; cat /proc/self/mountinfo; touch /sys/fs/cgroup/x; echo "touch=$?"'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /sys/fs/cgroup)" == *" ro,nosuid,nodev,noexec"*" - tmpfs "* ]]
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = "cgroup2fs" ]; then
		[[ "$(mount_line /sys/fs/cgroup)" == *" - cgroup2 "* ]]
	else
		# every v1 hierarchy mounted on the host is there, plus unified
		for d in $(awk '$9 == "cgroup" && $5 ~ "^/sys/fs/cgroup/" {print $5}' /proc/self/mountinfo); do
			[[ "$(mount_line "$d")" == *" ro,nosuid,nodev,noexec"*" - cgroup "* ]]
		done
		if mountpoint -q /sys/fs/cgroup/unified; then
			[[ "$(mount_line /sys/fs/cgroup/unified)" == *" - cgroup2 "* ]]
		fi
		[[ "$output" == *"touch=1"* ]]
	fi
}

@test "rootfs: with a cgroup namespace the mounted hierarchy's root is the container's cgroup" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = "cgroup2fs" ] && skip "v1 layout only"
	in_container 'cat /sys/fs/cgroup/pids/cgroup.procs'
	[ "$status" -eq 0 ]
	# the root of the container's view holds the container's own processes
	[[ "$output" == *"1"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -lt 10 ]
}

@test "rootfs: without a cgroup namespace the container's own cgroup is bind-mounted" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" = "cgroup2fs" ] && skip "v1 layout only"
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
	in_container 'cat /proc/self/mountinfo; cat /sys/fs/cgroup/pids/cgroup.procs'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /sys/fs/cgroup/pids)" == *" - cgroup "* ]]
	[ "$(printf '%s\n' "$output" | grep -cx '[0-9]*')" -lt 10 ]
}

@test "rootfs: default devices, /dev symlinks" {
	in_container 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a %u:%g" /dev/$d; done; ls -l /dev'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3 666 0:0"* ]]
	[[ "$output" == *"/dev/zero character special file 1:5 666 0:0"* ]]
	[[ "$output" == *"/dev/full character special file 1:7 666 0:0"* ]]
	[[ "$output" == *"/dev/random character special file 1:8 666 0:0"* ]]
	[[ "$output" == *"/dev/urandom character special file 1:9 666 0:0"* ]]
	[[ "$output" == *"/dev/tty character special file 5:0 666 0:0"* ]]
	[[ "$output" == *"fd -> /proc/self/fd"* ]]
	[[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
	[[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
	[[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
	[[ "$output" == *"ptmx -> pts/ptmx"* ]]
}

@test "rootfs: linux.devices node with major/minor/mode/owner, and a fifo" {
	update_config '.linux.devices = [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":384,"uid":7,"gid":9},
	                                 {"path":"/dev/sub/fifo","type":"p","fileMode":420},
	                                 {"path":"/dev/myloop","type":"b","major":7,"minor":200},
	                                 {"path":"/dev/unbuf","type":"u","major":1,"minor":5}]'
	in_container 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull /dev/sub/fifo /dev/myloop /dev/unbuf'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/mynull character special file 1:3 600 7:9"* ]]
	[[ "$output" == *"/dev/sub/fifo fifo 0:0 644 0:0"* ]]
	[[ "$output" == *"/dev/myloop block special file 7:c8 666 0:0"* ]]
	[[ "$output" == *"/dev/unbuf character special file 1:5 666 0:0"* ]]
}

@test "rootfs: maskedPaths hide a file (empty) and a directory (empty, read-only)" {
	mkdir -p "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/s"
	echo secret >"$BUNDLE/rootfs/secretfile"
	update_config '.linux.maskedPaths += ["/secretdir", "/secretfile", "/does/not/exist"]'
	in_container 'echo "[$(cat /secretfile)]"; ls -A /secretdir | wc -l; touch /secretdir/x; echo "touch=$?"; cat /proc/keys | wc -c'
	[ "$status" -eq 0 ]
	[[ "$output" == *"[]"* ]]
	! printf '%s\n' "$output" | grep -qx secret
	[[ "$output" == *"touch=1"* ]]
	[ "$(printf '%s\n' "$output" | sed -n 2p)" = "0" ]
}

@test "rootfs: readonlyPaths are read-only, other flags kept" {
	mkdir -p "$BUNDLE/rootfs/rodir"
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/rodir"]'
	in_container 'touch /rodir/x; echo "ro=$?"; touch /rw-ok && echo rw-ok; echo 1 > /proc/sys/kernel/domainname; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"ro=1"* ]]
	[[ "$output" == *"rw-ok"* ]]
	[[ "$(mount_line /rodir)" == *" ro"* ]]
	[[ "$(mount_line /proc/sys)" == *" ro,"* ]]
}

@test "rootfs: root.readonly makes / read-only, false leaves it writable" {
	update_config '.root.readonly = true'
	in_container 'touch /x; echo "touch=$?"; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"touch=1"* ]]
	[[ "$(mount_line /)" == *" / ro,"* ]]
	update_config '.root.readonly = false'
	in_container 'touch /x && echo touched'
	[ "$status" -eq 0 ]
	[[ "$output" == *"touched"* ]]
}

@test "rootfs: rootfsPropagation shared, private, unbindable" {
	update_config '.linux.rootfsPropagation = "shared"'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /)" == *" shared:"* ]]
	update_config '.linux.rootfsPropagation = "private"'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /)" != *"shared:"* ]]
	[[ "$(mount_line /)" != *"master:"* ]]
	update_config '.linux.rootfsPropagation = "runbindable"'
	in_container 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$(mount_line /)" == *" unbindable "* ]]
	update_config '.linux.rootfsPropagation = "bogus"'
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"rootfsPropagation"* ]]
}

@test "rootfs: --no-pivot moves the rootfs onto / and chroots" {
	set_args sh -c 'ls /bin/busybox && head -1 /proc/self/mountinfo'
	run $STRATA run --no-pivot --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"/bin/busybox"* ]]
}

@test "rootfs: sysctl net.ipv4.ip_forward in a new network namespace" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}'
	in_container 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | tr '\n' ' ')" = "1 1234 " ]
	# the host is untouched
	[ "$(cat /proc/sys/kernel/shmmni)" != "1234" ]
}

@test "rootfs: a sysctl outside the container's namespaces is refused" {
	update_config '.linux.sysctl = {"kernel.core_pattern": "|/bin/evil"}'
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"kernel.core_pattern"*"not in a separate kernel namespace"* ]]
	update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	in_container 'true'
	[ "$status" -ne 0 ]
	[[ "$output" == *"not allowed in the host's network namespace"* ]]
}

@test "rootfs: a user namespace gets bind-mounted host device nodes" {
	update_config '.linux.namespaces += [{"type":"user"}] |
		.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] |
		.linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	# the mapped root must reach the state dir (exec fifo) under mktemp's 0700 dir
	chmod 0755 "$TEST_TMP"
	in_container 'cat /proc/self/uid_map; stat -c "%n %t:%T" /dev/null /dev/tty; echo x > /dev/null && echo ok; cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null 1:3"* ]]
	[[ "$output" == *"/dev/tty 5:0"* ]]
	[[ "$output" == *"ok"* ]]
	[[ "$(mount_line /dev/null)" == *" - devtmpfs "* ]]
}
