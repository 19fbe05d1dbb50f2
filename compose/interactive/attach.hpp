#pragma once
// What attached `up` (no -d) watches and how it ends: attach_logs.hpp streams the containers'
// logs until every watched container has exited or the user interrupts, then stops the project
// and returns docker compose's exit code.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"
#include "compose/logs/log_printer.hpp"

namespace berth::interactive {

struct AttachOptions {
  std::vector<std::string> services;  ///< the containers watched (empty = all)
  bool abort_on_container_exit = false;
  std::string exit_code_from;  ///< service whose exit code is returned (implies abort)
  std::optional<int> timeout;  ///< stop timeout
  /// Unix time (ns) the command began: containers created since have every exit reported, also
  /// those before the attach (docker compose attaches before it starts them).
  std::int64_t since_ns = 0;
  /// The services whose logs are printed (--attach, --no-attach, `attach: false`); unset = all
  /// watched. The others' exits are still reported and still end or abort `up`.
  std::optional<std::set<std::string>> attach;
  /// --abort-on-container-failure: like abort_on_container_exit, for a non-zero exit only.
  bool abort_on_container_failure = false;
  /// Called once the log printer exists, before the containers are attached (`up --watch`
  /// starts its watcher there, printing through the printer); what it returns is kept until
  /// the attach ends and released while the printer still exists. May throw: `up` fails.
  std::function<std::shared_ptr<void>(logs::LogPrinter&)> on_printer;
};

}  // namespace berth::interactive
