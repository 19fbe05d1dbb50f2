#!/usr/bin/env bash
# Installs every Debian package Berth needs to build and test. Idempotent: packages already
# present are skipped, and apt is only touched when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build git ccache
  libyaml-cpp-dev nlohmann-json3-dev libvalijson-dev libboost-dev libc-ares-dev
  libspdlog-dev libfmt-dev libcli11-dev libcurl4-openssl-dev libssl-dev libarchive-dev libisal-dev
  libnl-3-dev libnl-route-3-dev libnftables-dev libseccomp-dev libcap-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev clang-format clang-tidy
  # runtime tools the integration/e2e tests drive
  iproute2 nftables dnsutils busybox-static curl xfsprogs btrfs-progs
  # the registry tests: a real registry, skopeo to fill it, htpasswd for Basic auth
  docker-registry skopeo apache2-utils
  # the shells whose completion scripts the e2e tests drive
  bash-completion zsh fish
  # the example's images (scripts/example-images.sh) and the benchmarks (bench/)
  debootstrap iperf3 dnsperf hyperfine jq
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# `kubectl kustomize` for the bridge tests (tests/e2e/bridge_validate_test.cpp): Debian's
# kubernetes-client, unless the machine has a kubectl already (its package would conflict).
command -v kubectl >/dev/null || dpkg-query -W -f='${Status}' kubernetes-client 2>/dev/null |
  grep -q "install ok installed" || missing+=(kubernetes-client)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all build dependencies present"
