#pragma once
// The runtime defaults an image carries in its config blob (image-spec config.md, plus Docker's
// Healthcheck extension), as typed values for the engine: what to run, as whom, where, with
// which environment, how to stop it and how to check it.
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth::image {

/// Docker's healthcheck extension of the image config. Durations are zero when unset.
struct ImageHealthcheck {
  std::vector<std::string> test;  ///< ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."]
  std::chrono::nanoseconds interval{0};
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds start_period{0};
  std::chrono::nanoseconds start_interval{0};
  int retries = 0;
};

/// The `config` object of an image config, typed. Absent fields are empty.
struct ImageConfig {
  std::vector<std::string> env;  ///< "KEY=value"
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;  ///< "80/tcp", sorted
  std::optional<ImageHealthcheck> healthcheck;
  std::string stop_signal;
  std::vector<std::string> volumes;  ///< sorted paths
  std::map<std::string, std::string> labels;
  std::string os;            ///< from the top level of the config blob
  std::string architecture;  ///< from the top level of the config blob
};

/// `obj[key]` when it is a string, else "" (configs in the wild write null for absent fields).
std::string json_string(const nlohmann::json& obj, const char* key);

/// Reads the typed view of a parsed config blob. Throws std::runtime_error naming the field
/// ("image config: config.Env: expected an array of strings") when a present field has the
/// wrong type.
ImageConfig parse_image_config(const nlohmann::json& config_blob);

}  // namespace berth::image
