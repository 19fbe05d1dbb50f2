#!/usr/bin/env bash
# Side-by-side: `config` of a 200-service project with 3 override files, Berth vs the anchors
# that install here: docker-compose 1.29 from Debian. (Debian's podman-compose 1.0.3 has no
# `config` command, so it cannot be compared here.) The files avoid `!override` and a top-level
# `name:`, which docker-compose 1.x cannot read.
#   bench/config_bench.sh            (installs hyperfine and the anchors if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
for p in hyperfine docker-compose; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
build=${BUILD_DIR:-build-bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target berth load_bench >/dev/null

work=$(mktemp -d /tmp/berth-config-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
"./$build/bench/load_bench" 50 --keep "$work/project" --portable
cd "$work/project"
files=(-p bench -f compose.yaml -f override0.yaml -f override1.yaml -f override2.yaml)
export TAG=v1
cmds=("$OLDPWD/$build/compose/berth ${files[*]} config")
names=(berth)
if command -v docker-compose >/dev/null; then cmds+=("docker-compose ${files[*]} config"); names+=(docker-compose); fi
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --warmup 3 --min-runs 10 --export-markdown "$work/result.md" "${args[@]}"
cat "$work/result.md"
