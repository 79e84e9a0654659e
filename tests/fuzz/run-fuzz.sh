#!/usr/bin/env bash
# run-fuzz.sh [SECONDS] - build the config.json fuzz target into build-fuzz/
# with clang (libFuzzer + ASan + UBSan) and run it for SECONDS (default 300).
#
# Seeds come from tests/fuzz/corpus/ (read-only); new interesting inputs are
# kept in build-fuzz/corpus/ between runs.  A crash, leak, sanitizer report or
# timeout leaves its input in build-fuzz/artifacts/ and makes this script exit
# non-zero.  The last line is a one-line summary (execs, coverage, result).
set -euo pipefail

secs=${1:-300}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/build-fuzz
cd "$top"

cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "run-fuzz: $cc not found (apt-get install clang)" >&2; exit 2; }

mkdir -p "$out/corpus" "$out/artifacts"
# Only what the parser needs: the error/file helpers and oci-spec/.
srcs=(tests/fuzz/fuzz_config.c common/error.c common/util.c common/path.c oci-spec/*.c)
echo "run-fuzz: building $out/fuzz_config"
"$cc" -std=gnu11 -g -O1 -D_GNU_SOURCE= -I. $(pkg-config --cflags yajl) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Wno-macro-redefined \
	"${srcs[@]}" $(pkg-config --libs yajl) -o "$out/fuzz_config"

log=$out/fuzz.log
echo "run-fuzz: fuzzing for ${secs}s (log: $log)"
set +e
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
"$out/fuzz_config" \
	-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
	-dict="$here/config.dict" -artifact_prefix="$out/artifacts/" \
	-print_final_stats=1 \
	"$out/corpus" "$here/corpus" >"$log" 2>&1
rc=$?
set -e

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR:|SUMMARY:|runtime error|Test unit written' "$log" | head -20 >&2
	echo "fuzz: FAILED (exit $rc) after ${execs:-?} execs, ${cov:-cov ?}; see $log and $out/artifacts/"
	exit 1
fi
echo "fuzz: ok, ${secs}s, ${execs:-?} execs, ${cov:-cov ?}, ${corpus:-corp ?}, no crash/leak/sanitizer report"
