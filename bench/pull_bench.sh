#!/usr/bin/env bash
# Side-by-side pull benchmark (run by hand, as root): `berth image pull` against `docker pull`
# (Debian's docker.io 20.10 daemon), `podman pull` (4.3, overlay storage) and `skopeo copy` to
# an OCI layout (it downloads and verifies but does not unpack: a floor, not a peer), in one run,
# from one docker-registry on 127.0.0.1:5000, of one image made from host directories
# (bench/anchors/make_image.sh; default 4 gzip -6 layers with the contents of /usr/bin,
# /usr/share/doc, /usr/lib/python3 and /usr/share/locale, about 740 MB unpacked).
#   cold   pull into an empty store: every blob downloaded, verified, unpacked
#   warm   the same pull again: everything is present (the manifest is fetched and compared)
#   push   the pulled image into a second, empty registry (127.0.0.1:5001, emptied before each
#          run): berth image push against skopeo copy from the OCI layout (berth and skopeo only)
# Timed with hyperfine (-N); `--prepare` empties the tool's store before each cold run.
#
#   BUILD_DIR=build bench/pull_bench.sh
#   env: BUILD_DIR (default build-bench), RUNS (3), ANCHORS ("berth skopeo podman docker"),
#        CASES ("cold warm push"), LAYERS (directories), RESULTS (summary file)
#
# Isolation: dockerd runs in a sandbox (bench/anchors/sandbox.sh, via dockerd.sh): its own network
# and mount namespaces. The registry and every other tool join that sandbox with nsenter, so they
# all use its loopback and its private /run, /var/lib; each tool's store is under one temporary
# directory. At the end everything is stopped by PID, the namespace deleted, and what is left is
# reported.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCH=$ROOT/bench/anchors
BUILD=${BUILD_DIR:-$ROOT/build-bench}
RUNS=${RUNS:-3}
ANCHORS=${ANCHORS:-berth skopeo podman docker}
CASES=${CASES:-cold warm push}
LAYERS=${LAYERS:-/usr/bin /usr/share/doc /usr/lib/python3 /usr/share/locale}
RESULTS=${RESULTS:-/tmp/pull_bench-$(date +%Y%m%d-%H%M%S).txt}

[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
for tool in hyperfine python3 skopeo docker-registry curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done
berth=$BUILD/compose/berth
[[ -x $berth ]] || { echo "no berth under $BUILD (cmake --build $BUILD --target berth)" >&2; exit 1; }

tmp=/tmp/berthpull-$$
ns=berthbench-r$$
image=127.0.0.1:5000/bench/app:1
mkdir -p "$tmp"
: >"$RESULTS"
log() { echo "$*" | tee -a "$RESULTS"; }
# shellcheck source=anchors/cgroups.sh
source "$ANCH/cgroups.sh"
in_sandbox() { nsenter -t "$(cat "$tmp/docker/sandbox/holder.pid")" -m -n -- "$@"; }

cleanup() {
  set +e
  echo "== cleanup" >&2
  for r in registry registry2; do [[ -s $tmp/$r.pid ]] && kill "$(cat "$tmp/$r.pid")" 2>/dev/null; done
  [[ -d $tmp/docker ]] && "$ANCH/dockerd.sh" stop "$tmp/docker" "$ns"
  rm_cgroups "$ns" || echo "LEFT: cgroups /sys/fs/cgroup/*/$ns" >&2
  ip netns list | grep -E "^$ns( |$)" && echo "LEFT: netns $ns" >&2
  grep -F " $tmp" /proc/self/mountinfo && echo "LEFT: mounts under $tmp" >&2
  for p in /proc/[0-9]*; do
    if grep -qsF "$tmp" "$p/cmdline" 2>/dev/null; then echo "LEFT: process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline")" >&2; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== image from $LAYERS" >&2
# shellcheck disable=SC2086
"$ANCH/make_image.sh" "$tmp/layout" $LAYERS
DOCKER_HOST=$("$ANCH/dockerd.sh" start "$tmp/docker" "$ns")
export DOCKER_HOST

for r in registry:5000 registry2:5001; do
  cat >"$tmp/${r%:*}.yml" <<EOR
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $tmp/${r%:*}}}
http: {addr: 127.0.0.1:${r#*:}}
EOR
  setsid nsenter -t "$(cat "$tmp/docker/sandbox/holder.pid")" -m -n -- docker-registry serve "$tmp/${r%:*}.yml" \
    </dev/null >"$tmp/${r%:*}.log" 2>&1 &
  echo $! >"$tmp/${r%:*}.pid"
  for _ in $(seq 100); do in_sandbox curl -sf -o /dev/null "http://127.0.0.1:${r#*:}/v2/" && break; sleep 0.1; done
done
in_sandbox skopeo copy -q --dest-tls-verify=false "oci:$tmp/layout:latest" "docker://$image"

eval "$("$ANCH/podman_conf.sh" "$tmp/podman")"
declare -A pull clear
pull[berth]="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- $berth --root $tmp/berth --progress quiet image pull $image"
clear[berth]="rm -rf $tmp/berth"
pull[skopeo]="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- skopeo copy -q --src-tls-verify=false docker://$image oci:$tmp/skopeo:1"
clear[skopeo]="rm -rf $tmp/skopeo"
pull[podman]="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- podman pull -q --tls-verify=false $image"
clear[podman]="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- podman rmi -a -f"
pull[docker]="docker pull -q $image"
clear[docker]="docker image rm -f $image"

log "# pull_bench $(date -u +%FT%TZ), kernel $(uname -r), $(nproc) cpus; layers: $LAYERS"
log "# image: $(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(len(m['layers']), 'layers,', round(sum(l['size'] for l in m['layers'])/2**20), 'MiB compressed')" \
  "$tmp/layout/blobs/sha256/$(python3 -c "import json; print(json.load(open('$tmp/layout/index.json'))['manifests'][0]['digest'][7:])")")"
log "# berth $berth (commit $(git -C "$ROOT" rev-parse --short HEAD)); Debian packages:" \
  "$(dpkg-query -W -f '${Package} ${Version}, ' docker.io podman skopeo docker-registry containerd)"
log "# case tool runs median_s p95_s mean_s min_s max_s load_before(1/5/15 min)"

declare -A median
# shellcheck source=anchors/hyperfine.sh
source "$ANCH/hyperfine.sh"

for c in $CASES; do
  for a in $ANCHORS; do
    case $c in
    cold) bench cold "$a" "$RUNS" --prepare "${clear[$a]}" "${pull[$a]}" ;;
    warm)
      ${pull[$a]} >/dev/null
      bench warm "$a" "$RUNS" --warmup 1 "${pull[$a]}"
      ;;
    push)
      target=127.0.0.1:5001/bench/app:1
      case $a in
      berth)
        ${pull[berth]} >/dev/null
        "$berth" --root "$tmp/berth" image tag "$image" "$target"
        push_cmd="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- $berth --root $tmp/berth --progress quiet image push -q $target"
        ;;
      skopeo) push_cmd="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n -- skopeo copy -q --dest-tls-verify=false oci:$tmp/layout:latest docker://$target" ;;
      *) continue ;;
      esac
      bench push "$a" "$RUNS" --prepare "rm -rf $tmp/registry2/docker" "$push_cmd"
      ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
    esac
  done
done

summary "$CASES" "$ANCHORS"
echo "results: $RESULTS"
