#!/usr/bin/env bash
# Soak (run by hand, as root; issue 16): CYCLES `up -d` / `down` cycles of a 20-service busybox
# project (two networks, a named volume, a published port, one service flooding its log), with
# EXECS `exec`s and a log flood in between, in a temporary --root. Before and after it counts what
# Berth leaves on the host: links, network namespaces, nftables rules, mounts, cgroups, network
# registry leases, state files, and the open fds and RSS of berth-dns and of every shim (sampled
# while the project is up in the first and the last cycle). Prints one table; everything it made
# is removed at the end (down -v, then the temporary directories).
#
#   bench/soak.sh [path/to/build]     env: CYCLES (100), EXECS (1000), SERVICES (20)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
berth="$build/compose/berth"
[ -x "$berth" ] || { echo "no berth under $build" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
CYCLES=${CYCLES:-100}
EXECS=${EXECS:-1000}
SERVICES=${SERVICES:-20}
export BERTH_SHIM="${BERTH_SHIM:-$build/runtime-shim/berth-shim}"
export BERTH_DNS="${BERTH_DNS:-$build/dns/berth-dns}"
export BERTH_RUN="/run/bsk$$"
tmp=$(mktemp -d /tmp/berth-soak-XXXXXX)
root="$tmp/root"
project="soak$$"
b() { "$berth" --root "$root" -p "$project" --progress quiet "$@"; }
cleanup() {
  (cd "$tmp/proj" 2>/dev/null && b down -v -t 1 >/dev/null 2>&1) || true
  rm -rf "$tmp"
  rm -rf "$BERTH_RUN" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

mkdir -p "$tmp/proj"
"$here/bench/anchors/busybox_rootfs.sh" "$tmp/rootfs.tar"
"$berth" --root "$root" image import "$tmp/rootfs.tar" busybox:soak -c 'ENV PATH=/bin' >/dev/null
{
  echo "services:"
  echo "  web:"
  echo "    image: busybox:soak"
  echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; httpd -f -p 8080 -h /tmp & wait\"]"
  echo "    ports: [\"127.0.0.1::8080\"]"
  echo "    volumes: [\"data:/data\"]"
  echo "    networks: [front, back]"
  echo "  flood:"
  echo "    image: busybox:soak"
  echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while :; do seq 1 2000; sleep 0.05; done & wait\"]"
  echo "    logging: {options: {max-size: 1m, max-file: \"2\"}}"
  echo "    networks: [back]"
  i=3
  while [ "$i" -le "$SERVICES" ]; do
    echo "  s$i:"
    echo "    image: busybox:soak"
    echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 3600 & wait\"]"
    echo "    depends_on: [web]"
    echo "    networks: [back]"
    i=$((i + 1))
  done
  echo "networks: {front: {}, back: {}}"
  echo "volumes: {data: {}}"
} >"$tmp/proj/compose.yaml"
cd "$tmp/proj"

count() {  # what Berth has on the host now
  local links netns nft mounts cgroups leases states
  links=$(ip -o link | grep -c ' berth' || true)
  netns=$(find "$BERTH_RUN" -path '*/netns/*' 2>/dev/null | wc -l)
  nft=$(nft -a list table inet berth 2>/dev/null | grep -c 'handle' || true)
  mounts=$(grep -c -e "$tmp" -e "$BERTH_RUN" /proc/self/mountinfo || true)
  cgroups=$(find /sys/fs/cgroup -maxdepth 3 -path '*/berth/*' -type d 2>/dev/null | wc -l)
  leases=$(python3 -c 'import glob, json, sys
print(sum(len(json.load(open(f)).get("leases", {})) for f in glob.glob(sys.argv[1] + "/networks/*.json")))' "$root")
  states=$(find "$root/projects" -name state.json 2>/dev/null | wc -l)
  echo "$links $netns $nft $mounts $cgroups $leases $states"
}
procs() {  # fds and RSS (kB) of berth-dns and the shims of this run
  local dns_fds=0 dns_rss=0 shim_fds=0 shim_rss=0 n=0 pid
  for pid in $(pgrep -f "berth-dns --records $BERTH_RUN" || true); do
    dns_fds=$(ls /proc/$pid/fd | wc -l); dns_rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  done
  for f in "$BERTH_RUN"/containers/*/shim.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); [ -d /proc/$pid ] || continue
    shim_fds=$((shim_fds + $(ls /proc/$pid/fd | wc -l)))
    shim_rss=$((shim_rss + $(awk '/VmRSS/{print $2}' /proc/$pid/status)))
    n=$((n + 1))
  done
  echo "$dns_fds $dns_rss $n $shim_fds $shim_rss"
}

before=$(count)
start=$(date +%s)
first_procs="" last_procs=""
per_cycle=$(( (EXECS + CYCLES - 1) / CYCLES ))
for c in $(seq 1 "$CYCLES"); do
  b up -d >/dev/null
  for e in $(seq 1 "$per_cycle"); do b exec -T "s$(( (e % (SERVICES - 2)) + 3 ))" true >/dev/null; done
  b logs --tail 1 flood >/dev/null
  [ "$c" = 1 ] && first_procs=$(procs)
  [ "$c" = "$CYCLES" ] && last_procs=$(procs)
  b down -v -t 1 >/dev/null
done
after=$(count)
elapsed=$(( $(date +%s) - start ))

printf '%s cycles of up -d/down, %s services, %s execs, %s s\n' "$CYCLES" "$SERVICES" $((per_cycle * CYCLES)) "$elapsed"
printf '%-10s %6s %6s %6s %7s %8s %7s %7s\n' "" links netns nft mounts cgroups leases states
printf '%-10s %6s %6s %6s %7s %8s %7s %7s\n' before $before
printf '%-10s %6s %6s %6s %7s %8s %7s %7s\n' after $after
printf '%-10s %8s %12s %6s %9s %13s\n' "" dns_fds dns_rss_kB shims shim_fds shims_rss_kB
printf '%-10s %8s %12s %6s %9s %13s\n' "cycle 1" $first_procs
printf '%-10s %8s %12s %6s %9s %13s\n' "cycle $CYCLES" $last_procs
