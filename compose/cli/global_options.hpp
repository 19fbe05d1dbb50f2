#pragma once
// Flags every `berth` command shares, as docker compose v2 has them.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "compose/loader/load.hpp"

namespace berth::cli {

struct GlobalOptions {
  std::vector<std::string> files;
  std::string project_name;
  std::string project_directory;
  std::vector<std::string> profiles;
  std::vector<std::string> env_files;
  std::string ansi = "auto";
  std::string progress = "auto";
  bool dry_run = false;
  bool compatibility = false;           ///< --compatibility (COMPOSE_COMPATIBILITY): <project>_<service>_<n> names
  bool all_resources = false;           ///< --all-resources: also the networks and volumes no service uses
  int parallel = -1;                    ///< --parallel (else COMPOSE_PARALLEL_LIMIT): max parallelism, -1 unlimited
  std::string root = "/var/lib/berth";  ///< state root: image store, volumes, projects
};

/// Registers -f/--file, -p/--project-name, --project-directory, --profile, --env-file, --ansi,
/// --progress, --dry-run, --compatibility, --all-resources and --root (default $BERTH_ROOT, else
/// /var/lib/berth) on `app`.
void add_global_options(CLI::App& app, GlobalOptions& g);

/// docker compose's first step: the COMPOSE_* variables of the .env file (of --project-directory,
/// else of the first -f file's directory, else of the current one; or of --env-file /
/// COMPOSE_ENV_FILES) join this process's environment where it does not set them, so
/// COMPOSE_PROFILES, COMPOSE_PROJECT_NAME, COMPOSE_REMOVE_ORPHANS, ... apply to every command.
/// A file that cannot be read or parsed is left to the loader to report.
void export_dotenv_compose_variables(const GlobalOptions& g);

/// docker compose: COMPOSE_PARALLEL_LIMIT (the environment, after the .env's COMPOSE_* joined it)
/// gives --parallel when the flag is not given. Throws std::runtime_error when it is no integer.
void apply_parallel_limit_env(const CLI::App& app, GlobalOptions& g);

/// docker compose's `oci://` resource loader for -f and `include`: the artifact fetched into its
/// cache (registry::fetch_compose_artifact), its compose.yaml's path; disabled by a false
/// COMPOSE_EXPERIMENTAL_OCI_REMOTE.
std::function<std::optional<std::string>(const std::string&)> oci_remote_loader(
    const std::map<std::string, std::string>& environment);

/// What the loader needs from the global flags and this process's environment.
loader::LoadOptions load_options(const GlobalOptions& g, const std::vector<std::string>& services = {});

}  // namespace berth::cli
