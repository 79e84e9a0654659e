#!/usr/bin/env bats
# A Debian 12 minbase rootfs (debootstrap, cached under /var/cache/strata) runs
# bash and glibc programs, not only busybox.

load helpers

setup() {
	[ -x "$STRATA_BIN" ] || skip "strata is not built"
	DEBIAN_ROOTFS=$(bash "$REPO_DIR/tests/fixtures/debian-rootfs.sh") || skip "no Debian mirror reachable for debootstrap"
	TEST_TMP=$(mktemp -d /tmp/strata-test.XXXXXX)
	STRATA_ROOT="$TEST_TMP/root"
	BUNDLE="$TEST_TMP/bundle"
	mkdir -p "$STRATA_ROOT" "$BUNDLE"
	STRATA="$STRATA_BIN --root $STRATA_ROOT"
	"$STRATA_BIN" spec --bundle "$BUNDLE" >/dev/null
	# The cached rootfs is shared by every run: use it read-only by absolute path.
	update_config ".process.terminal = false | .root.path = \"$DEBIAN_ROOTFS\" | .root.readonly = true"
}

teardown() { teardown_bundle; }

@test "debian: bash reads /etc/os-release" {
	set_args bash -c 'cat /etc/os-release'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'* ]]
}

@test "debian: glibc programs see the configured user and exit status" {
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	set_args bash -c 'id -u; id -g; exit 42'
	run $STRATA run --bundle "$BUNDLE" "$(rand_id)"
	[ "$status" -eq 42 ]
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = 65534 ]
}
