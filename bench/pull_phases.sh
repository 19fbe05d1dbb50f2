#!/usr/bin/env bash
# The download phase of a cold `berth image pull` against `skopeo copy` (download and verify only),
# from one docker-registry on a free 127.0.0.1 port, of the pull benchmark's image (bench/anchors/
# make_image.sh). Berth's download phase ends at its last layer's "Download complete" line (layers
# unpack meanwhile, on other threads); bench/pull_phases.py times the lines. Run by hand, as root:
#   BUILD_DIR=build RUNS=5 LAYERS="/usr/lib/gcc /usr/share/locale" bench/pull_phases.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD_DIR:-$ROOT/build}" && pwd)
RUNS=${RUNS:-5}
LAYERS=${LAYERS:-/usr/lib/gcc /usr/share/locale}
[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
for tool in python3 skopeo docker-registry curl; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
tmp=$(mktemp -d /var/tmp/berth-phases-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
image=127.0.0.1:$port/bench/app:1
reg_pid=""
cleanup() {
  set +e
  if [[ -n $reg_pid ]]; then
    kill "$reg_pid" 2>/dev/null
    wait "$reg_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck disable=SC2086
"$ROOT/bench/anchors/make_image.sh" "$tmp/layout" $LAYERS
cat >"$tmp/registry.yml" <<EOR
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $tmp/registry}}
http: {addr: 127.0.0.1:$port}
EOR
docker-registry serve "$tmp/registry.yml" </dev/null >"$tmp/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$tmp/layout:latest" "docker://$image"
echo "# pull_phases $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); layers: $LAYERS"
python3 "$ROOT/bench/pull_phases.py" "$RUNS" "$BUILD/compose/berth" "$tmp" "$image"
