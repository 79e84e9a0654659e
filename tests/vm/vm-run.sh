#!/bin/bash
# vm-run.sh STRATA BUNDLE ID - run a bundle at the vm level inside the test
# machine (tests/vm/test-machine.sh): mounts cgroup2 where none is mounted and
# keeps the state root on tmpfs (9p cannot hold the exec FIFO).
set -u
strata=${1:?usage: vm-run.sh STRATA BUNDLE ID}; bundle=${2:?}; id=${3:?}
grep -q cgroup2 /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
root=$(mktemp -d /tmp/strata-vm-run.XXXXXX)
"$strata" --root "$root" --isolation vm run --bundle "$bundle" "$id"
rc=$?
rm -rf "$root"
exit $rc
