#pragma once
// `berth events`: the project's container events, read from its event journal
// (common/event_journal.hpp), which berth and the containers' shims append to as things happen
// (there is no daemon to push them). With --since/--until the recorded events in that window
// are replayed first; without --until the journal is then followed live. docker compose's
// output: text lines
//   2024-01-02 03:04:05.123456 container start <id> (image=busybox, name=p-web-1)
// or with --json one object per line {"time","type","action","id","service","attributes"}.
// Events of one-off (`run`) containers are left out, as docker compose leaves them out.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/event_journal.hpp"

namespace berth::engine {

/// One event.
using ContainerEvent = journal::Event;

/// Which events to deliver.
struct EventsQuery {
  std::optional<int64_t> since_ns;    ///< replay recorded events from this time
  std::optional<int64_t> until_ns;    ///< stop after this time (at once when it has passed)
  std::vector<std::string> services;  ///< only these services' events (all when empty)
};

/// Whether `e` passes the query's service and one-off filters and its time window.
bool event_selected(const ContainerEvent& e, const EventsQuery& q);

/// docker compose's text line for an event (without '\n').
std::string format_event_text(const ContainerEvent& e);
/// The --json object for an event.
std::string format_event_json(const ContainerEvent& e);

/// Delivers the events of the journal at `journal_path` to `sink`: with since or until, the
/// recorded ones in the window first; then, until `until_ns` has passed or `stop` is set, new
/// ones as they are appended (checked every `interval_ms`). Returns true when --until ended it.
bool stream_events(const std::string& journal_path, const EventsQuery& q,
                   const std::function<void(const ContainerEvent&)>& sink, const std::atomic<bool>& stop,
                   int interval_ms = 100);

}  // namespace berth::engine
