#pragma once
// Validation of a raw compose document against a JSON Schema (by default Berth's own,
// schema/compose.schema.json), with one clear message per problem:
//   compose.yaml:4:5: services.web.imgae: additional property "imgae" is not allowed (did you mean "image"?)
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "compose/loader/diagnostics.hpp"

namespace berth::loader {

/// One schema violation: where it is and what is wrong, in words meant for the user.
struct SchemaProblem {
  Pointer where;
  std::string message;
};

/// A compiled JSON Schema (valijson over nlohmann::json). Compile once, validate many;
/// every const member may be called from several threads at once.
///
/// Supported keywords are the draft-07 subset valijson implements; "$ref" may point anywhere
/// in the same document ("#/definitions/x", "#/$defs/x").
class SchemaValidator {
 public:
  /// Throws std::runtime_error if `schema_json` is not JSON or not a schema valijson accepts.
  explicit SchemaValidator(std::string_view schema_json);
  ~SchemaValidator();
  SchemaValidator(SchemaValidator&&) noexcept;
  SchemaValidator& operator=(SchemaValidator&&) noexcept;

  /// Adds one diagnostic per problem to `diags` (Diagnostics resolves file:line:col from the pointer).
  void validate(const nlohmann::json& doc, Diagnostics& diags) const;
  /// The same problems, without locations. Empty when `doc` is valid.
  std::vector<SchemaProblem> problems(const nlohmann::json& doc) const;
  /// true when valid (valijson's verdict, no messages built).
  bool accepts(const nlohmann::json& doc) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// Validates against Berth's own embedded schema (compiled once, on first use, thread-safe).
void validate_schema(const nlohmann::json& doc, Diagnostics& diags);

/// Turns a valijson error context ({"<root>", "[services]", "[web]", "[ports]", "[0]"}) into
/// the pointer /services/web/ports/0.
Pointer context_to_pointer(const std::vector<std::string>& context);

/// Edit distance (optimal string alignment: a swap of two neighbours costs 1), for did-you-mean.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace berth::loader
