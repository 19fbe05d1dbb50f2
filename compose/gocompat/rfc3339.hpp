#pragma once
// RFC 3339 timestamps as docker writes and accepts them (Go's time.RFC3339Nano), parsed once for
// logs --since/--until and json-file lines, ps's Up/Created times and images' CREATED column.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::gocompat {

/// Nanoseconds since the Unix epoch of "2024-01-02T03:04:05Z": fractions up to nanoseconds ('.' or
/// ','), "Z" or "+02:00"/"-02:00" offsets, 't' or ' ' as separator; also "2024-01-02T03:04:05" and
/// "2024-01-02" (taken as UTC). nullopt when invalid (trailing text, month 13, ten fraction digits).
std::optional<std::int64_t> parse_rfc3339_ns(std::string_view text);

/// The current UTC time as RFC 3339 with nanoseconds: "2024-05-01T10:20:30.123456789Z" (what
/// docker writes in images.json, volume metadata and container records).
std::string rfc3339_now();

/// parse_rfc3339_ns in whole seconds, the fraction dropped (rounded towards the past).
std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view text);

}  // namespace berth::gocompat
