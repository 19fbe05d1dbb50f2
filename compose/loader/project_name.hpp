#pragma once
// Project names: `-p` > COMPOSE_PROJECT_NAME > top-level `name:` > the project directory's name.
#include <optional>
#include <string>

namespace berth::loader {

/// True for names docker compose accepts: lowercase letters, digits, '-' and '_', starting with a
/// letter or digit.
bool is_valid_project_name(const std::string& name);

/// What docker compose makes of a directory name: lowercased, characters outside [a-z0-9_-]
/// removed, leading '-'/'_' stripped.
std::string normalize_project_name(const std::string& name);

struct ProjectNameSources {
  std::optional<std::string> flag;         ///< -p/--project-name
  std::optional<std::string> environment;  ///< COMPOSE_PROJECT_NAME (shell or .env)
  std::optional<std::string> file;         ///< top-level `name:` of the merged files
  std::string directory;                   ///< project directory
};

/// Picks the name by precedence; explicit names must already be valid, a directory name is
/// normalised. Throws std::invalid_argument naming the source on an invalid name.
std::string choose_project_name(const ProjectNameSources& s);

}  // namespace berth::loader
