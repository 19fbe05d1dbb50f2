#pragma once
// YAML text -> JSON value, remembering where every value came from.
//
// yaml-cpp keeps every scalar as text, so scalars are typed here the way the reference loader
// (go-yaml v3, YAML 1.2 core schema) types them: plain `true`/`false` are booleans, plain
// numbers are numbers, `~`/`null`/empty are null, anything quoted stays a string. Anchors and
// aliases are resolved by yaml-cpp; merge keys (`<<`) are applied here. The compose tags
// `!reset` and `!override` are recorded in `tags` for the merge stage.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compose/loader/source_map.hpp"

namespace berth::loader {

enum class MergeTag { None, Reset, Override };

struct Document {
  std::string file;  ///< as the user named it ("-" for stdin)
  nlohmann::json value;
  SourceMap positions;
  std::unordered_map<std::string, MergeTag> tags;  ///< by JSON pointer
};

/// Parses one YAML document; throws LoadError (with file:line:col) on syntax errors and
/// duplicate keys. An empty file gives a null value.
Document parse_yaml(std::string_view text, const std::string& file);

/// Every document of a `---` separated stream, in order (compose-go loads each as a file of its
/// own, merged in order); `all` false: only the first. An empty text gives one null document.
std::vector<Document> parse_yaml_documents(std::string_view text, const std::string& file, bool all = true);

}  // namespace berth::loader
