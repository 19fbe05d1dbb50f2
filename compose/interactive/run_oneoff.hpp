#pragma once
// `berth run`: a one-off container of a service, `<project>-<service>-run-<12 hex>`, labelled
// com.docker.compose.oneoff=True. Its dependencies are brought up first (unless --no-deps),
// the project's networks and volumes created as `up` would; the service is copied with the
// run's overrides (command, entrypoint, -e, -u, -w, -v, -l, tty, ports only with
// --service-ports / -p) and created through the engine's own ContainerRuntime.
// Attached (default): our stdin/stdout/stderr are the container's (a terminal in raw mode with
// a tty) until it exits; the exit code is the container's; Ctrl+C is passed to it (twice:
// SIGKILL). --rm removes it afterwards.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/engine/engine.hpp"
#include "compose/progress/progress.hpp"

namespace berth::interactive {

/// The run's command line options.
struct RunOptions {
  std::string service;
  std::vector<std::string> command;       ///< empty: the service's command
  std::optional<std::string> entrypoint;  ///< --entrypoint (shell words; "" clears it)
  std::vector<std::string> env;           ///< -e KEY=VAL / KEY
  std::vector<std::string> env_files;     ///< --env-from-file: dotenv files (absolute paths); -e wins over them
  std::vector<std::string> labels;        ///< -l KEY=VAL
  std::vector<std::string> publish;       ///< -p
  std::vector<std::string> volumes;       ///< -v
  std::string name, user, workdir;
  bool detach = false, rm = false, no_deps = false, service_ports = false;
  bool tty = false;                            ///< a terminal for the container (default: our stdin is one, unless -T)
  bool interactive = true;                     ///< -i: our stdin is the container's (docker compose's default)
  std::vector<std::string> cap_add, cap_drop;  ///< --cap-add / --cap-drop, over the service's
  bool use_aliases = false;                    ///< --use-aliases: reachable by the service name and its aliases
  bool remove_orphans = false;                 ///< --remove-orphans: as `up`'s, while the dependencies are prepared
  bool dry_run = false;  ///< --dry-run: what would be done is printed, nothing is created or started
};

/// Applies the overrides to the service of the typed model: ports dropped unless service_ports,
/// -p/-v parsed from short syntax (relative bind sources against `working_dir`), environment,
/// --env-from-file's variables (those -e does not set; the files' own references resolve against
/// `project_env`), labels, user, working_dir, tty, command, entrypoint, stdin_open (-i); no container_name and
/// no deploy (replicas do not apply to a one-off). `-e VAR` without a value takes VAR from
/// `project_env` (the project environment: the shell over --env-file / COMPOSE_ENV_FILES / .env),
/// as docker compose resolves it, and is left out when that has none. Throws std::runtime_error
/// for a bad -p/-v/-e.
void apply_run_overrides(model::Service& service, const RunOptions& options, const std::string& working_dir,
                         const std::map<std::string, std::string>& project_env);

/// `<project>-<service>-run-<12 hex>` (`_` instead of `-` under --compatibility: `separator`).
std::string oneoff_name(const std::string& project, const std::string& service, const std::string& separator = "-");

/// The whole `run`: dependencies, networks/volumes, create, start, attach or print the name
/// (-d), --rm. Returns the exit code for the command. Takes the project lock while changing
/// things, not while attached.
int run_oneoff(engine::Engine& engine, progress::Progress& progress, const RunOptions& options);

}  // namespace berth::interactive
