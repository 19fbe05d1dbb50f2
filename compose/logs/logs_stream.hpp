#pragma once
// Streaming the logs of a project's containers through one LogPrinter: `berth logs` (all at
// once, or following with -f) and attached `up` (following, with containers added as they
// appear and "web-1 exited with code 0" when one ends).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "compose/logs/log_printer.hpp"
#include "compose/logs/log_reader.hpp"
#include "compose/state/paths.hpp"

namespace berth::logs {

/// A container whose log is shown.
struct LogTarget {
  std::string id;
  std::string name;  ///< "web-1" style display name (docker compose drops the project prefix)
};

/// The display name docker compose uses in log prefixes: the container name without the
/// "<project>-" prefix ("appdb-web-1" → "web-1"); a container_name without it stays as is.
std::string log_display_name(const std::string& project, const std::string& container_name);

/// True when container `id` will write no more output: its shim is gone, or it has exited and
/// no restart is pending (the shim drains the output before it records "exited").
bool container_output_finished(const state::Paths& paths, const std::string& id);

/// The log driver container `id`'s shim writes with (its state.json): "json-file", "local" or
/// "none" (nothing stored); "json-file" when unknown.
std::string container_log_driver(const state::Paths& paths, const std::string& id);

/// docker compose's warning for a container whose log driver keeps nothing to read (`none`):
/// Can't retrieve logs for "<name>": configured logging driver does not support reading
std::string unreadable_log_warning(const std::string& container_name);

/// The warning `logs` prints on stderr for a container whose shim dropped `dropped` log lines
/// (state.json's log_lines_dropped): "\"<name>\": N log lines were dropped: ...".
std::string dropped_lines_warning(const std::string& container_name, uint64_t dropped);

/// The container's exit code as its shim recorded it; nullopt when unknown.
std::optional<int> container_exit_code(const state::Paths& paths, const std::string& id);

/// Prints the logs of `targets` once (no follow), container after container, honouring the
/// filter. Returns when done.
void print_logs(const state::Paths& paths, const std::vector<LogTarget>& targets, LogPrinter& printer,
                const LogFilter& filter);

/// Follows several containers' logs, one thread each. Containers can be added while it runs.
class LogFollower {
 public:
  /// Called from a follower thread when a container's output has ended (not on stop()).
  using OnEnd = std::function<void(const LogTarget&, size_t source)>;

  LogFollower(const state::Paths& paths, LogPrinter& printer, LogFilter filter, OnEnd on_end = {});
  /// Stops and joins every thread.
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  /// Starts following `target` unless it is followed already (by id). Returns its printer
  /// handle. Safe to call from any thread.
  size_t add(const LogTarget& target);
  /// add() with a filter of its own for this container (e.g. --since its start).
  size_t add(const LogTarget& target, const LogFilter& filter);
  /// True while `id` is followed.
  bool following(const std::string& id) const;
  /// Number of containers still being followed.
  size_t active() const;
  /// Asks every thread to return (promptly: they poll at most 200 ms) and joins them.
  void stop();
  /// Waits until every follower has ended on its own, or `stop_flag` becomes true.
  void wait(const std::atomic<bool>& stop_flag);

 private:
  state::Paths m_paths;
  LogPrinter& m_printer;
  LogFilter m_filter;
  OnEnd m_on_end;
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mutex;
  std::map<std::string, size_t> m_sources;  ///< id → printer handle
  std::vector<std::thread> m_threads;
  std::atomic<size_t> m_active{0};
};

}  // namespace berth::logs
