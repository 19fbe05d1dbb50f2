#pragma once
// Which compose files make up the project, and where the project lives.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::loader {

/// The file names docker compose looks for, in order of preference.
inline const std::vector<std::string> kDefaultFileNames = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                                           "docker-compose.yml"};

/// Finds the default compose file in `dir` or its ancestors (as docker compose does), plus its
/// `*.override.*` sibling when present. Empty when none is found.
std::vector<std::string> find_default_files(const std::string& dir);

/// COMPOSE_FILE split on COMPOSE_PATH_SEPARATOR (default ":").
std::vector<std::string> split_compose_file_env(const std::string& value, const std::optional<std::string>& separator);

/// Makes `path` absolute against `base` and removes "." / ".." segments lexically.
std::string absolute_path(const std::string& path, const std::string& base);

/// Directory part of a path ("/a/b.yaml" -> "/a").
std::string dir_name(const std::string& path);

/// Last path element ("/a/b" -> "b").
std::string base_name(const std::string& path);

/// Expands a leading "~" or "~/" against `home`.
std::string expand_home(const std::string& path, const std::string& home);

}  // namespace berth::loader
