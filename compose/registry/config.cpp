#include "compose/registry/config.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "compose/state/config_file.hpp"

namespace berth::registry {

namespace {

using Json = nlohmann::json;

std::vector<std::string> string_list(const Json& j, const std::string& path, const std::string& key) {
  if (!j.is_array()) throw std::runtime_error(path + ": " + key + ": expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : j) {
    if (!item.is_string()) throw std::runtime_error(path + ": " + key + ": expected a list of strings");
    std::string s = item.get<std::string>();
    while (!s.empty() && s.back() == '/') s.pop_back();
    out.push_back(s);
  }
  return out;
}

}  // namespace

RegistryOptions Config::options_for(const std::string& domain) const {
  auto it = registries.find(domain);
  return it == registries.end() ? RegistryOptions{} : it->second;
}

void merge_config(Config& config, const std::string& text, const std::string& path) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::runtime_error(path + ": expected a JSON object");
  if (j.contains("registry-mirrors"))
    config.docker_io_mirrors = string_list(j["registry-mirrors"], path, "registry-mirrors");
  if (j.contains("insecure-registries"))
    for (const auto& host : string_list(j["insecure-registries"], path, "insecure-registries"))
      config.registries[host].insecure = true;
  if (j.contains("registries")) {
    if (!j["registries"].is_object()) throw std::runtime_error(path + ": registries: expected an object");
    for (const auto& [domain, opts] : j["registries"].items()) {
      const std::string key = "registries." + domain;
      if (!opts.is_object()) throw std::runtime_error(path + ": " + key + ": expected an object");
      auto& r = config.registries[domain];
      if (opts.contains("mirrors")) r.mirrors = string_list(opts["mirrors"], path, key + ".mirrors");
      if (opts.contains("insecure")) {
        if (!opts["insecure"].is_boolean())
          throw std::runtime_error(path + ": " + key + ".insecure: expected true or false");
        r.insecure = opts["insecure"].get<bool>();
      }
    }
  }
}

Config load_config(const std::map<std::string, std::string>& env) {
  Config config;
  for (const auto& [path, text] : state::read_config_files(env)) merge_config(config, text, path);
  return config;
}

}  // namespace berth::registry
