#!/usr/bin/env bash
# Installs the npm packages the tests need with the machine's Node.js and npm: tests/k8s-validate
# (kubernetes-models and yaml, at the versions its package-lock.json pins; the bridge tests
# validate `berth bridge convert`'s manifests with them). Idempotent and offline once installed:
# nothing is fetched while node_modules matches the lock. Safe to run from parallel tests (flock).
set -euo pipefail
dir="$(cd "$(dirname "$0")/../tests/k8s-validate" && pwd)"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install-node-deps: $tool is not installed" >&2; exit 2; }
done
exec 9>"$dir/.install.lock"
flock 9
if cmp -s "$dir/package-lock.json" "$dir/node_modules/.berth-installed-lock" 2>/dev/null; then
  exit 0
fi
echo "install-node-deps: installing tests/k8s-validate's packages"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
cp "$dir/package-lock.json" "$dir/node_modules/.berth-installed-lock"
