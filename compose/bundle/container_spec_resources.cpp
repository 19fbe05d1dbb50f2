// cgroup limits and rlimits, and the warnings for every service key the runtime can't honour.
//  - memory: mem_limit (or deploy.resources.limits.memory); memswap_limit is OCI's memory+swap
//    total; unset with a memory limit, Docker allows as much swap as memory (total = 2 x limit);
//    -1 = unlimited swap. The shim leaves swap out where the kernel has no swap accounting.
//  - cpu: cpus (or deploy limits) → quota = cpus x 100000 per 100000 µs period, as Docker;
//    cpu_quota/cpu_period given explicitly win; cpu_shares as is.
//  - pids: pids_limit (or deploy limits), -1 = unlimited.
//  - ulimits → process.rlimits RLIMIT_<NAME>; the shim clamps to its own hard limit with a warning.
//  - storage_opt: only `size` (any case), a docker/go-units RAMInBytes size, as Docker's overlay2
//    driver takes it; the engine puts the limit on the container dir (storage_quota.hpp).
// Keys that only steer compose (build, depends_on, profiles, scale, develop, ...) are not runtime
// keys and produce nothing here.
#include <cctype>
#include <stdexcept>

#include "compose/bundle/container_spec_detail.hpp"

namespace berth::bundle {

std::uint64_t storage_size(const model::Service& s) {
  std::uint64_t size = 0;
  for (const auto& [key, value] : s.storage_opt) {
    auto fail = [&](const std::string& what) {
      throw std::runtime_error("service \"" + s.name + "\": storage_opt." + key + ": " + what);
    };
    std::string lower = key;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "size") fail("unknown option (the only storage option is size)");
    auto bytes = model::parse_bytes(value);
    if (!bytes) fail("invalid size \"" + value + "\" (a number of bytes with an optional unit: 512m, 1G, 10GB)");
    size = static_cast<std::uint64_t>(*bytes);
  }
  return size;
}

}  // namespace berth::bundle

