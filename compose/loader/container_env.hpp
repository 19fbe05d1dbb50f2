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
/// required env files are reported at their entry ("env file X not found", compose-go's words)
/// for the services in `touched` (nullptr: all of them); a service the command does not touch
/// goes without the files it lacks, as docker compose resolves only the services it selected.
void resolve_container_environment(nlohmann::json& model, const Environment& project_env, Diagnostics& diags,
                                   const std::set<std::string>* touched = nullptr);

/// Secrets and configs with `environment: VAR` get VAR's value from `project_env` as their
/// `content` (never printed for secrets, nor for configs with `environment`), unless they hold
/// one already: an included project resolves its own against its environment (the include's
/// env_file, else its .env), and the including project keeps that, as compose-go does.
void resolve_file_objects_environment(nlohmann::json& model, const Environment& project_env);

}  // namespace berth::loader
