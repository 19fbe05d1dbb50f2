#pragma once
// What `berth stats` reads of one container, the figures moby hands docker's CLI: CPU time, memory
// usage and limit, block I/O and pids from the container's cgroups (v1 controllers, or cgroup v2),
// network bytes from its network namespace (/proc/<pid>/net/dev), and the host's CPU time from
// /proc/stat. The parsers take file text and the readers a directory, so unit tests run them on
// fixture files for both cgroup versions whatever this host has.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::runtime {

/// One reading of a container's cgroups, in moby's units.
struct CgroupUsage {
  std::uint64_t cpu_ns = 0;        ///< total CPU time (v1 cpuacct.usage; v2 cpu.stat usage_usec × 1000)
  std::uint64_t memory_usage = 0;  ///< v1 memory.usage_in_bytes; v2 memory.current
  /// total_inactive_file (v1) / inactive_file (v2) of memory.stat: what docker subtracts.
  std::uint64_t memory_inactive_file = 0;
  std::uint64_t memory_limit = 0;  ///< memory.limit_in_bytes / memory.max ("max": UINT64_MAX)
  std::uint64_t block_read = 0, block_write = 0;
  std::uint64_t pids = 0;
};

/// The v1 directories of one container, by controller ("" where it has none).
struct CgroupV1Dirs {
  std::string memory, cpuacct, pids, blkio;
};

/// Reads the v1 controllers' files (a missing file leaves its figure 0).
CgroupUsage read_cgroup_v1(const CgroupV1Dirs& dirs);
/// Reads a cgroup v2 directory (memory.current, memory.max, memory.stat, cpu.stat, io.stat,
/// pids.current; a missing file leaves its figure 0).
CgroupUsage read_cgroup_v2(const std::string& dir);
/// The container's figures from the directories its shim recorded: the v1 controllers when it has
/// any (v1 and hybrid hosts, where they carry the accounting), its v2 directory otherwise.
CgroupUsage read_container_cgroups(const std::vector<std::string>& v1_dirs, const std::string& v2_dir);

/// The value of `key` in "key value" lines (memory.stat, cpu.stat), 0 when absent.
std::uint64_t stat_value(std::string_view text, std::string_view key);
/// Read and write bytes of blkio.*io_service_bytes_recursive ("8:0 Read 4096" lines, "Total" skipped).
std::pair<std::uint64_t, std::uint64_t> parse_blkio_service_bytes(std::string_view text);
/// Read and write bytes of io.stat ("8:0 rbytes=4096 wbytes=0 rios=1 ..." lines), summed over devices.
std::pair<std::uint64_t, std::uint64_t> parse_io_stat(std::string_view text);
/// A limit file's value: "max" (v2 unlimited) is UINT64_MAX, a number otherwise (0 when unreadable).
std::uint64_t parse_limit(std::string_view text);

/// The host's CPU time and online CPUs, as moby's getSystemCPUUsage reads /proc/stat.
struct HostCpu {
  std::uint64_t system_ns = 0;  ///< first seven fields of the "cpu " line, ticks at 100 Hz → ns
  std::uint32_t online_cpus = 0;
};
HostCpu parse_proc_stat(std::string_view text);
HostCpu read_host_cpu();

/// Received and transmitted bytes of /proc/<pid>/net/dev text, summed over every interface but lo
/// (docker sums the sandbox's interfaces, which never include lo).
std::pair<std::uint64_t, std::uint64_t> parse_net_dev(std::string_view text);
/// The network bytes of the namespace process `pid` lives in ({0, 0} when it is gone).
std::pair<std::uint64_t, std::uint64_t> read_net_bytes(int pid);

/// The host's memory (sysinfo totalram), docker's limit for a container without one.
std::uint64_t machine_memory();

}  // namespace berth::runtime
