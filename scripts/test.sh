#!/usr/bin/env bash
# Checks formatting (scripts/lint.sh), builds Berth and runs every test tier (unit, integration, e2e) under CTest.
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/lint.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
