// Events by comparing snapshots: the engine's records give ids, names and services; the shims'
// state.json files give status, exit code, health and restart count. A poll every 200 ms sees
// every state a container rests in; a container that starts and dies between two polls shows
// as start + die together (the shim's restart_count and finished_at tell that it ran).
#include "compose/engine/events_watch.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/shim_protocol.hpp"
#include "compose/logs/log_reader.hpp"

namespace berth::engine {

namespace {

ContainerEvent make(const EventSnapshot& s, const std::string& action, int64_t now) {
  ContainerEvent e;
  e.time_ns = now;
  e.action = action;
  e.id = s.id;
  e.service = s.service;
  e.attributes["name"] = s.name;
  if (!s.image.empty()) e.attributes["image"] = s.image;
  return e;
}

bool live(const std::string& status) { return status == "running" || status == "paused"; }

}  // namespace

std::vector<ContainerEvent> diff_events(const std::map<std::string, EventSnapshot>& before,
                                        const std::map<std::string, EventSnapshot>& after, int64_t now) {
  std::vector<ContainerEvent> out;
  for (const auto& [id, cur] : after) {
    auto it = before.find(id);
    if (it == before.end()) {
      out.push_back(make(cur, "create", now));
      if (live(cur.status)) out.push_back(make(cur, "start", now));
      if (cur.status == "exited" || cur.status == "dead") {
        out.push_back(make(cur, "start", now));
        auto die = make(cur, "die", now);
        die.attributes["exitCode"] = std::to_string(cur.exit_code);
        out.push_back(die);
      }
      continue;
    }
    const EventSnapshot& old = it->second;
    // Restarted by its policy (restart_count grew) or by `restart` (a new shim, a new start
    // time) between two polls: it died and started again.
    bool restarted = cur.restart_count > old.restart_count ||
                     (cur.status == "running" && old.status == "running" && cur.started_at != old.started_at);
    if (restarted && old.status == "running") {  // died and came back between two polls
      auto die = make(cur, "die", now);
      die.attributes["exitCode"] = std::to_string(cur.exit_code);
      out.push_back(die);
    }
    if (old.status != cur.status || restarted) {
      if (old.status == "paused" && cur.status == "running") {
        out.push_back(make(cur, "unpause", now));
      } else if (cur.status == "paused") {
        out.push_back(make(cur, "pause", now));
      } else if (cur.status == "running") {
        out.push_back(make(cur, "start", now));
      } else if (live(old.status) && !live(cur.status)) {  // exited, dead, restarting, or between
                                                           // the two shims of a `restart`
        auto die = make(cur, "die", now);
        die.attributes["exitCode"] = std::to_string(cur.exit_code);
        out.push_back(die);
      }
    }
    if (!cur.health.empty() && cur.health != old.health) out.push_back(make(cur, "health_status: " + cur.health, now));
  }
  for (const auto& [id, old] : before)
    if (!after.count(id)) out.push_back(make(old, "destroy", now));
  return out;
}

std::map<std::string, EventSnapshot> snapshot_containers(Engine& engine) {
  engine.store().load();  // other berth processes change the project: read it afresh
  std::map<std::string, EventSnapshot> out;
  for (const auto& o : engine.observe({}, true)) {
    if (o.record.status == "creating") continue;
    EventSnapshot s{o.record.id,     o.record.name,      o.record.service, o.record.image,
                    o.status.status, o.status.exit_code, o.status.health,  0,
                    o.started_at};
    try {
      s.restart_count = shim_protocol::read_state(engine.paths().shim_state_dir(o.record.id)).restart_count;
    } catch (const std::exception&) {
    }
    out[s.id] = s;
  }
  return out;
}

std::string format_event_text(const ContainerEvent& e) {
  time_t secs = static_cast<time_t>(e.time_ns / 1'000'000'000);
  tm local{};
  ::localtime_r(&secs, &local);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &local);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(e.time_ns % 1'000'000'000 / 1000));
  std::string line = std::string(buf) + " container " + e.action + " " + e.id;
  if (!e.attributes.empty()) {
    line += " (";
    bool first = true;
    for (const auto& [k, v] : e.attributes) {
      if (!first) line += ", ";
      line += k + "=" + v;
      first = false;
    }
    line += ")";
  }
  return line;
}

std::string format_event_json(const ContainerEvent& e) {
  nlohmann::json j = {{"time", logs::format_time_fixed(e.time_ns)},
                      {"type", "container"},
                      {"action", e.action},
                      {"id", e.id},
                      {"service", e.service}};
  if (!e.attributes.empty()) j["attributes"] = e.attributes;
  return j.dump();
}

void watch_events(Engine& engine, const std::function<void(const ContainerEvent&)>& sink, const std::atomic<bool>& stop,
                  int interval_ms) {
  auto before = snapshot_containers(engine);
  while (!stop.load()) {
    for (int waited = 0; waited < interval_ms && !stop.load(); waited += 20)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (stop.load()) break;
    auto after = snapshot_containers(engine);
    for (const auto& e : diff_events(before, after, logs::now_ns())) sink(e);
    before = std::move(after);
  }
}

}  // namespace berth::engine
