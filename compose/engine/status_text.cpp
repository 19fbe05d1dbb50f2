// Texts of ps and ls, following docker's formatter package (container/formatter.go,
// go-units HumanDuration, in compose/gofmt) so scripts that parse docker compose output keep working.
#include "compose/engine/status_text.hpp"

#include <cstdlib>
#include <ctime>
#include <map>

#include "common/shim_protocol.hpp"
#include "compose/gocompat/duration.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/runtime/dns.hpp"

namespace berth::engine {

namespace {

/// Seconds since the epoch of an RFC 3339 time, fraction kept; -1 when absent or invalid.
double epoch_seconds(const std::string& text) {
  auto ns = gocompat::parse_rfc3339_ns(text);
  return ns ? static_cast<double>(*ns) / 1e9 : -1;
}

}  // namespace

std::string status_text(const runtime::ContainerStatus& st, const std::string& started_at,
                        const std::string& finished_at, double now) {
  auto since = [&](const std::string& when) {
    double t = epoch_seconds(when);
    return gocompat::human_duration(t < 0 ? 0 : now - t);
  };
  if (st.status == "running" || st.status == "paused") {
    std::string out = "Up " + since(started_at);
    if (st.status == "paused") return out + " (Paused)";
    if (st.health == "healthy") return out + " (healthy)";
    if (st.health == "unhealthy") return out + " (unhealthy)";
    if (st.health == "starting") return out + " (health: starting)";
    return out;
  }
  if (st.status == "exited") return "Exited (" + std::to_string(st.exit_code) + ") " + since(finished_at) + " ago";
  if (st.status == "restarting")
    return "Restarting (" + std::to_string(st.exit_code) + ") " + since(finished_at) + " ago";
  if (st.status == "created") return "Created";
  return "Dead";
}

namespace {

double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

}  // namespace

namespace {

/// PORTS: the published ports, then those only exposed ("80/tcp").
std::vector<std::string> ports_column(const state::ContainerRecord& r) {
  std::vector<std::string> out = r.ports;
  out.insert(out.end(), r.exposed.begin(), r.exposed.end());
  return out;
}

/// docker compose ps --format json's Publishers: one {URL, TargetPort, PublishedPort, Protocol}
/// per published port ("0.0.0.0:8080->80/tcp") and per exposed one (URL "", PublishedPort 0).
nlohmann::json publishers(const state::ContainerRecord& r) {
  nlohmann::json out = nlohmann::json::array();
  auto entry = [](std::string url, const std::string& target_proto, int published) {
    auto slash = target_proto.find('/');
    int target = std::atoi(target_proto.substr(0, slash).c_str());
    std::string proto = slash == std::string::npos ? "tcp" : target_proto.substr(slash + 1);
    return nlohmann::json{
        {"URL", std::move(url)}, {"TargetPort", target}, {"PublishedPort", published}, {"Protocol", proto}};
  };
  for (const auto& p : r.ports) {
    auto arrow = p.find("->");
    auto colon = p.rfind(':', arrow);
    if (arrow == std::string::npos || colon == std::string::npos) continue;
    out.push_back(
        entry(p.substr(0, colon), p.substr(arrow + 2), std::atoi(p.substr(colon + 1, arrow - colon - 1).c_str())));
  }
  for (const auto& e : r.exposed) out.push_back(entry("", e, 0));
  return out;
}

}  // namespace

std::vector<std::string> ps_row(const ObservedRecord& o, bool no_trunc) {
  const auto& r = o.record;
  std::string command = r.command;
  if (!no_trunc && command.size() > 20) command = command.substr(0, 19) + "\u2026";
  double now = now_seconds();
  double created = epoch_seconds(r.created);
  return {r.name,
          r.image,
          "\"" + command + "\"",
          r.service,
          gocompat::human_duration(created < 0 ? 0 : now - created) + " ago",
          status_text(o.status, o.started_at, o.finished_at, now),
          join(ports_column(r), ", ")};
}

nlohmann::json ps_json(const ObservedRecord& o, const std::string& project) {
  const auto& r = o.record;
  double now = now_seconds();
  double created = epoch_seconds(r.created);
  nlohmann::json networks = nlohmann::json::array();
  for (const auto& e : r.endpoints) networks.push_back(e.network);
  return {{"Command", "\"" + r.command + "\""},
          {"CreatedAt", r.created},
          {"ExitCode", o.status.exit_code},
          {"Health", o.status.health},
          {"ID", r.id},
          {"Image", r.image},
          {"LogLinesDropped", o.status.log_lines_dropped},
          {"Name", r.name},
          {"Names", r.name},
          {"Networks", networks},
          {"OOMKilled", o.status.oom_killed},
          {"Ports", join(ports_column(r), ", ")},
          {"Project", project},
          {"Publishers", publishers(r)},
          {"RunningFor", gocompat::human_duration(created < 0 ? 0 : now - created) + " ago"},
          {"Service", r.service},
          {"State", o.status.status},
          {"Status", status_text(o.status, o.started_at, o.finished_at, now)}};
}

std::vector<ProjectSummary> project_summaries(const state::Paths& paths) {
  std::vector<ProjectSummary> out;
  for (const auto& name : state::list_projects(paths)) {
    auto state = state::read_project_state(paths, name);
    if (!state) continue;
    std::map<std::string, int> counts;
    for (const auto& c : state->containers) {
      std::string st = "created";
      if (c.status == "creating") st = "dead";
      if (c.status == "started" || c.status == "stopped") {
        try {
          st = shim_protocol::read_state(paths.shim_state_dir(c.id)).status;
        } catch (const std::exception&) {
          st = "dead";
        }
      }
      ++counts[st];
    }
    ProjectSummary p{name, "", "", 0};
    std::vector<std::string> parts;
    for (const auto& [st, n] : counts) parts.push_back(st + "(" + std::to_string(n) + ")");
    p.status = join(parts, ", ");
    p.config_files = join(state->config_files, ",");
    p.running = counts["running"];
    p.dns_down = runtime::dns_down(paths, name);
    out.push_back(p);
  }
  return out;
}

std::string dns_down_warning(const state::Paths& paths, const std::string& project) {
  if (!runtime::dns_down(paths, project)) return "";
  return "WARNING: berth-dns of project \"" + project +
         "\" is not running: service names do not resolve until a container's shim starts it again\n";
}

}  // namespace berth::engine
