// The figures of `docker stats`, read as moby (through containerd's cgroups package) reads them:
//   v1  cpuacct.usage; memory.usage_in_bytes, memory.limit_in_bytes, memory.stat's
//       total_inactive_file; pids.current; blkio.io_service_bytes_recursive, or its throttle.
//       variant where the kernel has no CFQ/BFQ accounting (the case on current kernels)
//   v2  cpu.stat usage_usec; memory.current, memory.max, memory.stat's inactive_file; pids.current;
//       io.stat rbytes/wbytes
// A file that is missing (a controller the container has no directory in, a container already
// gone) leaves its figure at 0, which is what docker shows for it.
#include "compose/runtime/cgroup_stats.hpp"

#include <sys/sysinfo.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <limits>
#include <sstream>
#include <tuple>

#include "common/atomic_file.hpp"

namespace berth::runtime {

namespace {

/// The whole file, "" when it cannot be read (gone, or not this controller's).
std::string cgroup_file(const std::string& dir, const char* name) {
  if (dir.empty()) return "";
  try {
    return read_file(dir + "/" + name);
  } catch (const std::exception&) {
    return "";
  }
}

std::uint64_t to_u64(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool has_file(const std::string& dir, const char* name) {
  std::error_code ec;
  return std::filesystem::exists(dir + "/" + name, ec);
}

}  // namespace

std::uint64_t stat_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ')
      return to_u64(line.substr(key.size() + 1));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}

std::uint64_t parse_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text == "max") return std::numeric_limits<std::uint64_t>::max();
  return to_u64(text);
}

std::pair<std::uint64_t, std::uint64_t> parse_blkio_service_bytes(std::string_view text) {
  std::uint64_t read = 0, write = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string device, op, value;
    if (!(fields >> device >> op >> value)) continue;  // "Total N" has two fields
    if (op[0] == 'r' || op[0] == 'R') read += to_u64(value);
    if (op[0] == 'w' || op[0] == 'W') write += to_u64(value);
  }
  return {read, write};
}

std::pair<std::uint64_t, std::uint64_t> parse_io_stat(std::string_view text) {
  std::uint64_t read = 0, write = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string device;
    fields >> device;
    for (std::string kv; fields >> kv;) {
      if (kv.rfind("rbytes=", 0) == 0) read += to_u64(std::string_view(kv).substr(7));
      if (kv.rfind("wbytes=", 0) == 0) write += to_u64(std::string_view(kv).substr(7));
    }
  }
  return {read, write};
}

CgroupUsage read_cgroup_v1(const CgroupV1Dirs& dirs) {
  CgroupUsage u;
  u.cpu_ns = to_u64(cgroup_file(dirs.cpuacct, "cpuacct.usage"));
  u.memory_usage = to_u64(cgroup_file(dirs.memory, "memory.usage_in_bytes"));
  u.memory_limit = parse_limit(cgroup_file(dirs.memory, "memory.limit_in_bytes"));
  u.memory_inactive_file = stat_value(cgroup_file(dirs.memory, "memory.stat"), "total_inactive_file");
  u.pids = to_u64(cgroup_file(dirs.pids, "pids.current"));
  const bool cfq = !dirs.blkio.empty() && has_file(dirs.blkio, "blkio.io_serviced_recursive");
  std::tie(u.block_read, u.block_write) = parse_blkio_service_bytes(
      cgroup_file(dirs.blkio, cfq ? "blkio.io_service_bytes_recursive" : "blkio.throttle.io_service_bytes_recursive"));
  return u;
}

CgroupUsage read_cgroup_v2(const std::string& dir) {
  CgroupUsage u;
  u.cpu_ns = stat_value(cgroup_file(dir, "cpu.stat"), "usage_usec") * 1000;
  u.memory_usage = to_u64(cgroup_file(dir, "memory.current"));
  u.memory_limit = parse_limit(cgroup_file(dir, "memory.max"));
  u.memory_inactive_file = stat_value(cgroup_file(dir, "memory.stat"), "inactive_file");
  u.pids = to_u64(cgroup_file(dir, "pids.current"));
  std::tie(u.block_read, u.block_write) = parse_io_stat(cgroup_file(dir, "io.stat"));
  return u;
}

CgroupUsage read_container_cgroups(const std::vector<std::string>& v1_dirs, const std::string& v2_dir) {
  if (v1_dirs.empty()) return read_cgroup_v2(v2_dir);
  // Which directory is which controller's: by the files each has (cpu and cpuacct may share one).
  CgroupV1Dirs dirs;
  for (const auto& d : v1_dirs) {
    if (has_file(d, "memory.usage_in_bytes")) dirs.memory = d;
    if (has_file(d, "cpuacct.usage")) dirs.cpuacct = d;
    if (has_file(d, "pids.current")) dirs.pids = d;
    if (has_file(d, "blkio.throttle.io_service_bytes_recursive") || has_file(d, "blkio.io_service_bytes_recursive"))
      dirs.blkio = d;
  }
  return read_cgroup_v1(dirs);
}

HostCpu parse_proc_stat(std::string_view text) {
  HostCpu h;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.size() < 4 || line.compare(0, 3, "cpu") != 0) break;  // the cpu lines come first
    if (line[3] == ' ') {
      std::istringstream fields(line.substr(3));
      std::uint64_t ticks = 0;
      for (int i = 0; i < 7; ++i) {
        std::uint64_t v = 0;
        if (!(fields >> v)) break;
        ticks += v;
      }
      h.system_ns = ticks * 1'000'000'000ULL / 100;  // moby's clockTicksPerSecond is a constant 100
    } else if (line[3] >= '0' && line[3] <= '9') {
      ++h.online_cpus;
    }
  }
  return h;
}

HostCpu read_host_cpu() { return parse_proc_stat(cgroup_file("/proc", "stat")); }

std::pair<std::uint64_t, std::uint64_t> parse_net_dev(std::string_view text) {
  std::uint64_t rx = 0, tx = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream fields(line.substr(colon + 1));
    std::vector<std::uint64_t> v;
    for (std::uint64_t n; v.size() < 9 && fields >> n;) v.push_back(n);
    if (v.size() < 9) continue;
    rx += v[0];  // receive bytes, then 7 more receive fields, then transmit bytes
    tx += v[8];
  }
  return {rx, tx};
}

std::pair<std::uint64_t, std::uint64_t> read_net_bytes(int pid) {
  if (pid <= 0) return {0, 0};
  return parse_net_dev(cgroup_file("/proc/" + std::to_string(pid) + "/net", "dev"));
}

std::uint64_t machine_memory() {
  struct sysinfo info {};
  if (::sysinfo(&info) != 0) return 0;
  return static_cast<std::uint64_t>(info.totalram) * info.mem_unit;
}

}  // namespace berth::runtime
