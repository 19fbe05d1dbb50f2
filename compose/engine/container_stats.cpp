// Sampling and docker's stats arithmetic. The container's cgroup directories and PID 1 come from
// its shim's state.json (what the shim really made, cgroup_parent and hybrid hosts included);
// network bytes are read through /proc/<pid 1>/net/dev, which shows the namespace that process
// lives in, so no setns is needed and a `network_mode: service:x` container reads x's namespace,
// as docker follows it to the sandbox it shares. A host-network container shows 0B / 0B, as
// docker does (its sandbox has no interfaces of its own).
#include "compose/engine/container_stats.hpp"

#include <cstdio>
#include <tuple>

#include "common/shim_protocol.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::engine {

StatsSample sample_container(const state::Paths& paths, const ObservedRecord& container) {
  StatsSample s;
  const std::string& status = container.status.status;
  if (status != "running" && status != "paused" && status != "restarting") return s;
  shim_protocol::State st;
  try {
    st = shim_protocol::read_state(paths.shim_state_dir(container.record.id));
  } catch (const std::exception&) {
    return s;  // gone between observing and sampling: a zero row, as docker shows a stopped one
  }
  s.cgroup = runtime::read_container_cgroups(st.cgroup_v1, st.cgroup_v2);
  s.host = runtime::read_host_cpu();
  if (!container.record.netns.empty()) std::tie(s.net_rx, s.net_tx) = runtime::read_net_bytes(st.pid);
  return s;
}

StatsEntry stats_entry(const ObservedRecord& container, const StatsSample& previous, const StatsSample& current,
                       std::uint64_t machine_memory) {
  StatsEntry e;
  e.id = container.record.id;
  e.name = container.record.name;
  const double cpu_delta = static_cast<double>(current.cgroup.cpu_ns) - static_cast<double>(previous.cgroup.cpu_ns);
  const double system_delta =
      static_cast<double>(current.host.system_ns) - static_cast<double>(previous.host.system_ns);
  if (cpu_delta > 0 && system_delta > 0)
    e.cpu_percent = cpu_delta / system_delta * static_cast<double>(current.host.online_cpus) * 100.0;
  const runtime::CgroupUsage& c = current.cgroup;
  e.memory = c.memory_inactive_file < c.memory_usage ? c.memory_usage - c.memory_inactive_file : c.memory_usage;
  e.memory_limit = c.memory_limit > machine_memory && machine_memory > 0 ? machine_memory : c.memory_limit;
  if (e.memory_limit != 0)
    e.memory_percent = static_cast<double>(e.memory) / static_cast<double>(e.memory_limit) * 100.0;
  e.net_rx = current.net_rx;
  e.net_tx = current.net_tx;
  e.block_read = c.block_read;
  e.block_write = c.block_write;
  e.pids = c.pids;
  return e;
}

StatsMonitor::StatsMonitor(Engine& engine, std::string service, bool all)
    : m_engine(engine), m_service(std::move(service)), m_all(all), m_machine_memory(runtime::machine_memory()) {}

std::vector<StatsEntry> StatsMonitor::next() {
  m_engine.store().load();  // other berth processes start and remove containers meanwhile
  std::vector<std::string> services;
  if (!m_service.empty()) services.push_back(m_service);
  std::vector<StatsEntry> rows;
  std::map<std::string, StatsSample> current;
  for (const ObservedRecord& c : m_engine.observe(services, true)) {
    const std::string& status = c.status.status;
    if (!m_all && status != "running" && status != "paused" && status != "restarting") continue;
    StatsSample sample = sample_container(m_engine.paths(), c);
    auto previous = m_previous.find(c.record.id);
    rows.push_back(stats_entry(c, previous != m_previous.end() ? previous->second : sample, sample, m_machine_memory));
    current.emplace(c.record.id, sample);
  }
  m_previous = std::move(current);
  return rows;
}

const char* const kStatsTableFormat =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

const gocompat::TemplateFields& stats_header() {
  static const gocompat::TemplateFields header = {{"Container", "CONTAINER"},
                                                  {"Name", "NAME"},
                                                  {"ID", "CONTAINER ID"},
                                                  {"CPUPerc", "CPU %"},
                                                  {"MemUsage", "MEM USAGE / LIMIT"},
                                                  {"MemPerc", "MEM %"},
                                                  {"NetIO", "NET I/O"},
                                                  {"BlockIO", "BLOCK I/O"},
                                                  {"PIDs", "PIDS"}};
  return header;
}

namespace {

std::string stats_percentage(double v) {  // strconv.FormatFloat(v, 'f', 2, 64) + "%"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%%", v);
  return buf;
}

}  // namespace

gocompat::TemplateFields stats_fields(const StatsEntry& e, bool no_trunc) {
  using gocompat::bytes_size;
  using gocompat::human_size;
  return {{"Container", e.id},
          {"ID", no_trunc ? e.id : e.id.substr(0, 12)},
          {"Name", e.name.empty() ? "--" : e.name},
          {"CPUPerc", stats_percentage(e.cpu_percent)},
          {"MemUsage", bytes_size(e.memory) + " / " + bytes_size(e.memory_limit)},
          {"MemPerc", stats_percentage(e.memory_percent)},
          {"NetIO", human_size(e.net_rx) + " / " + human_size(e.net_tx)},
          {"BlockIO", human_size(e.block_read) + " / " + human_size(e.block_write)},
          {"PIDs", std::to_string(e.pids)}};
}

}  // namespace berth::engine
