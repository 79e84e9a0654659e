# helpers.bash - shared setup for the bats integration suites.
#
#   load helpers
#   setup()    { setup_bundle; }
#   teardown() { teardown_bundle; }
#
# Provides:
#   $STRATA          the built binary plus `--root $STRATA_ROOT` (a per-test state root)
#   $STRATA_BIN      the binary alone
#   $BUNDLE          a temporary bundle: rootfs/ (a copy of the cached busybox rootfs)
#                    and config.json from `strata spec`, terminal off
#   update_config JQ edit $BUNDLE/config.json in place with a jq expression
#   set_args ARG...  set .process.args
#   teardown_bundle  delete every container left under $STRATA_ROOT (delete --force),
#                    then the temporary directories
#   host_mounts      the host's mount table (for leak checks)
#   rand_id          a fresh container id

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$TESTS_DIR/.." && pwd)
. "$REPO_DIR/tests/fixtures/cache.sh"
STRATA_BIN=${STRATA_BIN:-$REPO_DIR/build/strata}
BUSYBOX_ROOTFS=$(busybox_rootfs_dir)

setup_bundle() {
	[ -x "$STRATA_BIN" ] || skip "strata is not built ($STRATA_BIN)"
	[ -x "$BUSYBOX_ROOTFS/bin/busybox" ] || bash "$REPO_DIR/tests/fixtures/busybox-rootfs.sh" "$BUSYBOX_ROOTFS"
	TEST_TMP=$(mktemp -d /tmp/strata-test.XXXXXX)
	STRATA_ROOT="$TEST_TMP/root"
	BUNDLE="$TEST_TMP/bundle"
	mkdir -p "$STRATA_ROOT" "$BUNDLE"
	cp -a "$BUSYBOX_ROOTFS" "$BUNDLE/rootfs"
	STRATA="$STRATA_BIN --root $STRATA_ROOT"
	"$STRATA_BIN" spec --bundle "$BUNDLE" >/dev/null
	update_config '.process.terminal = false'
	export STRATA STRATA_ROOT BUNDLE TEST_TMP
}

update_config() {
	local tmp
	tmp=$(mktemp "$BUNDLE/config.json.XXXXXX")
	jq "$1" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# set_args ARG...: the container's argv
set_args() {
	local json
	json=$(jq -cn '$ARGS.positional' --args -- "$@")
	update_config ".process.args = $json"
}

rand_id() { echo "t$$-$RANDOM$RANDOM"; }

host_mounts() { awk '{print $5}' /proc/self/mountinfo | sort; }

teardown_bundle() {
	if [ -n "${STRATA_ROOT:-}" ] && [ -d "$STRATA_ROOT" ]; then
		local id
		for id in $(ls "$STRATA_ROOT" 2>/dev/null); do
			"$STRATA_BIN" --root "$STRATA_ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	[ -n "${TEST_TMP:-}" ] && rm -rf "$TEST_TMP"
	return 0
}
