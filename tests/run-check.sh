#!/usr/bin/env bash
# run-check.sh BUILD - the body of `make check` after the build: fixtures,
# unit tests, ASan+UBSan unit tests, the bats integration suites.
# The last line is "N passed, M failed" over every test case that ran.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
total_p=0; total_f=0; total_s=0
count() { # count LOGFILE: add the last "X: N passed, M failed" line of LOGFILE to the totals
	local line
	line=$(grep -E ': [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then total_f=$((total_f + 1)); return; fi
	total_p=$((total_p + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
	total_f=$((total_f + $(sed -E 's/.*passed, ([0-9]+) failed.*/\1/' <<<"$line")))
}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

echo "== fixtures"
bash tests/fixtures/busybox-bundle.sh "$build/strata" >/dev/null || { echo "fixtures: busybox bundle failed"; total_f=$((total_f + 1)); }
# The vm level's guest kernel (cached by source version and config hash; ~5 min once).
bash kvm-shim/kernel/build-kernel.sh >/dev/null || { echo "fixtures: guest kernel build failed"; total_f=$((total_f + 1)); }

echo "== unit tests"
make --no-print-directory unit 2>&1 | tee "$logs/unit"
count "$logs/unit"

echo "== unit tests under ASan+UBSan"
make --no-print-directory unit-asan 2>&1 | tee "$logs/asan"
count "$logs/asan"

echo "== integration tests (bats)"
suites=$(ls tests/integration/*.bats 2>/dev/null | sort)
if [ -n "$suites" ]; then
	STRATA_BIN="$PWD/$build/strata" bats --tap $suites 2>&1 | tee "$logs/bats"
	bp=$(grep -E '^ok ' "$logs/bats" | grep -vc '# skip')
	bs=$(grep -E '^ok ' "$logs/bats" | grep -c '# skip')
	bf=$(grep -cE '^not ok ' "$logs/bats")
	echo "bats: $bp passed, $bf failed, $bs skipped" | tee -a "$logs/bats"
	total_s=$((total_s + bs))
	count "$logs/bats"
fi
if [ "$total_s" -gt 0 ]; then echo "$total_p passed, $total_f failed, $total_s skipped"; else echo "$total_p passed, $total_f failed"; fi
[ "$total_f" -eq 0 ]
