#include "compose/model/config_hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "compose/model/json_io.hpp"

namespace berth::model {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: EVP_Digest failed");
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xf];
  }
  return out;
}

std::string service_config_hash(const Project& project, const std::string& name) {
  nlohmann::ordered_json tree = project_to_json(project, Flavor::Json);
  nlohmann::ordered_json svc = tree.at("services").at(name);
  svc.erase("build");
  svc.erase("pull_policy");
  svc.erase("scale");
  if (svc.contains("deploy") && svc["deploy"].is_object()) svc["deploy"]["replicas"] = 1;
  return sha256_hex(svc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace berth::model
