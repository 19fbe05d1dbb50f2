#pragma once
// `berth stats`: samples of the project's containers (runtime/cgroup_stats) and docker's CLI
// arithmetic on two of them (CPU % from the change of the container's CPU time against the
// host's, memory without the inactive file cache), then the text of docker's stats formatter:
// CONTAINER ID, NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"
#include "compose/gocompat/go_template.hpp"
#include "compose/runtime/cgroup_stats.hpp"

namespace berth::engine {

/// One reading of one container; all zero for a container that does not run.
struct StatsSample {
  runtime::CgroupUsage cgroup;
  runtime::HostCpu host;
  std::uint64_t net_rx = 0, net_tx = 0;
};

/// Reads the container's cgroups (from its shim's state), its namespace's network bytes and the
/// host's CPU time. A container that is not running or paused gives a zero sample.
StatsSample sample_container(const state::Paths& paths, const ObservedRecord& container);

/// docker/cli's StatsEntry (Linux): what one row shows, before formatting.
struct StatsEntry {
  std::string id, name;
  double cpu_percent = 0;
  std::uint64_t memory = 0, memory_limit = 0;
  double memory_percent = 0;
  std::uint64_t net_rx = 0, net_tx = 0, block_read = 0, block_write = 0, pids = 0;
};

/// docker's calculateCPUPercentUnix on `previous` → `current`, calculateMemUsageUnixNoCache and
/// its percentage; a limit above `machine_memory` (no limit set) is shown as the host's memory,
/// as moby reports it.
StatsEntry stats_entry(const ObservedRecord& container, const StatsSample& previous, const StatsSample& current,
                       std::uint64_t machine_memory);

/// Successive readings of a project's containers (of one service when `service` is not empty;
/// running or paused ones unless `all`, one-offs included as docker compose's label filter has
/// them): each next() re-reads the project's state (containers come and go), samples every
/// container and returns its row against the previous reading of it (CPU 0 on the first).
class StatsMonitor {
 public:
  StatsMonitor(Engine& engine, std::string service, bool all);
  std::vector<StatsEntry> next();

 private:
  Engine& m_engine;
  std::string m_service;
  bool m_all;
  std::uint64_t m_machine_memory;
  std::map<std::string, StatsSample> m_previous;  ///< by container id
};

/// docker's default `stats` table: "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t...".
extern const char* const kStatsTableFormat;
/// Column titles of the stats formatter's fields.
const gocompat::TemplateFields& stats_header();
/// The fields of one row as docker's statsContext prints them (Container, ID (12 characters
/// unless `no_trunc`), Name, CPUPerc "0.52%", MemUsage "1.5MiB / 64MiB", MemPerc, NetIO "1.2kB /
/// 0B", BlockIO, PIDs).
gocompat::TemplateFields stats_fields(const StatsEntry& entry, bool no_trunc);

}  // namespace berth::engine
