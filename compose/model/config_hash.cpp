#include "compose/model/config_hash.hpp"

#include <stdexcept>

#include "compose/gocompat/sha256.hpp"
#include "compose/model/json_io.hpp"

namespace berth::model {

std::string service_config_hash(const Project& project, const std::string& name) {
  nlohmann::ordered_json tree = project_to_json(project, Flavor::Json);
  nlohmann::ordered_json svc = tree.at("services").at(name);
  svc.erase("build");
  svc.erase("pull_policy");
  svc.erase("scale");
  if (svc.contains("deploy") && svc["deploy"].is_object()) svc["deploy"]["replicas"] = 1;
  return gocompat::sha256_hex(svc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

std::string network_config_hash(const Project& project, const std::string& key) {
  nlohmann::ordered_json tree = project_to_json(project, Flavor::Json);
  const nlohmann::ordered_json& net = tree.at("networks").at(key);
  return gocompat::sha256_hex(net.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace berth::model
