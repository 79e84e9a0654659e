#!/usr/bin/env bats
# compare.bats - `strata compare` (issue 7): the JSON report, the Markdown
# table, the SVG chart, skipped levels and peers, and that the user's bundle
# is left as it was.  Runs real containers from the busybox bundle.

load helpers

setup() {
	setup_bundle
	command -v xmllint >/dev/null || true
}

teardown() {
	teardown_bundle
}

# No runner process, container or temporary mount may outlive compare.
assert_nothing_left() {
	! pgrep -f -- "--root /tmp/strata-compare\\." >/dev/null
	! grep -q "strata-compare" /proc/self/mountinfo
}

@test "compare --runs 1 --json: every figure for every built level; the bundle is untouched" {
	before=$(sha256sum <"$BUNDLE/config.json")
	top_before=$(ls -a "$BUNDLE/rootfs")
	$STRATA compare --bundle "$BUNDLE" --runs 1 --peers "" --json >"$TEST_TMP/out.json" 2>"$TEST_TMP/err"
	json=$TEST_TMP/out.json
	jq -e . "$json" >/dev/null
	[ "$(jq -r .runs "$json")" = 1 ]
	# native always runs; every level is either ok with all 7 figures, or skipped with a reason
	[ "$(jq -r '.subjects[] | select(.name == "native") | .status' "$json")" = ok ]
	[ "$(jq -r '[.subjects[].name] | join(",")' "$json")" = "native,sentry,vm" ]
	jq -e '[.subjects[] | select(.status == "ok") | .figures
		| (keys | sort) == (["forkexec_us","getpid_ns","memory_mib","open_us","pipe_mibs","seqread_mibs","start_ms"])
		  and ([.[] | (.samples | length) == 1 and (.median | type) == "number" and .error == null] | all)]
		| all' "$json"
	jq -e '[.subjects[] | select(.status == "skipped") | (.reason | length) > 0] | all' "$json"
	for s in $(jq -r '.subjects[] | select(.status == "skipped") | .name' "$json"); do
		grep -q "strata compare: $s: skipped: " "$TEST_TMP/err"
	done
	# ratios are relative to native
	[ "$(jq -r '.subjects[0].figures.getpid_ns.ratio_to_native' "$json")" = 1 ]
	# the probe ran at every level that ran, with the full list
	jq -e '[.subjects[] | select(.status == "ok") | (.probe.probes | length) == 16 and .probe.syscalls.probed == 451] | all' "$json"
	# the user's bundle: same config bytes, nothing created in its rootfs
	[ "$(sha256sum <"$BUNDLE/config.json")" = "$before" ]
	[ "$(ls -a "$BUNDLE/rootfs")" = "$top_before" ]
	assert_nothing_left
}

@test "compare: a native container cannot reach the host's files, processes or sockets" {
	$STRATA compare --bundle "$BUNDLE" --runs 1 --levels native --peers "" --json >"$TEST_TMP/out.json"
	for p in host_file_dotdot host_file_proc1_root host_file_symlink host_processes ptrace_outside \
		host_abstract_socket mount raw_socket; do
		r=$(jq -r --arg p "$p" '.subjects[0].probe.probes[] | select(.name == $p) | .result' "$TEST_TMP/out.json")
		echo "$p: $r"
		[ "$r" = blocked ]
	done
	# the surface count is a count of handlers reached, so never zero natively
	[ "$(jq -r '.subjects[0].probe.syscalls.reachable' "$TEST_TMP/out.json")" -gt 100 ]
}

@test "compare: the Markdown table has every row, --plot writes an SVG, a missing peer is skipped" {
	PATH=/nonexistent $STRATA compare --bundle "$BUNDLE" --runs 1 --levels native --peers runsc \
		--plot "$TEST_TMP/chart.svg" >"$TEST_TMP/out.md" 2>"$TEST_TMP/err"
	cat "$TEST_TMP/out.md"
	grep -q '^| figure | native |$' "$TEST_TMP/out.md"
	for row in 'start latency' 'syscall round trip (getpid), ns' 'file open+read+close' 'sequential read, 64 MiB' \
		'pipe throughput' 'fork+exec+wait' 'runtime memory, idle container (PSS), MiB' \
		'read a host file by `..`' 'see a host process' 'load a kernel module' 'io_uring_setup' \
		'syscall numbers 0..450 that reach a handler (not ENOSYS)'; do
		grep -qF "| $row" "$TEST_TMP/out.md"
	done
	grep -q '^- runsc: skipped: not installed' "$TEST_TMP/out.md"
	grep -q 'runsc: skipped: not installed' "$TEST_TMP/err"
	[ -s "$TEST_TMP/chart.svg" ]
	if command -v xmllint >/dev/null; then
		xmllint --noout "$TEST_TMP/chart.svg"
	fi
	grep -q '^<svg ' "$TEST_TMP/chart.svg"
	tail -1 "$TEST_TMP/chart.svg" | grep -q '^</svg>$'
}

@test "compare: bad flags are one-line errors" {
	run $STRATA compare --bundle "$BUNDLE" --levels native,bogus
	[ "$status" -eq 1 ]
	[[ "$output" == *'invalid value `bogus` for flag -levels'* ]]
	run $STRATA compare --bundle "$BUNDLE" --runs 0
	[ "$status" -eq 1 ]
	run $STRATA compare --bundle "$TEST_TMP/no-such-bundle" --levels native --peers ""
	[ "$status" -eq 1 ]
	[[ "$output" == *"no-such-bundle/config.json"* ]]
	run $STRATA compare --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--levels"* ]]
}
