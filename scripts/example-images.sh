#!/usr/bin/env bash
# Makes the two images the app + database example (examples/app-db) starts from, out of Debian's
# packages and without a registry (there is no Docker Hub here): the database image, and the
# base image the web app's Dockerfile (examples/app-db/app/Dockerfile) builds on — `berth up`
# builds the app itself.
#   1. base:  `debootstrap --variant=minbase bookworm` with PostgreSQL 15, python3 and psycopg2,
#             cached in $CACHE/base-<key>/ (key = suite + mirror + package list): minutes, once.
#   2. layer: the base plus the postgres entrypoint, tarred once into $CACHE/layer-<key>.tar
#             (key = base key + this script + that file).
#   3. import: `berth image import` of that one tarball as berth-example/postgres:15 and
#             berth-example/debian:bookworm. Both images share the layer (the layer blob is the
#             tar itself, so its digest is the same). An image is re-imported only when its
#             org.berth.example.key label differs from the current key, so a second run with
#             nothing changed takes a second or two.
#
# Usage: scripts/example-images.sh [--root DIR] [--berth PATH] [--cache DIR]
#   --root   Berth's state root (default: $BERTH_ROOT, else Berth's own default)
#   --berth  the berth binary (default: $BERTH, else build/compose/berth, else `berth` on PATH)
#   --cache  cache directory (default: $BERTH_EXAMPLE_CACHE, else /var/cache/berth-example)
# Environment: BERTH_EXAMPLE_MIRROR (default http://deb.debian.org/debian).
# Needs root (debootstrap and a tree owned by many users). Prints progress on stderr and the
# two image names on stdout.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
script="$repo/scripts/example-images.sh"
example="$repo/examples/app-db"

root=${BERTH_ROOT:-}
berth=${BERTH:-}
cache=${BERTH_EXAMPLE_CACHE:-/var/cache/berth-example}
mirror=${BERTH_EXAMPLE_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

while (($#)); do
  case "$1" in
    --root) root=$2; shift 2 ;;
    --root=*) root=${1#*=}; shift ;;
    --berth) berth=$2; shift 2 ;;
    --berth=*) berth=${1#*=}; shift ;;
    --cache) cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    -h|--help) sed -n '2,21p' "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "example-images: unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { echo "example-images: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, and a root filesystem owned by several users)"

if [ -z "$berth" ]; then
  if [ -x "$repo/build/compose/berth" ]; then berth=$repo/build/compose/berth
  else berth=$(command -v berth) || die "no berth binary: pass --berth PATH or set BERTH"
  fi
fi
[ -x "$berth" ] || die "berth binary \`$berth\` is not executable"
berth_cmd=("$berth")
[ -n "$root" ] && berth_cmd+=(--root "$root")

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } ||
    die "cannot install debootstrap"
fi

# What goes into the base tree. postgresql-15 brings its client tools (psql, pg_isready);
# util-linux (essential, so already in minbase) brings setpriv for dropping to the postgres user.
packages=postgresql-15,python3,python3-psycopg2

sha() { sha256sum | cut -c1-16; }
mkdir -p "$cache"
# One builder at a time per cache dir: a concurrent run waits rather than debootstrapping twice.
exec 9>"$cache/lock"
flock 9

# --- 1. base tree ------------------------------------------------------------------------------
base_key=$(printf '%s\n' "$suite" "$mirror" "$packages" minbase 1 | sha)
base=$cache/base-$base_key
if [ ! -e "$base/.complete" ]; then
  log "debootstrap $suite ($packages) into $base — the first run takes a few minutes"
  rm -rf "$base" "$base.tmp"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$base.tmp" "$mirror" \
       >"$cache/debootstrap.log" 2>&1; then
    tail -n 20 "$cache/debootstrap.log" >&2
    rm -rf "$base.tmp"
    die "debootstrap failed (full log: $cache/debootstrap.log)"
  fi
  # The package's postinst made a cluster the image does not use: the entrypoint runs initdb in
  # $PGDATA (the volume). Apt lists and downloaded .debs only make the layer bigger.
  rm -rf "$base.tmp/var/lib/postgresql/15" "$base.tmp/etc/postgresql/15"
  rm -rf "$base.tmp/var/cache/apt/archives/"*.deb "$base.tmp/var/lib/apt/lists/"*
  rm -f "$base.tmp/etc/hostname"
  touch "$base.tmp/.complete"
  mv "$base.tmp" "$base"
  # Older bases (a changed package list) are no longer reachable from any key.
  for old in "$cache"/base-*; do [ "$old" = "$base" ] || rm -rf "$old"; done
fi

# --- 2. the layer tarball ----------------------------------------------------------------------
files=("$example/postgres/docker-entrypoint.sh")
layer_key=$( { echo "$base_key"; cat "$script" "${files[@]}"; } | sha)
layer=$cache/layer-$layer_key.tar
if [ ! -s "$layer" ]; then
  log "packing $layer"
  stage=$cache/stage.$$
  trap 'rm -rf "$stage" "$layer.tmp"' EXIT
  # Hard links: the staging tree costs no copy. Only new files are added below, so the base's
  # files (shared inodes) are never written through.
  cp -al "$base" "$stage"
  rm -f "$stage/.complete"
  # As Debian's slim images do: no manuals or translations (the copyright files stay).
  find "$stage/usr/share/doc" -mindepth 1 \( -type f -o -type l \) ! -name copyright -delete
  find "$stage/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$stage/usr/share/man/"* "$stage/usr/share/info/"* "$stage/usr/share/locale/"*
  install -D -m 0755 "$example/postgres/docker-entrypoint.sh" "$stage/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$stage/var/lib/postgresql/data" "$stage/docker-entrypoint-initdb.d"
  tar --numeric-owner --sort=name --mtime=@0 -C "$stage" -cf "$layer.tmp" .
  mv "$layer.tmp" "$layer"
  rm -rf "$stage"
  trap - EXIT
  for old in "$cache"/layer-*.tar; do [ "$old" = "$layer" ] || rm -f "$old"; done
fi

# --- 3. images ---------------------------------------------------------------------------------
# The label of an image in the store, or nothing when the image is missing.
current_key() {
  "${berth_cmd[@]}" image inspect "$1" 2>/dev/null |
    sed -n 's/^ *"org\.berth\.example\.key": "\([0-9a-f]*\)".*/\1/p' | head -n 1
}

import() {
  local name=$1; shift
  if [ "$(current_key "$name")" = "$layer_key" ]; then
    log "$name is up to date"
  else
    log "importing $name"
    "${berth_cmd[@]}" image import "$layer" "$name" --change "LABEL org.berth.example.key=$layer_key" "$@" \
      -m "berth example ($suite, key $layer_key)" >/dev/null
  fi
  echo "$name"
}

pgpath=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
import berth-example/postgres:15 \
  --change "ENV PATH=$pgpath LANG=C.UTF-8 PGDATA=/var/lib/postgresql/data" \
  --change 'VOLUME /var/lib/postgresql/data' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  --change 'EXPOSE 5432' \
  --change 'STOPSIGNAL SIGINT'
import berth-example/debian:bookworm \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["bash"]'
