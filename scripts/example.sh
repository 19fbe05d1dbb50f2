#!/usr/bin/env bash
# Builds Berth and brings up the example app + database stack (examples/app-db).
# Until the runtime lands (issues 3-5) this validates the stack and prints its resolved model.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target berth >/dev/null
exec ./build/compose/berth -f examples/app-db/compose.yaml config "$@"
