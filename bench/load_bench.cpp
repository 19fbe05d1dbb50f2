// Loading and resolving a large project: 200 services in compose.yaml plus 3 override files,
// with the features real files use (anchors, interpolation, env files, healthchecks, ports,
// volumes, depends_on). Prints min / median / p95 wall time of load_project() over N runs.
//
//   build/bench/load_bench [runs] [--keep DIR] [--portable]
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "compose/loader/load.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string base_file(int services, bool portable) {
  std::string y = std::string(portable ? "" : "name: bench\n") +
                  "x-common: &common\n  restart: unless-stopped\n  labels:\n    team: core\n"
                  "  logging:\n    driver: json-file\n    options:\n      max-size: 10m\n";
  y += "services:\n";
  for (int i = 0; i < services; ++i) {
    std::string n = "svc" + std::to_string(i);
    y += "  " + n + ":\n    <<: *common\n    image: registry.local/app/" + n + ":${TAG:-latest}\n";
    y += "    environment:\n      - SERVICE=" + n + "\n      - PORT=80\n      - DB_URL=postgres://db:5432/${DB:-app}\n";
    y += "    env_file: ./common.env\n";
    y += "    ports:\n      - \"" + std::to_string(20000 + i) + ":80\"\n";
    y += "    volumes:\n      - ./data/" + n + ":/data\n      - shared:/shared:ro\n";
    y += "    healthcheck:\n      test: curl -f http://localhost/ || exit 1\n      interval: 10s\n      timeout: 2s\n  "
         "    retries: 3\n";
    if (i > 0) y += "    depends_on:\n      svc" + std::to_string(i / 2) + ":\n        condition: service_started\n";
    y += "    networks: [front, back]\n";
  }
  y += "networks:\n  front: {}\n  back:\n    internal: true\nvolumes:\n  shared: {}\n";
  return y;
}

/// `portable`: no `!override` tag and no top-level `name:` (use -p), so docker-compose 1.x, which
/// lacks both, can read the files too.
std::string override_file(int services, int which, bool portable) {
  std::string y = "services:\n";
  for (int i = which; i < services; i += 3) {
    y += "  svc" + std::to_string(i) + ":\n    environment:\n      OVERRIDE_" + std::to_string(which) + ": \"yes\"\n";
    y += "    labels:\n      - layer=" + std::to_string(which) + "\n";
    if (which == 2)
      y += std::string("    ports:") + (portable ? "" : " !override") + "\n      - \"" + std::to_string(30000 + i) +
           ":8080\"\n";
  }
  return y;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 50;
  std::string keep;
  bool portable = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--keep" && i + 1 < argc)
      keep = argv[++i];
    else if (a == "--portable")
      portable = true;
  }
  const int services = 200;
  char tmpl[] = "/tmp/berth-load-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return perror("mkdtemp"), 1;
  fs::path dir = tmpl;
  write(dir / "compose.yaml", base_file(services, portable));
  for (int k = 0; k < 3; ++k)
    write(dir / ("override" + std::to_string(k) + ".yaml"), override_file(services, k, portable));
  write(dir / "common.env", "LOG_LEVEL=info\nREGION=eu\n");

  berth::loader::LoadOptions opts;
  opts.working_directory = dir;
  opts.files = {"compose.yaml", "override0.yaml", "override1.yaml", "override2.yaml"};
  opts.os_environment = {{"HOME", "/root"}, {"TAG", "v1"}};
  opts.project_name = "bench";

  std::vector<double> ms;
  size_t count = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    auto project = berth::loader::load_project(opts);
    auto t1 = std::chrono::steady_clock::now();
    count = project.model.services.size();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("load_project: %zu services, 1 file + 3 overrides, %d runs: min %.1f ms, median %.1f ms, p95 %.1f ms\n",
              count, runs, ms.front(), ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]);
  if (!keep.empty()) fs::copy(dir, keep, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::remove_all(dir);
  return 0;
}
