#!/usr/bin/env bash
# Writes an OCI image layout holding one image, tagged "latest", whose layers are directories:
#   make_image.sh [-z GZIP_LEVEL] [-c CMD] DIR ROOT...
# One gzip layer per ROOT, in order, holding ROOT's content at the layer root (tar sorted, owner
# 0, mtime 0, gzip -n: the same input gives the same digests). Config: linux/<host arch>,
# Env PATH=/usr/bin:/bin, Cmd [CMD] when -c is given. Used by the registry tests
# (tests/e2e/registry/make_oci_layout.sh) and the pull benchmark (bench/pull_bench.sh).
set -euo pipefail
level=6 cmd=""
while getopts "z:c:" o; do
  case $o in
  z) level=$OPTARG ;;
  c) cmd=$OPTARG ;;
  *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
dir=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/blobs/sha256"
put() {  # put FILE -> moves FILE into the blobs, prints its hex digest
  local dig
  dig=$(sha256sum "$1" | cut -d' ' -f1)
  mv "$1" "$dir/blobs/sha256/$dig"
  echo "$dig"
}
diffs="" layers=""
for root in "$@"; do
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
  diffs+="${diffs:+,}\"sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)\""
  gzip -n "-$level" -c "$work/layer.tar" >"$work/layer.tgz"
  dig=$(put "$work/layer.tgz")
  layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$dig\",\"size\":$(stat -c %s "$dir/blobs/sha256/$dig")}"
done
printf '{"architecture":"%s","os":"linux","config":{%s"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$(dpkg --print-architecture)" "${cmd:+\"Cmd\":[\"$cmd\"],}" "$diffs" >"$work/config.json"
cfg_size=$(stat -c %s "$work/config.json")
cfg=$(put "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cfg" "$cfg_size" "$layers" >"$work/manifest.json"
man_size=$(stat -c %s "$work/manifest.json")
man=$(put "$work/manifest.json")
printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$man" "$man_size" >"$dir/index.json"
