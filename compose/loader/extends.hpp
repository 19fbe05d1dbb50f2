#pragma once
// `extends`: a service starts from another service (same file or another file) and merges its
// own keys over it with the multi-file merge rules. Chains are followed; cycles are errors.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "compose/loader/diagnostics.hpp"
#include "compose/loader/yaml_to_json.hpp"

namespace berth::loader {

/// Loads another compose file (parsed, interpolated, validated) by absolute path, cached;
/// throws LoadError when it cannot.
using DocumentSource = std::function<const Document&(const std::string& absolute_path)>;

/// Replaces every service of `doc` that has `extends` by the merged result. `file` is the
/// absolute path `doc` was read from (relative `extends.file` resolve against its directory).
void resolve_extends(Document& doc, const std::string& file, const DocumentSource& load, Diagnostics& diags);

/// Makes the relative host paths of a service (build context, env_file, label_file, bind
/// mounts) absolute against `dir`: a service taken from another file keeps pointing at the
/// files next to it.
void rebase_service_paths(nlohmann::json& service, const std::string& dir);

}  // namespace berth::loader
