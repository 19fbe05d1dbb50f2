#pragma once
// Profiles (15-profiles.md): a service with `profiles` is enabled only when one of them is
// active (`--profile`, COMPOSE_PROFILES, "*" for all) or when it is named on the command line,
// which activates its profiles.
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace berth::loader {

/// Removes disabled services from `model`; returns their names (sorted).
std::vector<std::string> apply_profiles(nlohmann::json& model, std::set<std::string> active,
                                        const std::vector<std::string>& targeted);

/// Every profile named by any service, sorted (for `config --profiles`).
std::vector<std::string> all_profiles(const nlohmann::json& model);

}  // namespace berth::loader
