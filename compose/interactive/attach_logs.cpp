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
  std::shared_ptr<void> companion = options.on_printer ? options.on_printer(printer) : nullptr;
  const bool on_failure = options.abort_on_container_failure;
  const bool abort = options.abort_on_container_exit || on_failure || !options.exit_code_from.empty();
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
  auto report_end = [&](const std::string& id, const std::string& name, size_t source) {
    std::optional<int> code = logs::container_exit_code(engine.paths(), id);
    std::lock_guard lock(exit_mutex);
    auto st = shim_state(id);
    const int exits = (st ? st->restart_count : 0) + 1;
    if (code && reported_exits[id] < exits) printer.status(source, name + " exited with code " + std::to_string(*code));
    reported_exits[id] = exits;
    exited_ids.push_back(id);
  };
  auto on_end = [&](const logs::LogTarget& t, size_t source) { report_end(t.id, t.name, source); };
  logs::LogFollower follower(engine.paths(), printer, {}, on_end);
  engine.unlock();

  // The services named, else those attached (docker compose's monitor of AttachTo), else all.
  auto is_watched = [&](const std::string& service) {
    if (!options.services.empty())
      return std::find(options.services.begin(), options.services.end(), service) != options.services.end();
    return !options.attach || options.attach->empty() || options.attach->count(service) > 0;
  };
  // The project's containers, orphans (services no longer in the compose file) left out as in compose.
  auto observe = [&] {
    auto observed = engine.observe(options.attach ? std::vector<std::string>{} : options.services);
    if (const project::ProjectContext* ctx = engine.context())
      std::erase_if(observed, [&](const engine::ObservedRecord& o) {
        return !ctx->loaded.model.services.count(o.record.service);
      });
    // Watched (their exits end or abort `up`) or attached (their logs printed).
    std::erase_if(observed, [&](const engine::ObservedRecord& o) {
      return !is_watched(o.record.service) && !(options.attach && options.attach->count(o.record.service));
    });
    return observed;
  };
  std::map<std::string, std::pair<size_t, std::string>> attached;  ///< id → printer source, display name
  // Watched containers whose logs are not printed (--no-attach, ...): id → whether their end is reported.
  std::map<std::string, bool> unattached;
  auto add_new = [&](const std::vector<engine::ObservedRecord>& observed) {
    std::vector<std::string> names;
    for (const auto& o : observed) {
      if (o.record.status == "creating" || o.record.status == "created" || follower.following(o.record.id) ||
          unattached.count(o.record.id))
        continue;
      logs::LogTarget t{o.record.id, logs::log_display_name(engine.project(), o.record.name)};
      if (options.attach && !options.attach->count(o.record.service)) {
        if (auto st = shim_state(o.record.id)) {
          std::lock_guard lock(exit_mutex);
          reported_exits[o.record.id] = st->restart_count;
        }
        attached[o.record.id] = {printer.add(t.name), t.name};
        unattached[o.record.id] = false;
        continue;
      }
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
    for (const auto& o : observed)  // the end of an unattached container: no log to tell it
      if (auto u = unattached.find(o.record.id); u != unattached.end() && !u->second && has_exited(o)) {
        u->second = true;
        report_end(o.record.id, attached[o.record.id].second, attached[o.record.id].first);
      }
    bool all_exited = !observed.empty();
    for (const auto& o : observed)
      if (is_watched(o.record.service)) all_exited &= has_exited(o) || o.record.status == "created";
    if (abort) {
      std::lock_guard lock(exit_mutex);
      // The container that really exited first (by its finished_at, not by when its output
      // happened to end), or the --exit-code-from service's.
      std::optional<std::int64_t> first_exit;
      for (const auto& id : exited_ids) {
        auto it = std::find_if(observed.begin(), observed.end(), [&](const auto& o) { return o.record.id == id; });
        if (it == observed.end() || !is_watched(it->record.service)) continue;
        if (!options.exit_code_from.empty() && !on_failure && it->record.service != options.exit_code_from) continue;
        if (on_failure && it->status.exit_code == 0) continue;  // --abort-on-container-failure
        const std::int64_t at = gocompat::parse_rfc3339_ns(it->finished_at).value_or(INT64_MAX);
        if (!aborted_by.empty() && first_exit && at >= *first_exit) continue;
        aborted_by = id;
        first_exit = at;
        code = it->status.exit_code;
      }
      if (!aborted_by.empty()) break;
      if (!on_failure && options.exit_code_from.empty() &&
          std::any_of(exited_ids.begin(), exited_ids.end(), [&](const std::string& id) {
            auto it = std::find_if(observed.begin(), observed.end(), [&](const auto& o) { return o.record.id == id; });
            return it != observed.end() && is_watched(it->record.service);
          }))
        break;
    }
    if (all_exited && follower.active() == 0) break;
  }

  if (interrupted || (abort && !(on_failure && aborted_by.empty()))) {
    std::cerr << (interrupted ? "Gracefully stopping... (press Ctrl+C again to force)\n"
                              : "Aborting on container exit...\n");
    companion.reset();  // `up --watch`: no watch action while the project stops
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
