#include "schema/schema.hpp"

namespace berth::embedded {
extern const std::string_view compose_schema_json;
}

namespace berth::schema {
std::string_view compose_schema() { return embedded::compose_schema_json; }
}  // namespace berth::schema
