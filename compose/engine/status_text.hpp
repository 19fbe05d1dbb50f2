#pragma once
// How containers and projects are shown (ps, ls), docker compose v2's wording: "Up 2 seconds
// (healthy)", "Exited (0) 3 seconds ago", "About a minute ago", "running(2)". Pure apart from
// reading the clock and the state files (project_summaries).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"

namespace berth::engine {

/// The STATUS column: Up 2 seconds (healthy) | Up 1 second (Paused) | Exited (0) 3 seconds ago |
/// Created | Restarting (1) 2 seconds ago | Dead. `now` in seconds since the epoch.
std::string status_text(const runtime::ContainerStatus& status, const std::string& started_at,
                        const std::string& finished_at, double now);

/// One ps table row: NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS.
std::vector<std::string> ps_row(const ObservedRecord& o, bool no_trunc);
/// One ps --format json object: docker compose's keys, and Berth's OOMKilled (Docker's
/// State.OOMKilled: the last exit followed a kernel OOM kill) and LogLinesDropped (lines the
/// container's shim could not write to its log).
nlohmann::json ps_json(const ObservedRecord& o, const std::string& project);

/// One `ls` row.
struct ProjectSummary {
  std::string name;
  std::string status;        ///< "running(2)", "exited(1), running(2)"
  std::string config_files;  ///< comma-separated
  int running = 0;
  bool dns_down = false;  ///< runtime::dns_down: its service names do not resolve
};
/// Every project with a state file, by name.
std::vector<ProjectSummary> project_summaries(const state::Paths& paths);

/// What `ps` and `ls` print on stderr for a project whose berth-dns is down ("" when it is not).
std::string dns_down_warning(const state::Paths& paths, const std::string& project);

}  // namespace berth::engine
