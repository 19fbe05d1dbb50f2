#!/usr/bin/env bash
# Clean-build time of Berth at one or more revisions (run by hand; docs/BENCHMARKS.md, "Build
# time"). For each REV: a temporary git worktree, then two fresh Release build directories (Ninja,
# -j2 unless JOBS is set, ccache off): the four binaries (berth, berth-shim, berth-dns,
# berth-init), then everything (test binaries and benchmarks included). Prints wall, user and
# sys seconds and peak RSS of the compiler per build; removes its worktrees and build dirs.
#
#   bench/build_time.sh 04ef40c HEAD
#   env: JOBS (default 2), KEEP=1 keeps the build dirs under $TMPDIR/berth-build-time.*
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${JOBS:-2}
(($#)) || set -- HEAD
work=$(mktemp -d "${TMPDIR:-/tmp}/berth-build-time.XXXXXX")
cleanup() {
  for wt in "$work"/src-*; do [[ -d $wt ]] && git -C "$ROOT" worktree remove --force "$wt"; done
  [[ ${KEEP:-0} == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT

printf '%-12s %-9s %10s %10s %10s %12s\n' rev what wall_s user_s sys_s maxrss_kb
for rev in "$@"; do
  sha=$(git -C "$ROOT" rev-parse --short "$rev")
  src=$work/src-$sha
  git -C "$ROOT" worktree add -q --detach "$src" "$sha"
  for what in bins all; do
    b=$work/build-$sha-$what
    # BERTH_CCACHE exists from the build-speed change on; older trees ignore it (no ccache there).
    cmake -S "$src" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBERTH_CCACHE=OFF >/dev/null 2>&1
    targets=all
    [[ $what == bins ]] && targets="berth berth-shim berth-dns berth-init"
    # shellcheck disable=SC2086
    CCACHE_DISABLE=1 /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
      cmake --build "$b" -j"$JOBS" --target $targets >"$work/log-$sha-$what" 2>&1 ||
      { echo "build of $sha ($what) failed: $work/log-$sha-$what" >&2; KEEP=1; exit 1; }
    read -r wall user sys rss <"$work/time"
    printf '%-12s %-9s %10s %10s %10s %12s\n' "$sha" "$what" "$wall" "$user" "$sys" "$rss"
  done
done
