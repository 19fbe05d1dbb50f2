#pragma once
// A YAML printer that writes what go-yaml v3 writes for the same tree with a 2-space indent, as
// `docker compose config` does: block style, sequences indented under their key, `{}`/`[]` for
// empty containers, strings quoted only when go-yaml would, multi-line strings as literal blocks.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace berth::model {

/// Prints `tree` as a YAML document (no `---`), keys in the tree's order, ending with a newline.
/// `indent` is go-yaml's Encoder.SetIndent (docker compose config: 2; compose bridge: go-yaml's
/// default, 4).
std::string to_yaml(const nlohmann::ordered_json& tree, int indent = 2);

/// The order go-yaml sorts map keys in: letters after other characters, runs of digits compared
/// as numbers ("a9" < "a10"). Used to order map keys of the YAML flavour.
bool yaml_key_less(std::string_view a, std::string_view b);

/// How go-yaml prints a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`, `.inf`, `.nan`).
std::string yaml_float(double value);

}  // namespace berth::model
