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
  std::string root = "/var/lib/berth";  ///< state root: image store, volumes, projects
};

/// Registers -f/--file, -p/--project-name, --project-directory, --profile, --env-file, --ansi,
/// --progress, --dry-run and --root (default $BERTH_ROOT, else /var/lib/berth) on `app`.
void add_global_options(CLI::App& app, GlobalOptions& g);

/// What the loader needs from the global flags and this process's environment.
loader::LoadOptions load_options(const GlobalOptions& g, const std::vector<std::string>& services = {});

}  // namespace berth::cli
