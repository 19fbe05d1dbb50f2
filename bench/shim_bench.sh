#!/usr/bin/env bash
# berth-shim benchmark (run by hand, as root):
#   1. create + start + exit of a `/bin/true` container, `berth-shim run` (foreground) vs
#      `runc run` on the same OCI bundle (made by `runc spec`), N runs each, interleaved;
#      p50/p95 wall time measured with bash's $EPOCHREALTIME (no fork per sample);
#   2. `crun run` on that bundle (expected to refuse hybrid cgroups here, see DESIGN.md);
#   3. idle RSS/PSS of a detached berth-shim supervising `sleep`, vs conmon (+runc) doing the same;
#   4. log throughput: a container writing 100 MB (1,000,000 lines of 100 bytes) to stdout, into
#      one log file, then rotated at 10 MB x 3 files (Docker's json-file max-size/max-file), then
#      the same compressed (log lines kept are counted in all the files).
#
#   bench/shim_bench.sh [RUNS]        RUNS defaults to 200; BUILD_DIR defaults to build-bench
#
# State dirs (berth-shim's and runc's --root) live on a private tmpfs, as /run/berth does in
# production: state.json is fsync'ed on every change and /run is plain ext4 on this machine.
set -euo pipefail

RUNS=${1:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
[[ $(id -u) == 0 ]] || { echo "needs root" >&2; exit 1; }

for pkg in runc conmon crun python3 busybox-static; do
  dpkg -s "$pkg" >/dev/null 2>&1 || apt-get install -y "$pkg" >/dev/null
done
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBERTH_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target berth-shim berth-init >/dev/null
SHIM=$BUILD/runtime-shim/berth-shim

WORK=$(mktemp -d /tmp/berth-shim-bench.XXXXXX)
mkdir -p "$WORK/state"
mount -t tmpfs -o size=512m tmpfs "$WORK/state"
cleanup() {
  umount "$WORK/state" 2>/dev/null || true
  rm -rf "$WORK"
  # runc removes each container's cgroup but not the shared berth-bench parent.
  rmdir /sys/fs/cgroup/*/berth-bench /sys/fs/cgroup/berth-bench 2>/dev/null || true
}
trap cleanup EXIT

# The bundle: busybox rootfs, runc's default spec running /bin/true. `ambient` capabilities are
# dropped (runc's default sets them without `inheritable`, which the kernel refuses and runc
# silently ignores), and both runtimes get the same cgroupsPath.
make_bundle() {  # dir, args...
  local dir=$1; shift
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/sys" "$dir/rootfs/tmp"
  cp /bin/busybox "$dir/rootfs/bin/busybox"
  for a in true sleep sh; do ln -sf busybox "$dir/rootfs/bin/$a"; done
  (cd "$dir" && rm -f config.json && runc spec)
  python3 - "$dir/config.json" "$@" <<'EOF'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["process"]["capabilities"].pop("ambient", None)
c["linux"]["cgroupsPath"] = "berth-bench/" + args[0].split("/")[-1]
json.dump(c, open(path, "w"), indent=1)
EOF
}
make_bundle "$WORK/true" /bin/true
make_bundle "$WORK/sleep" /bin/sleep 100000
make_bundle "$WORK/burst" /bin/sh -c "yes $(printf 'A%.0s' $(seq 99)) | head -n 1000000"
ln -sf busybox "$WORK/burst/rootfs/bin/yes"
ln -sf busybox "$WORK/burst/rootfs/bin/head"
# The same burst with the shim's rotation annotations (what `logging.options` becomes).
for variant in rot:false gz:true; do
  cp -a "$WORK/burst" "$WORK/burst-${variant%%:*}"
  python3 - "$WORK/burst-${variant%%:*}/config.json" "${variant#*:}" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("annotations", {}).update({"org.berth.log-max-size": "10000000", "org.berth.log-max-file": "3",
                                        "org.berth.log-compress": sys.argv[2]})
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
done

now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }
percentile() {  # file, p
  local n; n=$(wc -l <"$1")
  sort -n "$1" | sed -n "$(( (n * $2 + 99) / 100 ))p"
}
report() {  # name, file
  awk -v name="$1" -v p50="$(percentile "$2" 50)" -v p95="$(percentile "$2" 95)" -v n="$(wc -l <"$2")" \
    'BEGIN { printf "   %-30s p50 %6.1f ms   p95 %6.1f ms   (%d runs)\n", name, p50 / 1000, p95 / 1000, n }'
}

echo "== create+start+exit of /bin/true, $RUNS runs each (kernel $(uname -r), $(nproc) cpus)"
: >"$WORK/berth.txt"
: >"$WORK/runc.txt"
for i in $(seq -5 "$RUNS"); do  # 5 warm-up rounds (i <= 0) are not recorded
  t0=$(now_us)
  "$SHIM" run --bundle "$WORK/true" --id "b$i" --state-dir "$WORK/state/b$i" >/dev/null
  t1=$(now_us)
  runc --root "$WORK/state/runc" run --bundle "$WORK/true" "r$i" >/dev/null
  t2=$(now_us)
  rm -rf "$WORK/state/b$i"
  if ((i > 0)); then
    echo $((t1 - t0)) >>"$WORK/berth.txt"
    echo $((t2 - t1)) >>"$WORK/runc.txt"
  fi
done
report "berth-shim run (foreground)" "$WORK/berth.txt"
report "runc $(runc --version | head -1 | cut -d' ' -f3) run" "$WORK/runc.txt"

echo "== crun $(crun --version | head -1 | cut -d' ' -f3) run"
crun --root "$WORK/state/crun" run --bundle "$WORK/true" c1 2>&1 | sed 's/^/   /' || true

echo "== idle supervisor memory (container: sleep; measured 2 s after start)"
rss() { awk '/^VmRSS/ {r=$2} END {printf "RSS %5d kB", r}' "/proc/$1/status"; awk '/^Pss:/ {printf "   PSS %5d kB", $2}' "/proc/$1/smaps_rollup"; }
ctl() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b"\n"); print(s.makefile().readline().strip())' "$@"; }

"$SHIM" run --bundle "$WORK/sleep" --id idle --state-dir "$WORK/state/idle" --detach >/dev/null
sleep 2
SHIM_PID=$(cat "$WORK/state/idle/shim.pid")
echo "   berth-shim (static):  $(rss "$SHIM_PID")"
ctl "$WORK/state/idle/control.sock" '{"op":"kill"}' >/dev/null
ctl "$WORK/state/idle/control.sock" '{"op":"wait"}' >/dev/null
ctl "$WORK/state/idle/control.sock" '{"op":"shutdown"}' >/dev/null

C=$WORK/state/conmon
mkdir -p "$C/exits" "$C/sock"
conmon --cid cm --cuuid cm --name cm --runtime "$(command -v runc)" --bundle "$WORK/sleep" \
  --conmon-pidfile "$C/conmon.pid" --container-pidfile "$C/ctr.pid" --log-path "k8s-file:$C/ctr.log" \
  --exit-dir "$C/exits" --socket-dir-path "$C/sock" --runtime-arg "--root=$C/runc" >/dev/null
for _ in $(seq 50); do [[ -s $C/ctr.pid ]] && break; sleep 0.1; done
runc --root "$C/runc" start cm
sleep 2
echo "   conmon $(conmon --version | head -1 | cut -d' ' -f3) (dynamic): $(rss "$(cat "$C/conmon.pid")")"
runc --root "$C/runc" kill cm KILL
for _ in $(seq 50); do [[ -e $C/exits/cm ]] && break; sleep 0.1; done
runc --root "$C/runc" delete --force cm 2>/dev/null || true

log_lines() {  # state dir: json-file lines in container.log and its rotated (maybe gzipped) files
  for f in "$1"/container.log*; do case $f in *.gz) zcat "$f" ;; *) cat "$f" ;; esac; done | wc -l
}
for variant in burst:"one file" burst-rot:"10 MB x 3 files" burst-gz:"10 MB x 3 files, compressed"; do
  name=${variant%%:*}
  echo "== log throughput: 100 MB of container output (1,000,000 lines) into container.log (${variant#*:})"
  t0=$(now_us)
  "$SHIM" run --bundle "$WORK/$name" --id "$name" --state-dir "$WORK/state/$name" >/dev/null
  t1=$(now_us)
  awk -v us=$((t1 - t0)) -v lines="$(log_lines "$WORK/state/$name")" -v files="$(ls "$WORK/state/$name" | grep -c container.log)" \
    'BEGIN { printf "   %.2f s, %.0f MB/s, %.0f lines/s of output; %d log lines kept in %d files\n", us / 1e6, 100 / (us / 1e6), 1e6 / (us / 1e6), lines, files }'
done
