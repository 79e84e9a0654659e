#!/usr/bin/env bash
# image.sh - OCI image archives built locally from the busybox rootfs, for
# clients that need images while no registry is reachable
# (client-contract.md "Images without a registry").
#
#   source tests/clients/image.sh
#   oci_image_archive ROOTFS NAME OUT.tar [CMD-JSON]
#       writes an OCI image layout (one uncompressed layer) as a tar, whose
#       index names NAME (full name, e.g. localhost/busybox:latest) in
#       org.opencontainers.image.ref.name; `ctr images import` takes it.
#   rootfs_tar ROOTFS OUT.tar     the rootfs as a plain tar (podman import)
# Only coreutils, tar and jq are used: digests are sha256sum of the blobs.

IMAGE_PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

_blob() { # _blob DIR FILE -> moves FILE into DIR/blobs/sha256/<digest>, prints "digest size"
	local dir=$1 file=$2 d s
	d=$(sha256sum "$file" | cut -d' ' -f1)
	s=$(stat -c %s "$file")
	mv "$file" "$dir/blobs/sha256/$d"
	echo "$d $s"
}

rootfs_tar() {
	tar --numeric-owner -C "$1" -cf "$2" .
}

oci_image_archive() {
	local rootfs=$1 name=$2 out=$3 cmd=${4:-'["/bin/sh"]'}
	local dir ld ls cd cs md ms
	dir=$(mktemp -d /tmp/strata-oci.XXXXXX)
	mkdir -p "$dir/blobs/sha256"
	rootfs_tar "$rootfs" "$dir/layer.tar"
	read -r ld ls < <(_blob "$dir" "$dir/layer.tar")
	jq -n --arg diff "sha256:$ld" --arg env "$IMAGE_PATH_ENV" --argjson cmd "$cmd" \
		'{architecture:"amd64", os:"linux", config:{Env:[$env], Cmd:$cmd, WorkingDir:"/"},
		  rootfs:{type:"layers", diff_ids:[$diff]}}' >"$dir/config.json"
	read -r cd cs < <(_blob "$dir" "$dir/config.json")
	jq -n --arg c "sha256:$cd" --argjson cs "$cs" --arg l "sha256:$ld" --argjson ls "$ls" \
		'{schemaVersion:2, mediaType:"application/vnd.oci.image.manifest.v1+json",
		  config:{mediaType:"application/vnd.oci.image.config.v1+json", digest:$c, size:$cs},
		  layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar", digest:$l, size:$ls}]}' >"$dir/manifest.json"
	read -r md ms < <(_blob "$dir" "$dir/manifest.json")
	jq -n --arg m "sha256:$md" --argjson ms "$ms" --arg name "$name" \
		'{schemaVersion:2, manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json", digest:$m, size:$ms,
		  annotations:{"org.opencontainers.image.ref.name":$name}}]}' >"$dir/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs
	rm -rf "$dir"
}
