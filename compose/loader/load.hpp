#pragma once
// Loading a project: files -> one validated, resolved model in long syntax, as the typed
// model::Project every later stage works on (config prints it, the engine runs it).
//
//   discover files -> project environment (.env, --env-file, shell) -> per file: parse YAML,
//   interpolate, validate against our schema, include, extends, canonicalise -> merge ->
//   project name -> profiles -> normalise -> container environment (env_file, label_file)
//   -> semantic checks (references, cycles, ports)
//
// Every stage reports into one Diagnostics list; loading stops at a checkpoint after a stage
// that found problems and throws LoadError with all of them.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compose/loader/dotenv.hpp"
#include "compose/model/project.hpp"

namespace berth::loader {

struct LoadOptions {
  std::vector<std::string> files;                ///< -f, in order ("-" = standard input); empty = discover
  std::optional<std::string> project_directory;  ///< --project-directory
  std::optional<std::string> project_name;       ///< -p
  std::vector<std::string> profiles;             ///< --profile (COMPOSE_PROFILES is read from the environment)
  std::vector<std::string> env_files;  ///< --env-file; empty = COMPOSE_ENV_FILES, else the .env files (see load.cpp)
  std::vector<std::string> services;   ///< services named on the command line (enable their profiles)
  /// The services the command acts on, when not `services` (`config --hash a,b`): only they and
  /// their dependencies need their env files; empty = `services`, and both empty = every service.
  std::vector<std::string> touched_services;
  bool interpolate = true;  ///< false: --no-interpolate (nor consistency checks, nor env_file folding)
  bool normalize =
      true;  ///< false: --no-normalize (long syntax, but no resource names, default network or implied depends_on)
  bool check_consistency = true;                      ///< false: --no-consistency (no reference/cycle/port checks)
  bool resolve_environment = true;                    ///< fold env_file/label_file into environment/labels
  bool resolve_paths = true;                          ///< false: --no-path-resolution (relative paths kept)
  std::map<std::string, std::string> os_environment;  ///< the shell's environment
  std::string working_directory;                      ///< where relative -f paths resolve (the cwd)
  std::function<std::string()> read_stdin;            ///< source for "-f -"
  /// Remote resources (docker compose's `oci://` loader) for -f and `include`: the local path of
  /// the compose file `reference` names, fetched if need be; nullopt for a reference it does not
  /// take (a local path). Throws what the fetch failed with.
  std::function<std::optional<std::string>(const std::string& reference)> remote_file;
};

struct Project {
  std::string name;
  std::string working_dir;                ///< absolute project directory
  std::vector<std::string> config_files;  ///< absolute paths (or "-")
  Environment environment;                ///< the project environment used for interpolation
  model::Project model;                   ///< the resolved compose model
  /// The same model as the loader's JSON, before typing. Without interpolation it may hold what
  /// only interpolation makes valid ("${PORT}:80"), which the typed model cannot: `model` is then
  /// left empty and `config --no-interpolate` prints this, as docker compose prints its map there.
  nlohmann::json document;
  std::vector<std::string> disabled_services;  ///< left out by profiles
  std::vector<std::string> profiles;           ///< every profile any service names (before filtering)
  std::vector<std::string> warnings;           ///< non-fatal findings (obsolete `version`, ...)
};

/// Loads and resolves a project; throws LoadError listing every problem found.
Project load_project(const LoadOptions& opts);

/// The shell environment of this process as a map.
std::map<std::string, std::string> process_environment();

}  // namespace berth::loader
