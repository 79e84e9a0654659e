#!/usr/bin/env bats
# features.bats - `strata features` (runtime-spec features.md) and the
# `--version` shape go-runc parses (client-contract.md §3.3).

load helpers

setup() { [ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"; }

@test "features: a runtime-spec features document" {
	run "$STRATA_BIN" features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.3.0"'
	echo "$output" | jq -e '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
	echo "$output" | jq -e '.linux.cgroup.v1 and .linux.cgroup.v2'
	echo "$output" | jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_ERRNO"))'
	echo "$output" | jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ")'
	echo "$output" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")'
	echo "$output" | jq -e '.linux | has("apparmor") and has("selinux") and has("intelRdt")'
}

@test "features: mount options are the ones the parser implements" {
	run "$STRATA_BIN" features
	[ "$status" -eq 0 ]
	# CRI advertises recursive read-only mounts from "rro"
	for o in rro rbind ro rw nosuid rprivate rshared tmpcopyup; do
		echo "$output" | jq -e --arg o "$o" '.mountOptions | index($o)' >/dev/null
	done
	# filesystem data is not an option of the runtime's own
	! echo "$output" | jq -e '.mountOptions | index("mode=755")'
	! echo "$output" | jq -e '.mountOptions | index("size")'
}

@test "features: capabilities follow the running kernel" {
	run "$STRATA_BIN" features
	[ "$status" -eq 0 ]
	last=$(cat /proc/sys/kernel/cap_last_cap)
	[ "$(echo "$output" | jq '.linux.capabilities | length')" -eq $((last + 1)) ]
	[ "$(echo "$output" | jq -r '.linux.capabilities[0]')" = CAP_CHOWN ]
	echo "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")'
}

@test "features: namespaces the kernel has" {
	run "$STRATA_BIN" features
	for ns in pid network mount ipc uts user cgroup; do
		echo "$output" | jq -e --arg n "$ns" '.linux.namespaces | index($n)' >/dev/null
	done
	if [ -e /proc/self/ns/time ]; then echo "$output" | jq -e '.linux.namespaces | index("time")'; fi
}

@test "features: annotations with versions and isolation levels" {
	run "$STRATA_BIN" features
	echo "$output" | jq -e '.annotations["io.strata.version"] | length > 0'
	echo "$output" | jq -e '.annotations["io.strata.commit"] | length > 0'
	echo "$output" | jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")'
	echo "$output" | jq -e '.annotations["io.strata.isolation-levels"] | split(",") | index("native")'
}

@test "features: seccomp supportedFlags is a subset of knownFlags" {
	run "$STRATA_BIN" features
	echo "$output" | jq -e '.linux.seccomp as $s | ($s.supportedFlags - $s.knownFlags) == []'
}

@test "features: extra arguments are refused" {
	run "$STRATA_BIN" features extra
	[ "$status" -ne 0 ]
}

@test "--version: go-runc's shape (X version V / key: value)" {
	run "$STRATA_BIN" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^strata\ version\ [^\ ]+$ ]]
	[[ "${lines[1]}" =~ ^commit:\ .+ ]]
	[ "${lines[2]}" = "spec: 1.3.0" ]
	for l in "${lines[@]:1}"; do [[ "$l" == *": "* ]]; done
}
