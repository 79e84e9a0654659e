#!/usr/bin/env bash
# bench/run.sh STRATA - `make bench`: the start cost of a whole container life
# cycle, `strata run` of /bin/true against `runc run`, `crun run` (and
# `runsc run` when installed) on the same bundle, side by side with hyperfine,
# printed as ratios to strata.  Benchmarks are not tests: this prints figures
# and never fails on them.
#
# crun 1.8 refuses this host's hybrid cgroup layout (v1 controllers plus a
# unified hierarchy that has controllers).  So there are two comparisons:
#   A. the host as it is: strata, runc, runsc;
#   B. inside a private mount namespace where the v1 hierarchies are detached
#      and /sys/fs/cgroup is the cgroup2 hierarchy alone (crun with
#      --cgroup-manager=disabled): strata, runc and crun in the same setting
#      (if strata cannot run there, crun's ratio to strata is bridged through
#      runc, which runs in both).
#
# Environment: BENCH_RUNS (default 30), BENCH_WARMUP (default 3),
# STRATA_DEFAULT_BUNDLE (the bundle to copy; default: the one `make demo` builds).
set -euo pipefail
strata=$(realpath "${1:?usage: bench/run.sh STRATA-BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}

command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed (make deps)"; exit 1; }
if [ -n "${STRATA_DEFAULT_BUNDLE:-}" ]; then
	src=$STRATA_DEFAULT_BUNDLE
else
	src=$(bash "$repo/tests/fixtures/busybox-bundle.sh" "$strata")
fi

work=$(mktemp -d /tmp/strata-bench.XXXXXX)
cleanup() {
	for rt in strata runc crun runsc; do
		[ -d "$work/root-$rt" ] || continue
		for id in $(ls "$work/root-$rt" 2>/dev/null); do
			case $rt in
			strata) "$strata" --root "$work/root-$rt" delete --force "$id" ;;
			*) "$rt" --root "$work/root-$rt" delete --force "$id" ;;
			esac >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The same bundle for everyone: the source bundle's config with /bin/true,
# no terminal, the rootfs by its resolved absolute path (runc refuses a
# symlink), and ociVersion 1.0.2 (the newest crun 1.8 accepts).
rootfs=$(jq -r .root.path "$src/config.json")
case $rootfs in /*) ;; *) rootfs="$src/$rootfs" ;; esac
rootfs=$(realpath "$rootfs")
mkdir -p "$work/bundle"
jq --arg r "$rootfs" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] | .root.path = $r' \
	"$src/config.json" >"$work/bundle/config.json"
b=$work/bundle

cmd_strata="$strata --root $work/root-strata run --bundle $b bench-strata"
cmd_runc="runc --root $work/root-runc run --bundle $b bench-runc"
cmd_crun="crun --root $work/root-crun --cgroup-manager=disabled run --bundle $b bench-crun"
cmd_runsc="runsc --root $work/root-runsc --network=none --ignore-cgroups run --bundle $b bench-runsc"

# ratios FILE.json: each command's median (and mean ± sd) and its ratio to the
# first command's median.  Medians, because on a shared machine a few slow
# outliers move the mean.
ratios() {
	jq -r '.results as $r | $r[0].median as $base
		| $r[] | "  \(.command | split(" ")[0] | split("/")[-1] | .[0:8])\tmedian \(.median * 1000 | . * 10 | round / 10) ms"
		  + "  (mean \(.mean * 1000 | . * 10 | round / 10) ± \(.stddev * 1000 | . * 10 | round / 10))"
		  + "\t×\(.median / $base | . * 100 | round / 100)"' "$1"
}

echo "bench: bundle $src (rootfs $rootfs), /bin/true, $runs runs after $warmup warm-up runs"
echo
echo "== A. the host as it is (hybrid cgroups): strata vs runc$(command -v runsc >/dev/null && echo ' vs runsc')"
set -- "$cmd_strata" "$cmd_runc"
command -v runsc >/dev/null && set -- "$@" "$cmd_runsc"
if hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$work/a.json" "$@" >"$work/a.log" 2>&1; then
	ratios "$work/a.json"
else
	echo "  hyperfine failed:"; tail -5 "$work/a.log" | sed 's/^/  /'
fi

echo
echo "== B. a private mount namespace whose /sys/fs/cgroup is cgroup2 alone, with crun"
echo "   (crun 1.8 refuses the host's hybrid cgroups; it runs there with --cgroup-manager=disabled)"
in_v2ns() { # in_v2ns CMD ARGS...: run a command in such a namespace
	unshare -m bash -c 'mount --make-rprivate / && umount -l /sys/fs/cgroup &&
		mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' _ "$@"
}
if ! command -v crun >/dev/null; then
	echo "  crun is not installed"
else
	set -- "$cmd_runc" "$cmd_crun"
	# shellcheck disable=SC2086 # the command strings are split on purpose (no spaces in paths)
	if in_v2ns $cmd_strata >/dev/null 2>&1; then
		set -- "$cmd_strata" "$@"
		strata_in_b=1
	else
		strata_in_b=0
		echo "   strata cannot run in that namespace ($(in_v2ns $cmd_strata 2>&1 | tail -1 | cut -c1-160))"
		echo "   so crun is compared with runc there, and with strata through runc's ratio in A"
	fi
	if in_v2ns hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$work/b.json" "$@" >"$work/b.log" 2>&1; then
		ratios "$work/b.json"
		if [ "$strata_in_b" = 0 ] && [ -s "$work/a.json" ]; then
			jq -rn --slurpfile a "$work/a.json" --slurpfile b "$work/b.json" '
				($a[0].results[0].median) as $strata | ($a[0].results[1].median) as $runc_a
				| ($b[0].results[0].median) as $runc_b | ($b[0].results[1].median) as $crun_b
				| "  crun / strata ≈ (crun/runc in B) × (runc/strata in A) = ×\($crun_b / $runc_b * $runc_a / $strata | . * 100 | round / 100)"'
		fi
	else
		echo "  hyperfine failed:"; tail -5 "$work/b.log" | sed 's/^/  /'
	fi
fi
echo
echo "(ratio = median time / the first command's median (strata in A, strata or runc in B); below 1 is faster)"
