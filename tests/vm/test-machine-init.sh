#!/bin/busybox sh
# test-machine-init.sh - PID 1 of the level-1 test machine (see test-machine.sh).
/bin/busybox mkdir -p /usr/bin /sbin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
	insmod /modules/$m.ko 2>/dev/null || insmod /modules/$m.ko.xz 2>/dev/null || echo "init: insmod $m failed"
done
fail() {
	echo "test-machine init: $*"
	echo "test-machine init: $*" >> /scratch/out 2>/dev/null
	echo 125 > /scratch/rc 2>/dev/null
	poweroff -f
}
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch /scratch || fail "mount scratch"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /host || fail "mount host root"
read boot_s _ < /proc/uptime
echo "$boot_s" > /scratch/boot_s
[ -c /dev/kvm ] || fail "no /dev/kvm inside the test machine (kvm_amd did not load)"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mkdir -p /host/tmp/scratch
mount --bind /scratch /host/tmp/scratch
i=0
while read -r d; do
	[ -n "$d" ] || continue
	mkdir -p "/host$d" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 rw$i "/host$d" || fail "mount $d"
	i=$((i + 1))
done < /scratch/rw
cwd=$(cat /scratch/cwd)
chroot /host /bin/sh -c "cd '$cwd' 2>/dev/null || cd /; $(cat /scratch/cmd)" > /scratch/out 2>&1
echo $? > /scratch/rc
sync
poweroff -f
