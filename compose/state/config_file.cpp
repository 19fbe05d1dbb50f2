// Which config files Berth reads and the log defaults in them (see config_file.hpp).
#include "compose/state/config_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::state {

std::vector<std::string> config_file_paths(const std::map<std::string, std::string>& env) {
  auto get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? std::string() : it->second;
  };
  if (std::string only = get("BERTH_CONFIG"); !only.empty()) return {only};
  std::vector<std::string> files = {"/etc/berth/config.json"};
  if (std::string xdg = get("XDG_CONFIG_HOME"); !xdg.empty())
    files.push_back(xdg + "/berth/config.json");
  else if (std::string home = get("HOME"); !home.empty())
    files.push_back(home + "/.config/berth/config.json");
  return files;
}

std::vector<std::pair<std::string, std::string>> read_config_files(const std::map<std::string, std::string>& env) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& path : config_file_paths(env)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      throw_errno("open config file `" + path + "`");
    }
    std::string text;
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("read config file `" + path + "`");
      if (n == 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    out.emplace_back(path, std::move(text));
  }
  return out;
}

void merge_log_defaults(LogDefaults& defaults, const std::string& text, const std::string& path) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw std::runtime_error(path + ": not valid JSON");
  if (!j.is_object()) throw std::runtime_error(path + ": expected a JSON object");
  if (auto it = j.find("log-driver"); it != j.end()) {
    if (!it->is_string()) throw std::runtime_error(path + ": log-driver: expected a string");
    defaults.driver = it->get<std::string>();
  }
  if (auto it = j.find("log-opts"); it != j.end()) {
    if (!it->is_object()) throw std::runtime_error(path + ": log-opts: expected an object of strings");
    defaults.options.clear();
    for (const auto& [key, value] : it->items()) {
      // dockerd takes strings only ("max-file": "3"); numbers and booleans are accepted as their text.
      if (value.is_string())
        defaults.options[key] = value.get<std::string>();
      else if (value.is_number() || value.is_boolean())
        defaults.options[key] = value.dump();
      else
        throw std::runtime_error(path + ": log-opts." + key + ": expected a string");
    }
  }
}

LogDefaults load_log_defaults(const std::map<std::string, std::string>& env) {
  LogDefaults defaults;
  for (const auto& [path, text] : read_config_files(env)) merge_log_defaults(defaults, text, path);
  return defaults;
}

std::map<std::string, std::string> config_environment() {
  std::map<std::string, std::string> env;
  for (const char* k : {"BERTH_CONFIG", "XDG_CONFIG_HOME", "HOME"})
    if (const char* v = std::getenv(k)) env[k] = v;
  return env;
}

}  // namespace berth::state
