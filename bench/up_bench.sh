#!/bin/sh
# Engine benchmark (run by hand, as root): a 20-service busybox fan-out (one `hub` service, 19
# services depending on it) in a temporary --root. Measures `up -d` (fresh), a no-op `up -d`
# (goal < 100 ms: nothing to do must cost almost nothing) and `down`, with hyperfine when it is
# installed (else a few timed runs). Cleans up everything it made.
#
#   bench/up_bench.sh [path/to/build]        (default: build-release, then build)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-}
if [ -z "$build" ]; then
  for b in "$here/build-release" "$here/build"; do [ -x "$b/compose/berth" ] && build=$b && break; done
fi
# Absolute: the timed commands run from the project directory.
[ -d "$build" ] && build=$(cd "$build" && pwd)
berth="$build/compose/berth"
[ -x "$berth" ] || { echo "no berth binary under $build (build it first)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "needs busybox-static" >&2; exit 1; }
export BERTH_SHIM="${BERTH_SHIM:-$build/runtime-shim/berth-shim}"
export BERTH_DNS="${BERTH_DNS:-$build/dns/berth-dns}"
# A short run dir: <run>/containers/<64 hex>/control.sock must fit a unix socket path.
export BERTH_RUN="/run/bub$$"

tmp=$(mktemp -d /tmp/berth-up-bench-XXXXXX)
root="$tmp/root"
project="upbench$$"
cleanup() {
  "$berth" --root "$root" -p "$project" --progress quiet down -v -t 1 >/dev/null 2>&1 || true
  rm -rf "$tmp"
  rmdir "$BERTH_RUN"/* "$BERTH_RUN" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# busybox image with its applet links (the side-by-side benchmarks' rootfs)
mkdir -p "$tmp/proj"
"$here/bench/anchors/busybox_rootfs.sh" "$tmp/rootfs.tar"
"$berth" --root "$root" image import "$tmp/rootfs.tar" busybox:bench -c 'ENV PATH=/bin' >/dev/null

{
  echo "services:"
  echo "  hub:"
  echo "    image: busybox:bench"
  echo "    command: [\"sleep\", \"3600\"]"
  echo "    stop_grace_period: 1s"
  i=1
  while [ $i -le 19 ]; do
    echo "  s$i:"
    echo "    image: busybox:bench"
    echo "    command: [\"sleep\", \"3600\"]"
    echo "    depends_on: [hub]"
    echo "    stop_grace_period: 1s"
    i=$((i + 1))
  done
} >"$tmp/proj/compose.yaml"

b() { "$berth" --root "$root" -p "$project" --progress quiet "$@"; }
cd "$tmp/proj"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --runs 5 --prepare "$berth --root $root -p $project --progress quiet down -t 1" \
    -n "up -d (20 services, fresh)" "$berth --root $root -p $project --progress quiet up -d"
  b up -d
  hyperfine --warmup 2 --runs 20 -n "up -d (no-op)" "$berth --root $root -p $project --progress quiet up -d"
  hyperfine --runs 5 --prepare "$berth --root $root -p $project --progress quiet up -d" \
    -n "down (20 services)" "$berth --root $root -p $project --progress quiet down -t 1"
else
  for what in "up -d" "up -d" "down -t 1"; do
    start=$(date +%s%N)
    b $what
    echo "$what: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
fi
