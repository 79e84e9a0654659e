#!/bin/bash
# build-kernel.sh - build strata's minimal microVM guest kernel.
#
# Source: Debian's linux-source-6.1 package (/usr/src/linux-source-6.1.tar.xz).
# Config: `make tinyconfig` + kvm-shim/kernel/strata-guest.config, merged with
# the kernel's scripts/kconfig/merge_config.sh, then `make olddefconfig`.
# Output: $STRATA_KERNEL_CACHE/<source version>-<config sha256>/{vmlinux,bzImage,config}
# (default cache /var/cache/strata/kernel).  When that directory already has a
# vmlinux the build is skipped.  Prints the vmlinux path on the last line.
#
# Usage: build-kernel.sh [-j N]      (default -j2, run under nice -n 19)
# Needs: linux-source-6.1 flex bison bc libelf-dev libssl-dev cpio xz-utils
set -euo pipefail

jobs=2
if [ "${1:-}" = "-j" ] && [ -n "${2:-}" ]; then jobs=$2; fi

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/strata-guest.config
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${STRATA_KERNEL_CACHE:-/var/cache/strata/kernel}

if [ ! -r "$tarball" ]; then
	echo "build-kernel.sh: $tarball missing: apt-get install linux-source-6.1" >&2
	exit 1
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo unknown)
cfghash=$(sha256sum "$fragment" | cut -c1-16)
out=$cache/6.1-$srcver-$cfghash
if [ -s "$out/vmlinux" ]; then
	echo "$out/vmlinux"
	exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-kernel.sh: extracting $tarball into $work" >&2
tar -C "$work" -xf "$tarball"
src=$work/linux-source-6.1
cd "$src"
nice -n 19 make -s tinyconfig >&2
KCONFIG_CONFIG=.config ./scripts/kconfig/merge_config.sh -m .config "$fragment" >&2
nice -n 19 make -s olddefconfig >&2
# Every line of the fragment must have survived (a dependency missing from the
# fragment silently drops a symbol otherwise).
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=y) ;; *) continue ;; esac
	if ! grep -qx "$line" .config; then
		echo "build-kernel.sh: warning: $line did not survive olddefconfig" >&2
		missing=1
	fi
done < "$fragment"
echo "build-kernel.sh: building vmlinux with -j$jobs (nice 19)" >&2
nice -n 19 make -s -j"$jobs" vmlinux bzImage >&2
mkdir -p "$out.tmp"
cp vmlinux "$out.tmp/vmlinux"
cp arch/x86/boot/bzImage "$out.tmp/bzImage"
cp .config "$out.tmp/config"
echo "$missing" > "$out.tmp/missing-symbols"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out/vmlinux"
