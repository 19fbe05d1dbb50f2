#pragma once
// Semantic checks on the resolved model, beyond what a schema can say: a service with neither
// image nor build, references to services, networks, volumes, secrets and configs that are not
// defined, dependency cycles (printed in full), host ports published twice, container_name with
// several replicas.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compose/loader/diagnostics.hpp"
#include "compose/model/dependencies.hpp"

namespace berth::loader {

/// `disabled` are services left out by profiles: a reference to one says so. Cycles are looked
/// for in `deps` (the typed model's edges; nullptr when the model does not fit the types, whose
/// error is reported instead).
void check_model(const nlohmann::json& model, const model::DependencyMap* deps,
                 const std::vector<std::string>& disabled, Diagnostics& diags);

}  // namespace berth::loader
