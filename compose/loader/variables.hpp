#pragma once
// `config --variables`: the variables a compose model refers to, as compose-go's
// template.ExtractVariables finds them in the uninterpolated model (string values only, map keys
// never): ${VAR:?err} / ${VAR?err} make it required, ${VAR:-x} / ${VAR-x} give its default,
// ${VAR:+x} / ${VAR+x} its presence ("alternate") value, and references nested in a default,
// presence value or error message are variables too.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace berth::loader {

struct Variable {
  std::string name;
  std::string default_value;
  std::string presence_value;
  bool required = false;
};

/// Every variable of `model`, by name. A variable used several times is required when any use
/// is, and keeps the first default and presence value found (compose-go's combineVariable).
/// A `${` that starts no valid reference is a variable with an empty name, as compose-go reports
/// it.
std::map<std::string, Variable> extract_variables(const nlohmann::json& model);

}  // namespace berth::loader
