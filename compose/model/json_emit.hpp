#pragma once
// A JSON printer that writes what Go's encoding/json (json.MarshalIndent, 2 spaces) writes, which
// is what `docker compose config --format json` prints. nlohmann's dump() differs in two ways
// that users see: Go escapes <, > and & as \u003c, \u003e, \u0026, and prints floats as Go does.
#include <string>

#include <nlohmann/json.hpp>

namespace berth::model {

/// Prints `tree` with a 2-space indent, keys in the tree's order, without a trailing newline.
std::string to_json_text(const nlohmann::ordered_json& tree);

}  // namespace berth::model
