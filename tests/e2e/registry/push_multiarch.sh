#!/usr/bin/env bash
# Writes a multi-platform OCI index and pushes it to an anonymous registry with curl (monolithic
# blob uploads, then the manifests, then the index by tag):
#   push_multiarch.sh WORKDIR HOST REPO:TAG PLATFORM...      (PLATFORM: linux/amd64, linux/arm64/v8)
# One image per platform: the same busybox layer, a config naming that platform. The index lists,
# first, a BuildKit-style attestation manifest (platform unknown/unknown, annotations
# vnd.docker.reference.type=attestation-manifest and vnd.docker.reference.digest), then the
# platforms in order. Prints "<platform> <digest>" per image, "attestation <digest>", "index <digest>".
set -euo pipefail
dir=$1 host=$2 repotag=$3
shift 3
repo=${repotag%:*} tag=${repotag##*:}
mkdir -p "$dir/blobs" "$dir/root/bin"
blob() {  # blob FILE -> stores it as blobs/<hex>, prints "sha256:<hex> <size>"
  local hex
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$dir/blobs/$hex"
  echo "sha256:$hex $(stat -c %s "$1")"
}
cp /bin/busybox "$dir/root/bin/busybox"
ln -sf busybox "$dir/root/bin/sh"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir/root" -cf "$dir/layer.tar" .
diff_id=sha256:$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
gzip -n -1 -c "$dir/layer.tar" > "$dir/layer.tgz"
read -r layer layer_size < <(blob "$dir/layer.tgz")
manifests=()  # "digest size platform-json annotations-json"
entry() {  # entry MANIFEST_FILE PLATFORM_JSON [ANNOTATIONS_JSON] -> index entry JSON; prints nothing
  local d s
  read -r d s < <(blob "$1")
  local e="{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$d\",\"size\":$s,\"platform\":$2"
  if [ -n "${3:-}" ]; then e="$e,\"annotations\":$3"; fi
  manifests+=("$e}")
  last_digest=$d
}
n=0
images=""
for platform in "$@"; do
  IFS=/ read -r os arch variant <<< "$platform"
  n=$((n + 1))
  vjson=""
  if [ -n "${variant:-}" ]; then vjson=",\"variant\":\"$variant\""; fi
  printf '{"architecture":"%s"%s,"os":"%s","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
    "$arch" "$vjson" "$os" "$diff_id" > "$dir/config$n.json"
  read -r cd cs < <(blob "$dir/config$n.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
    "$cd" "$cs" "$layer" "$layer_size" > "$dir/manifest$n.json"
  entry "$dir/manifest$n.json" "{\"architecture\":\"$arch\",\"os\":\"$os\"$vjson}"
  images="$images$platform $last_digest"$'\n'
  if [ "$n" = 1 ]; then first_digest=$last_digest; fi
done
# The attestation manifest: an in-toto statement about the first image.
printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{}}' > "$dir/statement.json"
read -r sd ss < <(blob "$dir/statement.json")
printf '{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$sd" > "$dir/att-config.json"
read -r acd acs < <(blob "$dir/att-config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.in-toto+json","digest":"%s","size":%s,"annotations":{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}]}' \
  "$acd" "$acs" "$sd" "$ss" > "$dir/attestation.json"
images_entries=("${manifests[@]}")
manifests=()
entry "$dir/attestation.json" '{"architecture":"unknown","os":"unknown"}' \
  "{\"vnd.docker.reference.digest\":\"$first_digest\",\"vnd.docker.reference.type\":\"attestation-manifest\"}"
attestation=$last_digest
list=$(IFS=,; echo "${manifests[*]},${images_entries[*]}")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$list" > "$dir/index.json"

# Push: every blob, then every manifest by digest, then the index by tag.
for f in "$dir"/blobs/*; do
  hex=$(basename "$f")
  location=$(curl -sSf -X POST -D - -o /dev/null "http://$host/v2/$repo/blobs/uploads/" |
    sed -n 's/^[Ll]ocation: *//p' | tr -d '\r')
  case $location in http*) ;; *) location="http://$host$location" ;; esac
  sep='?'
  case $location in *\?*) sep='&' ;; esac
  curl -sSf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$f" \
    "$location${sep}digest=sha256:$hex" -o /dev/null
done
put_manifest() {  # put_manifest FILE MEDIA_TYPE REFERENCE
  curl -sSf -X PUT -H "Content-Type: $2" --data-binary "@$1" "http://$host/v2/$repo/manifests/$3" -o /dev/null
}
for ((i = 1; i <= n; i++)); do
  put_manifest "$dir/manifest$i.json" application/vnd.oci.image.manifest.v1+json \
    "sha256:$(sha256sum "$dir/manifest$i.json" | cut -d' ' -f1)"
done
put_manifest "$dir/attestation.json" application/vnd.oci.image.manifest.v1+json "$attestation"
put_manifest "$dir/index.json" application/vnd.oci.image.index.v1+json "$tag"
printf '%s' "$images"
echo "attestation $attestation"
echo "index sha256:$(sha256sum "$dir/index.json" | cut -d' ' -f1)"
