#pragma once
#include <string_view>

namespace berth::schema {
/// The text of schema/compose.schema.json, embedded at build time.
std::string_view compose_schema();
}  // namespace berth::schema
