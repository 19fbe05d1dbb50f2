#include "compose/loader/profiles.hpp"

#include <algorithm>

namespace berth::loader {

using Json = nlohmann::json;

std::vector<std::string> apply_profiles(Json& model, std::set<std::string> active,
                                        const std::vector<std::string>& targeted) {
  std::vector<std::string> disabled;
  if (!model.contains("services") || !model["services"].is_object()) return disabled;
  Json& services = model["services"];
  for (const auto& t : targeted)
    if (services.contains(t) && services[t].is_object() && services[t].contains("profiles"))
      for (const auto& p : services[t]["profiles"])
        if (p.is_string()) active.insert(p.get<std::string>());
  for (auto it = services.begin(); it != services.end(); ++it) {
    const Json& svc = it.value();
    if (!svc.is_object() || !svc.contains("profiles") || !svc["profiles"].is_array() || svc["profiles"].empty())
      continue;
    bool on = active.count("*") > 0 || std::find(targeted.begin(), targeted.end(), it.key()) != targeted.end();
    for (const auto& p : svc["profiles"])
      if (p.is_string() && active.count(p.get<std::string>())) on = true;
    if (!on) disabled.push_back(it.key());
  }
  for (const auto& name : disabled) services.erase(name);
  return disabled;
}

std::vector<std::string> all_profiles(const Json& model) {
  std::set<std::string> out;
  if (model.contains("services") && model["services"].is_object())
    for (const auto& [name, svc] : model["services"].items())
      if (svc.is_object() && svc.contains("profiles") && svc["profiles"].is_array())
        for (const auto& p : svc["profiles"])
          if (p.is_string()) out.insert(p.get<std::string>());
  return {out.begin(), out.end()};
}

}  // namespace berth::loader
