// Network benchmark (run by hand, as root): time to create a network and attach 20 network
// namespaces to it (lease, veth, address, routes, firewall rules), then to detach them and
// remove the network. Median and p95 over RUNS runs; namespaces are created outside the timed
// part (the engine makes them before attaching).
//
//   build-net/bench/network_attach_bench [RUNS=20] [CONTAINERS=20]
//
// Everything lives under a temporary root /tmp/berth-netbench-<pid> and is removed at the end.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "compose/network/manager.hpp"
#include "compose/network/netns.hpp"

using namespace berth::network;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

void report(const char* what, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double median = v[v.size() / 2];
  const double p95 = v[std::min(v.size() - 1, v.size() * 95 / 100)];
  std::printf("%-40s median %8.2f ms   p95 %8.2f ms   min %8.2f ms   (n=%zu)\n", what, median, p95, v.front(),
              v.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::stoi(argv[1]) : 20;
  const int count = argc > 2 ? std::stoi(argv[2]) : 20;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "needs root\n");
    return 1;
  }
  std::printf("command: %s %d %d\n", argv[0], runs, count);
  const std::string root = "/tmp/berth-netbench-" + std::to_string(::getpid());
  const std::string run = root + "/run";
  std::vector<std::string> netns;
  for (int i = 0; i < count; ++i) {
    netns.push_back(run + "/netns/c" + std::to_string(i));
    create_netns(netns.back());
  }
  std::vector<double> up, down, attach_one;
  int status = 0;
  NetworkConfig config;
  config.name = "bench_default";
  config.project = "bench";
  try {
    NetworkManager mgr(root, run);
    for (int r = 0; r < runs; ++r) {
      auto t0 = Clock::now();
      auto net = mgr.ensure_network(config);
      for (int i = 0; i < count; ++i) {
        AttachRequest req;
        req.container_id = std::string(54, 'a') + std::to_string(1000000000 + i);
        req.network_id = net.id;
        req.netns_path = netns[static_cast<size_t>(i)];
        req.ports.push_back(PortMapping{"", static_cast<uint16_t>(30000 + i), 80, "tcp"});
        auto ta = Clock::now();
        mgr.attach(req);
        attach_one.push_back(ms_since(ta));
      }
      up.push_back(ms_since(t0));
      auto t1 = Clock::now();
      for (int i = 0; i < count; ++i) mgr.detach(std::string(54, 'a') + std::to_string(1000000000 + i), net.id, true);
      mgr.remove_network(net.id);
      down.push_back(ms_since(t1));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    status = 1;
  }
  for (const auto& ns : netns) remove_netns(ns);
  std::filesystem::remove_all(root);
  if (status) return status;
  char label[80];
  std::snprintf(label, sizeof label, "ensure_network + %d attach (1 port each)", count);
  report(label, up);
  report("  one attach", attach_one);
  std::snprintf(label, sizeof label, "%d detach + remove_network", count);
  report(label, down);
  return 0;
}
