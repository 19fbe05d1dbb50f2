#pragma once
// Picking the containers a command acts on, the way docker compose does: by service (all when
// none named), one-offs left out unless asked for, `--index` for one replica, sorted by
// service then number so output is stable.
#include <string>
#include <vector>

#include "compose/engine/engine.hpp"

namespace berth::engine {

/// Observed containers of `services` (all when empty), sorted by service then number; only
/// number `index` when index > 0. Throws "no such service: x" for a service the loaded model
/// does not have.
std::vector<ObservedRecord> select_containers(Engine& engine, const std::vector<std::string>& services, int index = 0,
                                              bool include_oneoff = false);

/// Whether `service` is in the loaded model (true when the engine works from recorded state
/// alone): cp/export/commit report a missing service as docker compose does, in their own words.
bool known_service(const Engine& engine, const std::string& service);

/// The running container of `service` for exec/port (number `index`, default 1). Throws
/// docker compose's messages: `service "web" is not running`, `no container found for
/// service "web"` (none at all), `service "web" is not running container #2`.
ObservedRecord running_container(Engine& engine, const std::string& service, int index, bool must_run = true);

}  // namespace berth::engine
