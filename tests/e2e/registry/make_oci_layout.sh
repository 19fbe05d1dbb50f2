#!/usr/bin/env bash
# Writes an OCI image layout with one busybox-static image, for the registry tests to push with
# skopeo: make_oci_layout.sh DIR [EXTRA_LAYER_MIB]
#   layer 1: /bin/busybox (+ sh symlink); layer 2 (when EXTRA_LAYER_MIB > 0): /data/blob of that
#   many MiB of incompressible bytes; gzip -1. Cmd ["sh"]. The layout is written by
#   bench/anchors/make_image.sh.
set -euo pipefail
dir=$1
extra_mib=${2:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/l1/bin"
cp /bin/busybox "$work/l1/bin/busybox"
ln -s busybox "$work/l1/bin/sh"
roots=("$work/l1")
if [ "$extra_mib" -gt 0 ]; then
  mkdir -p "$work/l2/data"
  head -c "$((extra_mib * 1024 * 1024))" /dev/urandom >"$work/l2/data/blob"
  roots+=("$work/l2")
fi
"$(dirname "$0")/../../../bench/anchors/make_image.sh" -z 1 -c sh "$dir" "${roots[@]}"
