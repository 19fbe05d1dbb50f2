#!/usr/bin/env bash
# Writes an OCI image layout with one busybox-static image, for the registry tests to push with
# skopeo: make_oci_layout.sh DIR [EXTRA_LAYER_MIB]
#   layer 1: /bin/busybox (+ sh symlink), gzip; layer 2 (when EXTRA_LAYER_MIB > 0): /data/blob of
#   that many MiB of incompressible bytes, gzip. Config: linux/<host arch>, Cmd ["sh"].
set -euo pipefail
dir=$1
extra_mib=${2:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
arch=$(dpkg --print-architecture)
mkdir -p "$dir/blobs/sha256" "$work/l1/bin"
cp /bin/busybox "$work/l1/bin/busybox"
ln -s busybox "$work/l1/bin/sh"
layer() {  # layer SRC -> prints "diff_id blob_digest size"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$work/layer.tar" .
  local diff
  diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -1 -c "$work/layer.tar" > "$work/layer.tgz"
  local dig
  dig=$(sha256sum "$work/layer.tgz" | cut -d' ' -f1)
  mv "$work/layer.tgz" "$dir/blobs/sha256/$dig"
  echo "$diff $dig $(stat -c %s "$dir/blobs/sha256/$dig")"
}
read -r d1 b1 s1 < <(layer "$work/l1")
diffs="\"sha256:$d1\""
layers="{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$b1\",\"size\":$s1}"
if [ "$extra_mib" -gt 0 ]; then
  mkdir -p "$work/l2/data"
  head -c "$((extra_mib * 1024 * 1024))" /dev/urandom > "$work/l2/data/blob"
  read -r d2 b2 s2 < <(layer "$work/l2")
  diffs="$diffs,\"sha256:$d2\""
  layers="$layers,{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$b2\",\"size\":$s2}"
fi
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$arch" "$diffs" > "$work/config.json"
cd_=$(sha256sum "$work/config.json" | cut -d' ' -f1)
cp "$work/config.json" "$dir/blobs/sha256/$cd_"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cd_" "$(stat -c %s "$work/config.json")" "$layers" > "$work/manifest.json"
md=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$dir/blobs/sha256/$md"
printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$md" "$(stat -c %s "$work/manifest.json")" > "$dir/index.json"
