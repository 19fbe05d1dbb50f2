#pragma once
// What a build stage is after each of its instructions: the layers so far, the image config it
// would commit (Env, Cmd, User, ...), the history, and the cache key that names exactly this
// state (parent key + instruction + what it read).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"

namespace berth::build {

struct StageState {
  std::vector<image::ImageLayer> layers;             ///< base first
  nlohmann::json config = nlohmann::json::object();  ///< the image config's `config` object
  nlohmann::json history = nlohmann::json::array();
  std::string os = "linux";
  std::string architecture;
  std::string variant;
  std::string key;       ///< cache key (64 hex) of this state
  std::string created;   ///< RFC 3339 time of the newest history entry
  std::string author;    ///< MAINTAINER
  bool cmd_set = false;  ///< this stage set CMD (an ENTRYPOINT then keeps it; a base's CMD it resets)

  /// The overlay lower dirs, topmost first.
  std::vector<std::string> lower_dirs(const image::ImageStore& store) const {
    std::vector<std::string> dirs;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) dirs.push_back(store.layer_dir(it->chain_id));
    return dirs;
  }
  std::optional<image::Digest> top_chain() const {
    if (layers.empty()) return std::nullopt;
    return layers.back().chain_id;
  }
  /// config.Env as a lookup table source ("K=V" entries).
  std::optional<std::string> env(const std::string& name) const {
    if (!config.contains("Env") || !config["Env"].is_array()) return std::nullopt;
    for (const auto& e : config["Env"]) {
      if (!e.is_string()) continue;
      const std::string& s = e.get_ref<const std::string&>();
      if (s.size() > name.size() && s.compare(0, name.size(), name) == 0 && s[name.size()] == '=')
        return s.substr(name.size() + 1);
    }
    return std::nullopt;
  }
};

}  // namespace berth::build
