// The attached loop polls the project every 100 ms (new containers, exits) while one follower
// thread per container prints its log. The project lock is released while waiting, so `ps`,
// `logs`, `exec` or `stop` from another terminal work meanwhile. Stopping runs on a helper
// thread so that a second Ctrl+C can still escalate to SIGKILL while the graceful stop waits.
#include "compose/interactive/attach_logs.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "common/shim_protocol.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/interactive/attach_signals.hpp"
#include "compose/logs/logs_stream.hpp"

namespace berth::interactive {

namespace {

bool has_exited(const engine::ObservedRecord& o) { return o.status.status == "exited" || o.status.status == "dead"; }

/// Each container's output since its current start (not earlier runs of a restarted one).
logs::LogFilter since_start(const engine::ObservedRecord& o) {
  logs::LogFilter f;
  // A second of slack: the shim stamps started_at after the process may already have written.
  if (auto t = gocompat::parse_rfc3339_ns(o.started_at); t && o.started_at != shim_protocol::kZeroTime)
    f.since_ns = *t - 1'000'000'000;
  return f;
}

}  // namespace

int attach_with_logs(engine::Engine& engine, const AttachOptions& options,
                     const logs::PrinterOptions& printer_options) {
  InterruptWatch interrupts;
  logs::LogPrinter printer(STDOUT_FILENO, STDERR_FILENO, printer_options);
  const bool abort = options.abort_on_container_exit || !options.exit_code_from.empty();
  std::mutex exit_mutex;
  std::vector<std::string> exited_ids;  ///< in the order their output ended
  // Every exit is reported once, as docker compose does, also those a restart policy follows
  // with a restart (the log goes on, so the end of the output alone is not enough). Exits are
  // counted from the shim's restart count, so restarts faster than the polling are not missed:
  // id → exits reported (or that happened before this `up` attached).
  std::map<std::string, int> reported_exits;
  auto shim_state = [&](const std::string& id) -> std::optional<shim_protocol::State> {
    try {
      return shim_protocol::read_state(engine.paths().shim_state_dir(id));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  auto on_end = [&](const logs::LogTarget& t, size_t source) {
    std::optional<int> code = logs::container_exit_code(engine.paths(), t.id);
    std::lock_guard lock(exit_mutex);
    auto st = shim_state(t.id);
    const int exits = (st ? st->restart_count : 0) + 1;
    if (code && reported_exits[t.id] < exits)
      printer.status(source, t.name + " exited with code " + std::to_string(*code));
    reported_exits[t.id] = exits;
    exited_ids.push_back(t.id);
  };
  logs::LogFollower follower(engine.paths(), printer, {}, on_end);
  engine.unlock();

  // The project's containers, orphans (services no longer in the compose file) left out as in compose.
  auto observe = [&] {
    auto observed = engine.observe(options.services);
    if (const project::ProjectContext* ctx = engine.context())
      std::erase_if(observed, [&](const engine::ObservedRecord& o) {
        return !ctx->loaded.model.services.count(o.record.service);
      });
    return observed;
  };
  std::map<std::string, std::pair<size_t, std::string>> attached;  ///< id → printer source, display name
  auto add_new = [&](const std::vector<engine::ObservedRecord>& observed) {
    std::vector<std::string> names;
    for (const auto& o : observed) {
      if (o.record.status == "creating" || o.record.status == "created" || follower.following(o.record.id)) continue;
      logs::LogTarget t{o.record.id, logs::log_display_name(engine.project(), o.record.name)};
      const auto created = gocompat::parse_rfc3339_ns(o.record.created);
      if (auto st = shim_state(o.record.id); st && !(created && *created >= options.since_ns)) {
        std::lock_guard lock(exit_mutex);
        reported_exits[o.record.id] = st->restart_count;  // an older container's past exits are not news
      }
      attached[o.record.id] = {follower.add(t, since_start(o)), t.name};
      names.push_back(t.name);
    }
    return names;
  };
  // Exits a restart followed (the container runs, or waits to, again): one line per exit.
  auto report_restarts = [&](const std::vector<engine::ObservedRecord>& observed) {
    for (const auto& o : observed) {
      if (has_exited(o)) continue;  // the end of its output reports the last exit
      auto a = attached.find(o.record.id);
      auto st = a == attached.end() ? std::nullopt : shim_state(o.record.id);
      if (!st) continue;
      const int exits = st->restart_count;  // the shim counts a restart when it decides on it, at the exit
      std::lock_guard lock(exit_mutex);
      for (int& reported = reported_exits[o.record.id]; reported < exits; ++reported)
        printer.status(a->second.first, a->second.second + " exited with code " + std::to_string(st->exit_code));
    }
  };
  auto first = add_new(observe());
  if (!first.empty()) {
    std::string line = "Attaching to ";
    for (size_t i = 0; i < first.size(); ++i) line += (i ? ", " : "") + first[i];
    std::cout << line << std::endl;
  }

  int code = 0;
  bool interrupted = false;
  std::string aborted_by;  // id of the container whose exit ends an aborting `up`
  for (;;) {
    if (interrupts.count() > 0) {
      interrupted = true;
      code = 130;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    engine.store().load();  // containers may be added (scale, restart) by others
    auto observed = observe();
    add_new(observed);
    report_restarts(observed);
    bool all_exited = !observed.empty();
    for (const auto& o : observed) all_exited &= has_exited(o) || o.record.status == "created";
    if (abort) {
      std::lock_guard lock(exit_mutex);
      // The container that really exited first (by its finished_at, not by when its output
      // happened to end), or the --exit-code-from service's.
      std::optional<std::int64_t> first_exit;
      for (const auto& id : exited_ids) {
        auto it = std::find_if(observed.begin(), observed.end(), [&](const auto& o) { return o.record.id == id; });
        if (it == observed.end()) continue;
        if (!options.exit_code_from.empty() && it->record.service != options.exit_code_from) continue;
        const std::int64_t at = gocompat::parse_rfc3339_ns(it->finished_at).value_or(INT64_MAX);
        if (!aborted_by.empty() && first_exit && at >= *first_exit) continue;
        aborted_by = id;
        first_exit = at;
        code = it->status.exit_code;
      }
      if (!aborted_by.empty()) break;
      if (!exited_ids.empty() && options.exit_code_from.empty()) break;
    }
    if (all_exited && follower.active() == 0) break;
  }

  if (interrupted || abort) {
    std::cerr << (interrupted ? "Gracefully stopping... (press Ctrl+C again to force)\n"
                              : "Aborting on container exit...\n");
    engine.lock();
    std::atomic<bool> stopped{false};
    std::exception_ptr failure;
    // As docker compose (its stopApplication with the services `up` was given): `up app` stops
    // app's containers only, not its dependencies nor the project's other running services.
    std::thread stopper([&] {
      try {
        engine.stop(options.services, options.timeout);
      } catch (...) {
        failure = std::current_exception();
      }
      stopped = true;
    });
    int seen = interrupts.count();
    bool killed = false;
    while (!stopped.load()) {
      if (!killed && interrupts.count() > seen) {
        killed = true;
        try {
          engine.kill(options.services, "SIGKILL");
        } catch (const std::exception&) {
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stopper.join();
    for (int i = 0; i < 40 && follower.active() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    follower.stop();
    if (failure) std::rethrow_exception(failure);
    if (abort && !interrupted && !options.exit_code_from.empty() && aborted_by.empty()) {
      // --exit-code-from: the service ended with the others; take its code now
      for (const auto& o : engine.observe({options.exit_code_from}))
        if (has_exited(o)) code = o.status.exit_code;
    }
    return code;
  }
  follower.stop();
  return 0;
}

}  // namespace berth::interactive
