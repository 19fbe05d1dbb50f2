#pragma once
// Berth's config file (JSON, keys as dockerd's daemon.json spells them): /etc/berth/config.json,
// then $XDG_CONFIG_HOME/berth/config.json (~/.config/berth/config.json) on top, both optional;
// $BERTH_CONFIG names the only file read instead. Registry keys are read by compose/registry;
// the log defaults here:
//   {
//     "log-driver": "json-file",                           // every container's default driver
//     "log-opts": {"max-size": "10m", "max-file": "3"}     // and its options (strings, as dockerd)
//   }
// A service's own `logging:` wins: with the same driver (or none named) its options are laid
// over these, with another driver these options are dropped (as compose-go merges `logging`).
#include <map>
#include <string>
#include <vector>

namespace berth::state {

/// The config files to read, lowest precedence first (existing or not). `env` supplies
/// BERTH_CONFIG, XDG_CONFIG_HOME and HOME.
std::vector<std::string> config_file_paths(const std::map<std::string, std::string>& env);

/// The text of each config file that exists, in config_file_paths order: (path, text). Throws
/// SysError naming a file that exists but cannot be read.
std::vector<std::pair<std::string, std::string>> read_config_files(const std::map<std::string, std::string>& env);

/// "log-driver" and "log-opts": the default `logging` of every container.
struct LogDefaults {
  std::string driver;                          ///< "" = json-file
  std::map<std::string, std::string> options;  ///< max-size, max-file, compress, ...
};

/// Lays one file's log keys over `defaults` (a later file's key replaces an earlier one's).
/// Throws std::runtime_error naming `path` and the key on a malformed file.
void merge_log_defaults(LogDefaults& defaults, const std::string& text, const std::string& path);

/// The log defaults of every config file.
LogDefaults load_log_defaults(const std::map<std::string, std::string>& env);

/// The variables config_file_paths reads, from this process's environment.
std::map<std::string, std::string> config_environment();

}  // namespace berth::state
