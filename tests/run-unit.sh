#!/usr/bin/env bash
# run-unit.sh BUILD BIN... - run cmocka unit test binaries, print their
# output, and finish with "unit: N passed, M failed" (counts of test cases).
set -u
build=$1; shift
passed=0; failed=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $t exited $rc without a cmocka summary (crash or sanitizer report)"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
done
echo "unit ($build): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
