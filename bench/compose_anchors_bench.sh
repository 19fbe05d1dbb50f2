#!/usr/bin/env bash
# Side-by-side benchmark (run by hand, as root) of `berth` against docker-compose 1.29.2 (with
# Debian's docker.io 20.10 daemon) and podman-compose 1.0.3 (with podman 4.3), in one run, on
# the 20-service busybox fan-out of bench/anchors/fanout.sh (hub + 19 services depending on it),
# image already present everywhere (the same busybox-static rootfs imported into each):
#   up      `up -d` from nothing (containers and the project network are created)
#   noop    `up -d` when everything is already up
#   down    `down -t 1` (stop + remove containers and network), twice: PID 1 `sleep`, which
#           ignores SIGTERM so each stop waits out the 1 s grace period ("down-sleep"), and
#           PID 1 a shell that exits on SIGTERM ("down-trap": the orchestrator's own cost)
#   run     `run --rm --no-deps -T hub head -n 1` with a line on stdin: a one-off container
#           created, attached (stdin in, output out), waited for and removed
# Timed with hyperfine (-N: no shell in between); `--prepare` brings the project to the
# required state before every timed run. Prints medians, p95 and the ratios berth:anchor.
#
#   bench/compose_anchors_bench.sh
#   env: BUILD_DIR (default build-bench), RUNS (5), NOOP_RUNS (10), PODMAN_RUNS (3),
#        ANCHORS ("berth docker podman"), CASES ("up noop down-sleep down-trap run"),
#        RESULTS (summary file, default /tmp/compose_anchors_bench-<time>.txt)
#
# Isolation: dockerd and podman each run in a sandbox (bench/anchors/sandbox.sh): a network
# namespace berthbench-{d,p}<pid> and a private mount namespace, so their bridges, veths,
# iptables rules, CNI state, runtime sockets and overlay mounts never reach the host. Berth runs
# on the host in its own --root. At the end everything is stopped by PID, the namespaces are
# deleted, the anchors' cgroups are removed and the script checks that nothing is left.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCH=$ROOT/bench/anchors
BUILD=${BUILD_DIR:-$ROOT/build-bench}
RUNS=${RUNS:-5}
NOOP_RUNS=${NOOP_RUNS:-10}
PODMAN_RUNS=${PODMAN_RUNS:-3}
ANCHORS=${ANCHORS:-berth docker podman}
CASES=${CASES:-up noop down-sleep down-trap run}
RESULTS=${RESULTS:-/tmp/compose_anchors_bench-$(date +%Y%m%d-%H%M%S).txt}

