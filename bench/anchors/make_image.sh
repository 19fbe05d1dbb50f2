#!/usr/bin/env bash
# Writes an OCI image layout with one image whose layers are host directories, for pull
# benchmarks: make_image.sh DIR SRC...  (one gzip -6 layer per SRC, in order; tar sorted, owner
# 0, mtime 0, so two runs give the same digests). Config: linux/<host arch>, no command.
set -euo pipefail
dir=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/blobs/sha256"
diffs="" layers=""
for src in "$@"; do
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C / -cf "$work/layer.tar" "${src#/}"
  diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -6 -c "$work/layer.tar" >"$work/layer.tgz"
  dig=$(sha256sum "$work/layer.tgz" | cut -d' ' -f1)
  mv "$work/layer.tgz" "$dir/blobs/sha256/$dig"
  diffs+="${diffs:+,}\"sha256:$diff\""
  layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$dig\",\"size\":$(stat -c %s "$dir/blobs/sha256/$dig")}"
done
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$(dpkg --print-architecture)" "$diffs" >"$work/config.json"
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
cp "$work/config.json" "$dir/blobs/sha256/$cfg"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cfg" "$(stat -c %s "$work/config.json")" "$layers" >"$work/manifest.json"
man=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$dir/blobs/sha256/$man"
printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$man" "$(stat -c %s "$work/manifest.json")" >"$dir/index.json"
