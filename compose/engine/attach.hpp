#pragma once
// Attached `up` (no -d): after starting, wait until every container has exited or the user
// interrupts (SIGINT/SIGTERM), then stop the project ("Gracefully stopping..."), and return
// docker compose's exit code. Log streaming is added here by the logs work: this is the one
// call cmd_up makes for attaching.
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"

namespace berth::engine {

struct AttachOptions {
  std::vector<std::string> services;  ///< the containers watched (empty = all)
  bool abort_on_container_exit = false;
  std::string exit_code_from;         ///< service whose exit code is returned (implies abort)
  std::optional<int> timeout;         ///< stop timeout
};

/// Waits as described above; returns the exit code for `up`.
int attach_and_wait(Engine& engine, const AttachOptions& options);

}  // namespace berth::engine