[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
for tool in hyperfine python3 /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done
berth=$BUILD/compose/berth
[[ -x $berth ]] || { echo "no berth under $BUILD (cmake --build $BUILD --target berth berth-shim berth-init berth-dns)" >&2; exit 1; }
export BERTH_SHIM=${BERTH_SHIM:-$BUILD/runtime-shim/berth-shim}
export BERTH_DNS=${BERTH_DNS:-$BUILD/dns/berth-dns}
# A short run dir: berth-shim binds <run>/containers/<64 hex id>/control.sock, and a unix socket
# path is limited to 107 bytes, so a run dir under a long --root fails every `up` with "bind
# ...control.sock: File name too long" (production uses /run/berth).
export BERTH_RUN=/tmp/bbr$$

tmp=/tmp/berthbench-$$
proj=fan$$
dns=berthbench-d$$  # docker's netns, also its cgroup parent
pns=berthbench-p$$  # podman's netns
mkdir -p "$tmp/proj"
: >"$RESULTS"

# Cgroups the anchors may create that did not exist before: removed (depth first) at the end.
had_libpod_parent=no
[[ -d /sys/fs/cgroup/memory/libpod_parent ]] && had_libpod_parent=yes
had_run_containerd=no
[[ -e /run/containerd ]] && had_run_containerd=yes
had_etc_docker=no  # the sandbox hides /etc/docker only when it exists; else dockerd makes it
[[ -e /etc/docker ]] && had_etc_docker=yes

log() { echo "$*" | tee -a "$RESULTS"; }

# Host paths where docker, containerd, podman or CNI keep state by default: none may appear.
host_state() {
  # (not any "*containers*": other engineers' berth runs make <run>/containers under /run)
  find /etc/cni /etc/docker /etc/containers /run /var/lib /var/tmp -maxdepth 3 \( -iname '*docker*' \
    -o -iname '*containerd*' -o -path /run/containers -o -path /var/lib/containers -o -path '/etc/containers/*' \
    -o -iname '*cni*' -o -iname '*libpod*' -o -iname 'runc' \) 2>/dev/null | sort
}
host_state >"$tmp/host_state.before"

# shellcheck source=anchors/cgroups.sh
source "$ANCH/cgroups.sh"

cleanup() {
  set +e
  echo "== cleanup" >&2
  [[ -n ${berth_up:-} ]] && "$berth" --root "$tmp/berth" -p "$proj" --progress quiet down -v -t 1 >/dev/null 2>&1
  if [[ -n ${docker_up:-} ]]; then
    docker-compose -p "$proj" -f "$tmp/proj/sleep.yaml" down -t 1 >/dev/null 2>&1
    "$ANCH/dockerd.sh" stop "$tmp/docker" "$dns"
    rm_cgroups "$dns" || echo "LEFT: cgroups /sys/fs/cgroup/*/$dns" >&2
  fi
  if [[ -n ${podman_up:-} ]]; then
    pod podman-compose -p "$proj" -f "$tmp/proj/sleep.yaml" down -t 1 >/dev/null 2>&1
    pod podman rm -a -f -t 0 >/dev/null 2>&1
    "$ANCH/sandbox.sh" stop "$pns" "$tmp/podman/sandbox"
    if [[ $had_libpod_parent == no ]]; then rm_cgroups libpod_parent || echo "LEFT: cgroups libpod_parent" >&2; fi
  fi
  [[ $had_run_containerd == no && -d /run/containerd ]] && echo "LEFT: /run/containerd" >&2
  if [[ $had_etc_docker == no && -d /etc/docker ]]; then
    echo "removing /etc/docker made by dockerd: $(ls /etc/docker)" >&2
    rm -rf /etc/docker
  fi
  host_state | diff "$tmp/host_state.before" - | grep '^>' | sed 's/^> /LEFT: /' >&2
  # Nothing of ours may remain: namespaces, mounts under $tmp, processes using $tmp.
  ip netns list | grep -E "^($dns|$pns)( |$)" && echo "LEFT: netns" >&2
  grep -F " $tmp" /proc/self/mountinfo && echo "LEFT: mounts under $tmp" >&2
  for p in /proc/[0-9]*; do
    if grep -qsF "$tmp" "$p/cmdline" 2>/dev/null; then echo "LEFT: process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline")" >&2; fi
  done
  grep -F " $BERTH_RUN" /proc/self/mountinfo && echo "LEFT: mounts under $BERTH_RUN" >&2
  rm -rf "$tmp" "$BERTH_RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One busybox-static rootfs (as Berth's tests make it), imported by all.
"$ANCH/busybox_rootfs.sh" "$tmp/rootfs.tar"
"$ANCH/fanout.sh" busybox:bench sleep >"$tmp/proj/sleep.yaml"
"$ANCH/fanout.sh" busybox:bench trap >"$tmp/proj/trap.yaml"
cd "$tmp/proj"

pod() { nsenter -t "$(cat "$tmp/podman/sandbox/holder.pid")" -m -n --wd="$tmp/proj" -- "$@"; }

# Per tool: the command prefix (argv words, no shell) and the down timeout option.
declare -A cmd
for a in $ANCHORS; do
  case $a in
  berth)
    "$berth" --root "$tmp/berth" image import "$tmp/rootfs.tar" busybox:bench -c 'ENV PATH=/bin' >/dev/null
    berth_up=1
    cmd[berth]="$berth --root $tmp/berth --progress quiet -p $proj"
    ;;
  docker)
    docker_up=1
    DOCKER_HOST=$("$ANCH/dockerd.sh" start "$tmp/docker" "$dns")
    export DOCKER_HOST
    /usr/bin/docker import -c 'ENV PATH=/bin' "$tmp/rootfs.tar" busybox:bench >/dev/null
    cmd[docker]="docker-compose -p $proj"
    ;;
  podman)
    podman_up=1
    eval "$("$ANCH/podman_conf.sh" "$tmp/podman/conf")"
    "$ANCH/sandbox.sh" start "$pns" "$tmp/podman/sandbox"
    pod podman import -c 'ENV PATH=/bin' "$tmp/rootfs.tar" busybox:bench >/dev/null
    cmd[podman]="nsenter -t $(cat "$tmp/podman/sandbox/holder.pid") -m -n --wd=$tmp/proj -- podman-compose -p $proj"
    ;;
  *) echo "unknown anchor $a" >&2; exit 2 ;;
  esac
done

log "# compose_anchors_bench $(date -u +%FT%TZ), kernel $(uname -r), $(nproc) cpus"
log "# berth $berth (commit $(git -C "$ROOT" rev-parse --short HEAD)); Debian packages:" \
  "$(dpkg-query -W -f '${Package} ${Version}, ' docker-compose docker.io podman-compose podman runc containerd)"
log "# case tool runs median_s p95_s mean_s min_s max_s load_before(1/5/15 min)"

declare -A median
# shellcheck source=anchors/hyperfine.sh
source "$ANCH/hyperfine.sh"

runs_for() { [[ $1 == podman ]] && echo "$PODMAN_RUNS" || echo "${2:-$RUNS}"; }

for c in $CASES; do
  for a in $ANCHORS; do
    base=${cmd[$a]}
    case $c in
    up)
      # warm-up 1: first-use costs (network plugin loading, page cache) are not part of `up -d`.
      bench up "$a" "$(runs_for "$a")" --warmup 1 --prepare "$base -f sleep.yaml down -t 1" "$base -f sleep.yaml up -d"
      ;;
    noop)
      $base -f sleep.yaml up -d >/dev/null 2>&1
      bench noop "$a" "$(runs_for "$a" "$NOOP_RUNS")" --warmup 1 "$base -f sleep.yaml up -d"
      $base -f sleep.yaml down -t 1 >/dev/null 2>&1
      ;;
    down-sleep | down-trap)
      f=${c#down-}.yaml
      bench "$c" "$a" "$(runs_for "$a")" --prepare "$base -f $f up -d" "$base -f $f down -t 1"
      ;;
    run)
      # stdin from a file through `bash -c exec` (hyperfine 1.15 has no --input); the project
      # network is made by the warm-up run.
      echo hello >"$tmp/run-input"
      bench run "$a" "$(runs_for "$a")" --warmup 1 \
        "bash -c \"exec $base -f sleep.yaml run --rm --no-deps -T hub head -n 1 <$tmp/run-input\""
      $base -f sleep.yaml down -t 1 >/dev/null 2>&1
      ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
    esac
  done
done

summary "$CASES" "$ANCHORS"
echo "results: $RESULTS"
