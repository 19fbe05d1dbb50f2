#pragma once
// `berth events`: container events of a project, found by polling what the engine recorded and
// what the shims report (there is no daemon to push them): create, start, die, pause, unpause,
// restart, health_status, destroy. docker compose's output: text lines
//   2024-01-02 03:04:05.123456 container start <id> (image=busybox, name=p-web-1)
// or with --json one object per line {"time","type","action","id","service","attributes"}.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"

namespace berth::engine {

/// One event.
struct ContainerEvent {
  int64_t time_ns = 0;
  std::string action;  ///< create | start | die | pause | unpause | restart | health_status: healthy | destroy
  std::string id;
  std::string service;
  std::map<std::string, std::string> attributes;  ///< name, image, exitCode (die), ...
};

/// What one poll saw of a container.
struct EventSnapshot {
  std::string id, name, service, image;
  std::string status;  ///< created | running | paused | restarting | exited | dead
  int exit_code = 0;
  std::string health;
  int restart_count = 0;
  std::string started_at;  ///< the shim's; a new value while running = it was restarted
};

/// The events that turn `before` into `after` (pure; both keyed by container id), stamped `now`.
std::vector<ContainerEvent> diff_events(const std::map<std::string, EventSnapshot>& before,
                                        const std::map<std::string, EventSnapshot>& after, int64_t now);

/// The project's containers now (one-offs included).
std::map<std::string, EventSnapshot> snapshot_containers(Engine& engine);

/// docker compose's text line for an event (without '\n').
std::string format_event_text(const ContainerEvent& e);
/// The --json object for an event.
std::string format_event_json(const ContainerEvent& e);

/// Polls every `interval_ms` and calls `sink` for each event until `stop` is set. Containers
/// present at the start produce no events.
void watch_events(Engine& engine, const std::function<void(const ContainerEvent&)>& sink, const std::atomic<bool>& stop,
                  int interval_ms = 200);

}  // namespace berth::engine
