#!/usr/bin/env bash
# Published-port throughput benchmark (run by hand, as root): iperf3 from the host to a
# "container" (a network namespace on a Berth-style bridge) running `iperf3 -s`,
#   1. directly to the container address (no NAT: the baseline),
#   2. through the published port on 127.0.0.1 (output DNAT + masquerade, route_localnet),
#   3. through the published port on the bridge gateway address (output DNAT),
#   4. through docker-proxy on 127.0.0.1 (Docker's userland proxy, for comparison), if installed.
# The rules are made by Berth's own Firewall code (compose/network/firewall*.cpp, compiled here
# into a small driver), so what is measured is exactly the kernel path `berth up` sets up.
#
#   bench/port_throughput_bench.sh [SECONDS] [ROUNDS]   defaults: 5 s per run, 3 rounds (median)
#
# Traffic stays on this host: loopback, the test bridge and the namespace the script creates.
set -euo pipefail

SECONDS_PER_RUN=${1:-5}
ROUNDS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) == 0 ]] || { echo "needs root" >&2; exit 1; }
command -v iperf3 >/dev/null || apt-get install -y iperf3 >/dev/null
command -v jq >/dev/null || apt-get install -y jq >/dev/null

TAG=$(printf '%05x' $(($$ & 0xfffff)))
OCTET=$(($$ % 250))
NS=bpb$TAG
BRIDGE=berth-p$TAG
VETH=berthp${TAG}h
PEER=bpb${TAG}p
GATEWAY=10.226.$OCTET.1
ADDRESS=10.226.$OCTET.2
NET_ID=p${TAG}000000
CTR_ID=$(printf 'p%.0s' {1..59})$TAG
PUBLISHED=$((30000 + $$ % 10000))
PROXIED=$((PUBLISHED + 1))
WORK=$(mktemp -d /tmp/berth-port-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f $WORK/iperf.pid ]] && kill "$(cat "$WORK/iperf.pid")" 2>/dev/null || true
  [[ -x $WORK/fwctl ]] && "$WORK/fwctl" remove-network "$NET_ID" || true
  ip link del "$VETH" 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The driver: Firewall calls from the command line, taking the host lock itself.
cat >"$WORK/fwctl.cpp" <<'EOF'
#include <cstdio>
#include <iostream>
#include <string>
#include "compose/network/firewall.hpp"
using namespace berth::network;
int main(int argc, char** argv) try {
  Firewall fw(HostLock::take);
  std::string verb = argc > 1 ? argv[1] : "";
  if (verb == "add-network" && argc == 6) {
    fw.add_network({argv[2], argv[3], argv[4], argv[5], false});
  } else if (verb == "add-endpoint" && argc >= 6) {  // CTR NET BRIDGE ADDR [HOSTPORT:PORT/PROTO]...
    FirewallEndpoint ep{argv[2], argv[3], argv[4], argv[5], {}};
    for (int i = 6; i < argc; ++i) {
      unsigned host = 0, target = 0;
      char proto[4] = {};
      if (std::sscanf(argv[i], "%u:%u/%3s", &host, &target, proto) != 3) throw std::invalid_argument(argv[i]);
      ep.ports.push_back({"", static_cast<uint16_t>(host), static_cast<uint16_t>(target), proto});
    }
    fw.add_endpoint(ep);
  } else if (verb == "remove-network" && argc == 3) {
    fw.remove_network(argv[2]);
  } else {
    std::cerr << "usage: fwctl add-network|add-endpoint|remove-network ...\n";
    return 2;
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "fwctl: " << e.what() << "\n";
  return 1;
}
EOF
g++ -std=c++20 -O2 -I"$ROOT" "$WORK/fwctl.cpp" "$ROOT"/compose/network/firewall*.cpp "$ROOT/common/sys_error.cpp" \
  -lnftables -o "$WORK/fwctl"

ip link add "$BRIDGE" type bridge
ip addr add "$GATEWAY/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
ip netns add "$NS"
ip link add "$VETH" type veth peer name "$PEER"
ip link set "$VETH" master "$BRIDGE" up
ip link set "$PEER" netns "$NS"
ip -n "$NS" link set "$PEER" name eth0
ip -n "$NS" addr add "$ADDRESS/24" dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS" link set lo up
ip -n "$NS" route add default via "$GATEWAY"
"$WORK/fwctl" add-network "$NET_ID" "$BRIDGE" "10.226.$OCTET.0/24" "$GATEWAY"
"$WORK/fwctl" add-endpoint "$CTR_ID" "$NET_ID" "$BRIDGE" "$ADDRESS" "$PUBLISHED:5201/tcp"

ip netns exec "$NS" iperf3 -s -p 5201 -D --pidfile "$WORK/iperf.pid" >/dev/null
if [[ -x /usr/sbin/docker-proxy ]]; then
  # dockerd hands docker-proxy a status pipe as fd 3 ("0\n" = listening); without one it closes
  # whatever fd 3 is, its own listener included.
  /usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port "$PROXIED" \
    -container-ip "$ADDRESS" -container-port 5201 3>"$WORK/proxy.status" 2>/dev/null &
  PIDS+=($!)
fi
sleep 1

# Receiver throughput of one run in Gbit/s (0 when the run failed).
once() {
  timeout $((SECONDS_PER_RUN + 20)) iperf3 -c "$1" -p "$2" -t "$SECONDS_PER_RUN" -J 2>/dev/null |
    jq '(.end.sum_received.bits_per_second // 0) / 1e9' || echo 0
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.2f", v[int((NR+1)/2)]}'; }

# Rounds interleave the targets so drift (CPU frequency, other load) hits all of them alike.
d=() l=() g=() p=()
for ((round = 0; round < ROUNDS; round++)); do
  d+=("$(once "$ADDRESS" 5201)")
  l+=("$(once 127.0.0.1 "$PUBLISHED")")
  g+=("$(once "$GATEWAY" "$PUBLISHED")")
  if [[ -x /usr/sbin/docker-proxy ]]; then p+=("$(once 127.0.0.1 "$PROXIED")"); fi
done
direct=$(median "${d[@]}")
loopback=$(median "${l[@]}")
gateway=$(median "${g[@]}")
proxy=""
if [[ ${#p[@]} -gt 0 ]]; then proxy=$(median "${p[@]}"); fi
ratio() { awk -v a="$1" -v b="$direct" 'BEGIN {printf "%.2f", a / b}'; }

echo "iperf3 host → container, ${SECONDS_PER_RUN}s x $ROUNDS rounds (median, Gbit/s)"
printf '  %-44s %8s\n' "direct to $ADDRESS:5201" "$direct"
printf '  %-44s %8s  ratio %s\n' "published 127.0.0.1:$PUBLISHED (DNAT+masq)" "$loopback" \
  "$(ratio "$loopback")"
printf '  %-44s %8s  ratio %s\n' "published $GATEWAY:$PUBLISHED (DNAT)" "$gateway" \
  "$(ratio "$gateway")"
if [[ -n $proxy ]]; then
  printf '  %-44s %8s  ratio %s\n' "docker-proxy 127.0.0.1:$PROXIED (userland)" "$proxy" \
    "$(ratio "$proxy")"
else
  echo "  docker-proxy: not installed (/usr/sbin/docker-proxy missing)"
fi
