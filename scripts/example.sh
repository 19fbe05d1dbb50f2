#!/usr/bin/env bash
# The README's first command: builds Berth, makes the example's images from Debian's packages
# (scripts/example-images.sh; minutes the first time, seconds afterwards) and brings up the
# app + database stack of examples/app-db, then prints its URL.
#
# Usage: sudo scripts/example.sh            (WEB_PORT=9000 to publish on another port)
# Runs without a terminal; needs root (containers, networks) and Debian's mirror on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "example: run as root (sudo $0): containers, networks and port publishing need it" >&2
  exit 1
fi

step() { echo "==> $*" >&2; }

step "installing build dependencies"
./scripts/install-deps.sh >/dev/null

step "building berth, berth-shim, berth-init, berth-dns (Release, into build/)"
targets=(berth berth-shim berth-init)
[ -f dns/CMakeLists.txt ] && targets+=(berth-dns)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target "${targets[@]}" >/dev/null
berth=$PWD/build/compose/berth
# The engine finds its helpers next to `berth` or through these variables.
export BERTH_SHIM=${BERTH_SHIM:-$PWD/build/runtime-shim/berth-shim}
[ -x build/dns/berth-dns ] && export BERTH_DNS=${BERTH_DNS:-$PWD/build/dns/berth-dns}

step "making the images berth-example/postgres:15 and berth-example/debian:bookworm (the app's base)"
./scripts/example-images.sh --berth "$berth" >/dev/null

port=${WEB_PORT:-8080}
step "starting examples/app-db: building the web app's image, waiting until both services are healthy"
WEB_PORT=$port "$berth" -f examples/app-db/compose.yaml up -d --wait

cat <<EOF

App: http://127.0.0.1:$port

  curl http://127.0.0.1:$port/                     count a visit
  curl -d note=hello http://127.0.0.1:$port/notes  add a note
  build/compose/berth -f examples/app-db/compose.yaml ps
  build/compose/berth -f examples/app-db/compose.yaml logs web
  build/compose/berth -f examples/app-db/compose.yaml down      stop (the data volume stays)
  build/compose/berth -f examples/app-db/compose.yaml down -v   stop and drop the data
EOF
