#pragma once
// Times and sizes the way docker prints them: RFC 3339 timestamps in image configs and
// images.json and "4.26MB" sizes (go-units HumanSizeWithPrecision, decimal units, 3 significant
// digits). Parsing times and durations ("2 months") are compose/gofmt's.
#include <cstdint>
#include <string>

namespace berth::image {

/// The current UTC time as RFC 3339 with nanoseconds: "2024-05-01T10:20:30.123456789Z".
std::string rfc3339_now();

/// go-units HumanSizeWithPrecision(size, 3): "4.26MB", "812kB", "100B".
std::string human_size(std::uint64_t bytes);

}  // namespace berth::image
