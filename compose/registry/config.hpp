#pragma once
// Berth's registry configuration, in Berth's config files (compose/state/config_file.hpp:
// /etc/berth/config.json, then $XDG_CONFIG_HOME/berth/config.json on top, or $BERTH_CONFIG):
//   {
//     "registry-mirrors": ["https://mirror.example.com"],        // for docker.io (Docker's key)
//     "insecure-registries": ["registry.lan:5000"],              // plain HTTP (Docker's key)
//     "registries": {                                            // per registry (podman's idea)
//       "ghcr.io": {"mirrors": ["https://cache.example.com/ghcr"], "insecure": false}
//     }
//   }
#include <map>
#include <string>
#include <vector>

namespace berth::registry {

struct RegistryOptions {
  std::vector<std::string> mirrors;  ///< base URLs, tried in order before the registry
  bool insecure = false;             ///< plain HTTP allowed
};

struct Config {
  std::vector<std::string> docker_io_mirrors;         ///< "registry-mirrors"
  std::map<std::string, RegistryOptions> registries;  ///< by domain (host[:port]); insecure-registries folded in
  /// The options for `domain` (defaults when not configured).
  RegistryOptions options_for(const std::string& domain) const;
};

/// Parses one config file's text into `config` (later files override earlier keys). Throws
/// std::runtime_error naming `path` and the key on a malformed file.
void merge_config(Config& config, const std::string& text, const std::string& path);

/// Reads Berth's config files (missing files are fine). `env` supplies BERTH_CONFIG,
/// XDG_CONFIG_HOME and HOME.
Config load_config(const std::map<std::string, std::string>& env);

}  // namespace berth::registry
