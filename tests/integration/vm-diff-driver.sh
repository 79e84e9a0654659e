#!/bin/sh
# vm-diff-driver.sh CMDS OUT - runs INSIDE one container (busybox sh) for the
# vm-level differential in vm_level.bats: every line of CMDS that is not
# empty, not a comment and not an `@own` line runs as `sh -c LINE` with
# stdin from /dev/null; its stdout, stderr and exit status land in
# OUT/N.out, OUT/N.err and OUT/N.rc (N counts the lines run, from 1), and
# OUT/count holds the number of lines when all have run.  OUT is a host
# directory bind-mounted into the container, so at the vm level every result
# comes back through virtio-9p.  The same driver runs at the native and at the
# vm level: the pid namespace and the identical sequence of forks keep pids
# equal on both sides.
cmds=$1 out=$2
n=0
while IFS= read -r line; do
	case "$line" in '' | '#'* | '@own '*) continue ;; esac
	n=$((n + 1))
	sh -c "$line" </dev/null >"$out/$n.out" 2>"$out/$n.err"
	echo $? >"$out/$n.rc"
done <"$cmds"
echo "$n" >"$out/count"
