// Events from the journal: one Reader follows the file (and its rotation); the first poll gives
// what is recorded, later polls what was appended since, each batch sorted by time (the order
// they were written in, but for writers racing within a few microseconds).
#include "compose/engine/events_watch.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "compose/logs/log_reader.hpp"

namespace berth::engine {

bool event_selected(const ContainerEvent& e, const EventsQuery& q) {
  if (e.oneoff) return false;
  if (!q.services.empty() && std::find(q.services.begin(), q.services.end(), e.service) == q.services.end())
    return false;
  if (q.since_ns && e.time_ns < *q.since_ns) return false;
  if (q.until_ns && e.time_ns > *q.until_ns) return false;
  return true;
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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool stream_events(const std::string& journal_path, const EventsQuery& q,
                   const std::function<void(const ContainerEvent&)>& sink, const std::atomic<bool>& stop,
                   int interval_ms) {
  journal::Reader reader(journal_path);
  const bool replay = q.since_ns || q.until_ns;
  auto past_until = [&] { return q.until_ns && journal::now_ns() > *q.until_ns; };
  for (bool first = true;; first = false) {
    // Read the clock before the file: an event recorded after this poll is not missed when the
    // --until check below ends the stream.
    const bool ended = past_until();
    auto events = reader.poll();
    // Writers take the time just before their write: two racing ones may land a few microseconds
    // out of order. Each batch (the whole replay, then what a poll finds) goes out in time order.
    std::stable_sort(events.begin(), events.end(),
                     [](const ContainerEvent& a, const ContainerEvent& b) { return a.time_ns < b.time_ns; });
    if (!first || replay)
      for (const auto& e : events)
        if (event_selected(e, q)) sink(e);
    if (ended) return true;
    for (int waited = 0; waited < interval_ms && !stop.load(); waited += 20)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (stop.load()) return false;
  }
}

}  // namespace berth::engine
