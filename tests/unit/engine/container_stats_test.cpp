// compose/engine/container_stats: docker's CPU % and memory arithmetic on two samples, the limit
// of a container without one, and the stats formatter's fields and default table.
#include "compose/engine/container_stats.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace berth::engine {
namespace {

ObservedRecord stats_container() {
  ObservedRecord o;
  o.record.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  o.record.name = "p-web-1";
  o.status.status = "running";
  return o;
}

StatsSample sample(std::uint64_t cpu_ns, std::uint64_t system_ns) {
  StatsSample s;
  s.cgroup.cpu_ns = cpu_ns;
  s.host.system_ns = system_ns;
  s.host.online_cpus = 4;
  s.cgroup.memory_usage = 10 << 20;
  s.cgroup.memory_inactive_file = 2 << 20;
  s.cgroup.memory_limit = 64 << 20;
  s.cgroup.pids = 2;
  s.net_rx = 1234;
  s.net_tx = 0;
  s.cgroup.block_read = 4096;
  s.cgroup.block_write = 1'500'000;
  return s;
}

TEST(ContainerStats, CpuPercentIsTheContainersShareOfTheHostTimesCpus) {
  // 0.5 s of CPU while the host's 4 CPUs ran 4 s in all: 12.5% of the host, 50% of one CPU
  StatsEntry e = stats_entry(stats_container(), sample(1'000'000'000, 10'000'000'000),
                             sample(1'500'000'000, 14'000'000'000), 8ULL << 30);
  EXPECT_DOUBLE_EQ(e.cpu_percent, 50.0);
  EXPECT_EQ(e.memory, 8u << 20) << "usage minus the inactive file cache";
  EXPECT_EQ(e.memory_limit, 64u << 20);
  EXPECT_DOUBLE_EQ(e.memory_percent, 12.5);
  // the same sample twice (the first reading) or a clock that did not move: 0
  EXPECT_EQ(stats_entry(stats_container(), sample(5, 7), sample(5, 7), 0).cpu_percent, 0.0);
}

TEST(ContainerStats, NoLimitShowsTheHostsMemory) {
  StatsSample s = sample(0, 0);
  s.cgroup.memory_limit = std::numeric_limits<std::uint64_t>::max();  // v2 "max"
  EXPECT_EQ(stats_entry(stats_container(), s, s, 8ULL << 30).memory_limit, 8ULL << 30);
  s.cgroup.memory_limit = 9223372036854771712ULL;  // v1's unlimited
  EXPECT_EQ(stats_entry(stats_container(), s, s, 8ULL << 30).memory_limit, 8ULL << 30);
  s.cgroup.memory_inactive_file = s.cgroup.memory_usage + 1;  // never below zero
  EXPECT_EQ(stats_entry(stats_container(), s, s, 8ULL << 30).memory, s.cgroup.memory_usage);
}

TEST(ContainerStats, DockersTableAndJson) {
  StatsEntry e = stats_entry(stats_container(), sample(0, 0), sample(5'200'000, 1'000'000'000), 8ULL << 30);
  StatsEntry stopped;  // docker's row for a container that does not run (stats -a)
  stopped.id = std::string(64, 'f');
  stopped.name = "p-job-1";
  std::vector<gocompat::TemplateFields> rows = {stats_fields(e, false), stats_fields(stopped, false)};
  EXPECT_EQ(gocompat::format_rows("", kStatsTableFormat, stats_header(), rows),
            "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O       BLOCK I/O       PIDS\n"
            "0123456789ab   p-web-1   2.08%     8MiB / 64MiB        12.50%    1.23kB / 0B   4.1kB / 1.5MB   2\n"
            "ffffffffffff   p-job-1   0.00%     0B / 0B             0.00%     0B / 0B       0B / 0B         0\n");
  auto json = nlohmann::json::parse(gocompat::format_rows("json", kStatsTableFormat, stats_header(), {rows[0]}));
  EXPECT_EQ(json["Container"], stats_container().record.id);
  EXPECT_EQ(json["ID"], "0123456789ab");
  EXPECT_EQ(json["Name"], "p-web-1");
  EXPECT_EQ(json["MemUsage"], "8MiB / 64MiB");
  EXPECT_EQ(json["PIDs"], "2");
  EXPECT_EQ(json.size(), 9u);
  EXPECT_EQ(stats_fields(e, true)["ID"], stats_container().record.id);
}

}  // namespace
}  // namespace berth::engine
