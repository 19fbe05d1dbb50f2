#pragma once
// JSON text of a value for messages and hashes. Strings can hold bytes that are not UTF-8 (a
// shell variable interpolated into the file); like Go's encoding/json, those print as U+FFFD
// instead of failing.
#include <nlohmann/json.hpp>
#include <string>

namespace berth::loader {

inline std::string json_text(const nlohmann::json& v, int indent = -1) {
  return v.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace berth::loader
