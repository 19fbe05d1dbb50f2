// compose/runtime/cgroup_stats: the cgroup v1 and v2 readers on fixture directories of plain files
// (whichever version this host runs, both code paths are exercised), and the /proc/stat and
// /proc/<pid>/net/dev parsers on text as the kernel writes it.
#include "compose/runtime/cgroup_stats.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <limits>

#include "support/files.hpp"
#include "support/temp_dir.hpp"

namespace berth::runtime {
namespace {

void put(const std::string& dir, const std::string& name, const std::string& text) {
  ::mkdir(dir.c_str(), 0755);
  test::write_bytes(dir + "/" + name, text);
}

TEST(CgroupStats, V1ControllersAsMobyReadsThem) {
  test::TempDir tmp;
  const std::string memory = tmp / "memory", cpuacct = tmp / "cpuacct", pids = tmp / "pids", blkio = tmp / "blkio";
  put(memory, "memory.usage_in_bytes", "10485760\n");
  put(memory, "memory.limit_in_bytes", "67108864\n");
  put(memory, "memory.stat", "cache 4096\ninactive_file 111\ntotal_cache 8192\ntotal_inactive_file 2097152\n");
  put(cpuacct, "cpuacct.usage", "123456789\n");
  put(pids, "pids.current", "3\n");
  put(blkio, "blkio.throttle.io_service_bytes_recursive",
      "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\n"
      "8:16 Read 1000\n8:16 Write 0\nTotal 13288\n");

  CgroupUsage u = read_container_cgroups({memory, cpuacct, pids, blkio}, tmp / "unified-without-controllers");
  EXPECT_EQ(u.cpu_ns, 123456789u);
  EXPECT_EQ(u.memory_usage, 10485760u);
  EXPECT_EQ(u.memory_limit, 67108864u);
  EXPECT_EQ(u.memory_inactive_file, 2097152u) << "v1: total_inactive_file, not inactive_file";
  EXPECT_EQ(u.pids, 3u);
  EXPECT_EQ(u.block_read, 5096u);
  EXPECT_EQ(u.block_write, 8192u);

  // CFQ/BFQ accounting, when the kernel has it, comes first (containerd's order)
  put(blkio, "blkio.io_serviced_recursive", "Total 0\n");
  put(blkio, "blkio.io_service_bytes_recursive", "8:0 Read 7\n8:0 Write 9\n");
  u = read_container_cgroups({memory, cpuacct, pids, blkio}, "");
  EXPECT_EQ(u.block_read, 7u);
  EXPECT_EQ(u.block_write, 9u);
}

TEST(CgroupStats, V1CpuAndCpuacctSharingADirectory) {
  test::TempDir tmp;
  const std::string both = tmp / "cpu,cpuacct";
  put(both, "cpuacct.usage", "42\n");
  put(both, "cpu.shares", "1024\n");
  CgroupUsage u = read_container_cgroups({both}, "");
  EXPECT_EQ(u.cpu_ns, 42u);
  EXPECT_EQ(u.memory_usage, 0u) << "no memory directory: no figure";
}

TEST(CgroupStats, V2DirectoryAsMobyReadsIt) {
  test::TempDir tmp;
  const std::string dir = tmp / "berth-ctr";
  put(dir, "memory.current", "5242880\n");
  put(dir, "memory.max", "max\n");
  put(dir, "memory.stat", "anon 1000\nfile 2000\ninactive_file 1048576\nactive_file 10\n");
  put(dir, "cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
  put(dir, "pids.current", "7\n");
  put(dir, "io.stat",
      "8:0 rbytes=4096 wbytes=512 rios=1 wios=1 dbytes=0 dios=0\n"
      "259:0 rbytes=100 wbytes=200 rios=1 wios=1 dbytes=0 dios=0\n");
  CgroupUsage u = read_container_cgroups({}, dir);
  EXPECT_EQ(u.cpu_ns, 2500000u) << "usage_usec × 1000";
  EXPECT_EQ(u.memory_usage, 5242880u);
  EXPECT_EQ(u.memory_limit, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(u.memory_inactive_file, 1048576u);
  EXPECT_EQ(u.pids, 7u);
  EXPECT_EQ(u.block_read, 4196u);
  EXPECT_EQ(u.block_write, 712u);

  put(dir, "memory.max", "67108864\n");
  EXPECT_EQ(read_cgroup_v2(dir).memory_limit, 67108864u);
}

TEST(CgroupStats, MissingFilesGiveZeros) {
  CgroupUsage u = read_cgroup_v2("/nonexistent/berth-stats");
  EXPECT_EQ(u.cpu_ns + u.memory_usage + u.memory_limit + u.pids + u.block_read + u.block_write, 0u);
  CgroupUsage v = read_cgroup_v1({});
  EXPECT_EQ(v.cpu_ns + v.memory_usage + v.memory_limit + v.pids + v.block_read + v.block_write, 0u);
}

TEST(CgroupStats, ProcStatIsSystemTimeAt100HzAndOnlineCpus) {
  HostCpu h = parse_proc_stat(
      "cpu  100 5 50 1000 20 0 3 7 0 0\n"
      "cpu0 50 2 25 500 10 0 2 3 0 0\n"
      "cpu1 50 3 25 500 10 0 1 4 0 0\n"
      "intr 12345 0 0\n"
      "cpu9 is not counted after the cpu lines\n");
  EXPECT_EQ(h.system_ns, 1178ULL * 10'000'000ULL) << "the first seven fields (steal excluded)";
  EXPECT_EQ(h.online_cpus, 2u);
  HostCpu here = read_host_cpu();
  EXPECT_GT(here.system_ns, 0u);
  EXPECT_GE(here.online_cpus, 1u);
}

TEST(CgroupStats, NetDevSumsEveryInterfaceButLo) {
  const std::string text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
      "carrier compressed\n"
      "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0  "
      "     0          0\n"
      "  eth0:56739432    1225    0    0    0     0          0         0    63117     736    0    0    0     0  "
      "     0          0\n"
      "  eth1:     100       1    0    0    0     0          0         0       50       1    0    0    0     0  "
      "     0          0\n";
  auto [rx, tx] = parse_net_dev(text);
  EXPECT_EQ(rx, 56739532u);
  EXPECT_EQ(tx, 63167u);
  EXPECT_EQ(read_net_bytes(0), std::make_pair(std::uint64_t{0}, std::uint64_t{0}));
}

TEST(CgroupStats, StatValueMatchesWholeKeys) {
  EXPECT_EQ(stat_value("total_inactive_file 5\ninactive_file 3\n", "inactive_file"), 3u);
  EXPECT_EQ(stat_value("inactive_file_x 5\n", "inactive_file"), 0u);
  EXPECT_EQ(parse_limit("9223372036854771712\n"), 9223372036854771712u);
  EXPECT_GT(machine_memory(), 0u);
}

}  // namespace
}  // namespace berth::runtime
