#pragma once
// Conversions between the loader's resolved JSON (long syntax) and the typed model, and from the
// model to the tree `docker compose config` prints.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "compose/model/project.hpp"

namespace berth::model {

/// docker compose prints slightly different trees for YAML and JSON: the JSON one drops x-* keys
/// below the top level, sorts the top-level keys, and shows some empty values (`"ipam": {}`,
/// `"command": null`) that the YAML one leaves out. Map keys are sorted bytewise in JSON and in
/// go-yaml's natural order (see yaml_key_less) in YAML.
enum class Flavor { Yaml, Json };

/// Long-syntax JSON -> model. Scalars are coerced where the spec allows it ("true" for a boolean,
/// 42 for a string, "1.5GB" for a size); anything else throws std::runtime_error naming the key
/// path (`services.web.ports[2].target: expected an integer, got "http"`). x-* keys, and keys the
/// model does not know, are kept in the `extensions` of the struct they appear in; `version` and
/// `include` at the top level are ignored (the loader has used them).
Project project_from_json(const nlohmann::json& resolved);

/// One `ports` / `volumes` entry of a service in long syntax -> model (for values given outside a
/// compose file, e.g. `run -p` / `run -v` once the loader has parsed their short syntax).
ServicePort port_from_json(const nlohmann::json& entry);
ServiceVolume service_volume_from_json(const nlohmann::json& entry);

/// What project_from_json throws: the value at `pointer` does not fit the model.
class ModelError : public std::runtime_error {
 public:
  ModelError(std::string pointer, std::string path, const std::string& detail)
      : std::runtime_error((path.empty() ? std::string("top level") : path) + ": " + detail),
        m_pointer(std::move(pointer)),
        m_detail(detail) {}
  const std::string& pointer() const { return m_pointer; }  ///< JSON pointer of the value
  const std::string& detail() const { return m_detail; }    ///< the problem, without the path

 private:
  std::string m_pointer, m_detail;
};

/// Model -> the tree `docker compose config` prints, keys in its order. Print it with to_yaml()
/// (yaml_emit.hpp) or to_json_text() (json_emit.hpp).
nlohmann::ordered_json project_to_json(const Project& p, Flavor flavor);

}  // namespace berth::model
