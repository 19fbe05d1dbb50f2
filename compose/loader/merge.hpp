#pragma once
// Merging compose documents (13-merge.md): several `-f` files, and a service with the one it
// `extends`. Mappings merge key by key, sequences append, shell commands (command, entrypoint,
// healthcheck.test) are replaced, and ports/volumes/secrets/configs/devices merge by their
// unique key. `!reset` removes a value, `!override` replaces it without merging.
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "compose/loader/source_map.hpp"
#include "compose/loader/yaml_to_json.hpp"

namespace berth::loader {

using TagMap = std::unordered_map<std::string, MergeTag>;

/// Rewrites the short forms that merging keys on into mappings/long forms, per service:
/// environment/labels/... lists -> maps, depends_on and networks lists -> maps, build string ->
/// {context}, port/volume/secret/config short syntax -> long. Everything else stays as written.
/// Problems (a malformed port spec, say) are left for normalisation to report.
void canonicalize_for_merge(nlohmann::json& doc);

/// Merges `over` into `base`. `tags` are `over`'s !reset/!override tags, keyed by JSON pointer
/// relative to `over_root` (the pointer at which `over` sits in its own document).
void merge_into(nlohmann::json& base, const nlohmann::json& over, const TagMap& tags,
                const Pointer& over_root = Pointer(), const Pointer& base_root = Pointer());

/// Removes the values a document marks `!reset` (a lone file has nothing to reset, so the key
/// simply disappears, as with docker compose).
void drop_reset_values(nlohmann::json& doc, const TagMap& tags);

}  // namespace berth::loader