namespace berth::bundle::detail {

namespace {

constexpr std::int64_t kCpuPeriod = 100000;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void build_resources(Build& b) {
  b.spec.storage_size = storage_size(b.in.service);
  const model::Service& s = b.in.service;
  const model::Resource* limits = nullptr;
  const model::Resource* reservations = nullptr;
  if (s.deploy) {
    if (s.deploy->resources.limits) limits = &*s.deploy->resources.limits;
    if (s.deploy->resources.reservations) reservations = &*s.deploy->resources.reservations;
  }

  nlohmann::json res = nlohmann::json::object();
  std::int64_t memory = s.mem_limit.value > 0 ? s.mem_limit.value : (limits ? limits->memory.value : 0);
  if (memory > 0) {
    res["memory"]["limit"] = memory;
    if (s.memswap_limit.value != 0)
      res["memory"]["swap"] = s.memswap_limit.value;  // -1 = unlimited
    else
      res["memory"]["swap"] = memory * 2;
  } else if (s.memswap_limit.value > 0) {
    b.warn("memswap_limit", "needs mem_limit, ignored");
  }

  float cpus = s.cpus > 0 ? s.cpus : (limits ? limits->cpus : 0);
  if (cpus > 0) {
    res["cpu"]["quota"] = static_cast<std::int64_t>(static_cast<double>(cpus) * kCpuPeriod + 0.5);
    res["cpu"]["period"] = kCpuPeriod;
  }
  if (s.cpu_quota != 0) res["cpu"]["quota"] = s.cpu_quota;
  if (s.cpu_period != 0) res["cpu"]["period"] = s.cpu_period;
  if (s.cpu_quota != 0 && s.cpu_period == 0 && !res["cpu"].contains("period")) res["cpu"]["period"] = kCpuPeriod;
  if (s.cpu_shares > 0) res["cpu"]["shares"] = s.cpu_shares;

  std::int64_t pids = s.pids_limit != 0 ? s.pids_limit : (limits ? limits->pids : 0);
  if (pids != 0) res["pids"]["limit"] = pids;
  if (!res.empty()) b.config["linux"]["resources"].update(res);  // keeps build_security's devices

  if (limits && (!limits->devices.empty() || !limits->generic_resources.empty()))
    b.warn("deploy.resources.limits", "devices and generic_resources are not supported, ignored");
  if (reservations && (reservations->cpus > 0 || reservations->memory.value > 0 || reservations->pids > 0 ||
                       !reservations->devices.empty() || !reservations->generic_resources.empty()))
    b.warn("deploy.resources.reservations", "reservations are not supported, ignored");

  nlohmann::json rlimits = nlohmann::json::array();
  for (const auto& [name, u] : s.ulimits) {
    std::int64_t soft = u.single != 0 ? u.single : u.soft;
    std::int64_t hard = u.single != 0 ? u.single : u.hard;
    if (soft < 0 || hard < 0) {
      // -1 = unlimited, as Docker accepts it for memlock etc.
      soft = soft < 0 ? -1 : soft;
      hard = hard < 0 ? -1 : hard;
    }
    auto as_u64 = [](std::int64_t v) { return v < 0 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(v); };
    if (as_u64(soft) > as_u64(hard)) {
      b.warn("ulimits." + name, "soft limit above hard limit, ignored");
      continue;
    }
    rlimits.push_back({{"type", "RLIMIT_" + upper(name)}, {"soft", as_u64(soft)}, {"hard", as_u64(hard)}});
  }
  if (!rlimits.empty()) b.config["process"]["rlimits"] = rlimits;
}

void warn_unsupported(Build& b) {
  const model::Service& s = b.in.service;
  auto unsupported = [&](const char* key, bool set) {
    if (set) b.warn(key, "not supported by berth's runtime, ignored");
  };
  unsupported("gpus", !s.gpus.empty());
  unsupported("blkio_config", s.blkio_config.has_value());
  unsupported("cpuset", !s.cpuset.empty());
  unsupported("cpu_count", s.cpu_count != 0);
  unsupported("cpu_percent", s.cpu_percent != 0);
  unsupported("cpu_rt_period", s.cpu_rt_period != 0);
  unsupported("cpu_rt_runtime", s.cpu_rt_runtime != 0);
  unsupported("cgroup_parent", !s.cgroup_parent.empty());
  unsupported("credential_spec", s.credential_spec.has_value());
  unsupported("isolation", !s.isolation.empty() && s.isolation != "default");
  // Honoured on the first network's interface (compose/runtime); without one there is no MAC to set.
  if (!s.mac_address.empty() && b.in.networks.empty()) b.warn("mac_address", "the container has no network, ignored");
  unsupported("mem_reservation", s.mem_reservation.value != 0);
  unsupported("mem_swappiness", s.mem_swappiness.value != 0);
  unsupported("oom_kill_disable", s.oom_kill_disable);
  unsupported("oom_score_adj", s.oom_score_adj != 0);
  unsupported("runtime", !s.runtime.empty() && s.runtime != "runc" && s.runtime != "berth");
  unsupported("userns_mode", !s.userns_mode.empty());
  unsupported("use_api_socket", s.use_api_socket);
  unsupported("external_links", !s.external_links.empty());
  unsupported("models", !s.models.empty());

  if (!s.platform.empty()) {
    const std::string& p = s.platform;
    if (p != "linux/amd64" && p != "linux/x86_64" && p != "amd64" && p != "linux")
      b.warn("platform", "\"" + p + "\" is not this machine's platform (linux/amd64); the image is run as it is");
  }
  const std::string& arch = b.image.architecture;
  if (!arch.empty() && arch != "amd64")
    b.warn("image", "the image is built for \"" + arch + "\", not amd64; it may not run");
}

}  // namespace berth::bundle::detail
