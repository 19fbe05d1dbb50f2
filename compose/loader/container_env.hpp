#pragma once
// The environment and labels a container gets: env_file / label_file entries first, in order,
// then `environment` / `labels` on top. A variable listed without a value takes its value
// from the project environment (shell > .env), as docker compose does; one that has none
// there stays unset (null).
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "compose/loader/diagnostics.hpp"
#include "compose/loader/dotenv.hpp"

namespace berth::loader {

/// Rewrites every service's `environment` and `labels` in the normalised model. Missing
/// required env files are reported at their entry.
void resolve_container_environment(nlohmann::json& model, const Environment& project_env, Diagnostics& diags);

}  // namespace berth::loader
