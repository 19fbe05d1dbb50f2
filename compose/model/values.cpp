// Durations and byte sizes as docker compose reads and prints them, through the one Go-compatible
// implementation in compose/gocompat/units: time.Duration.String(), time.ParseDuration (with the
// `d` and `w` units of str2duration, which compose-go uses) and go-units' RAMInBytes.
#include "compose/model/values.hpp"

#include "compose/gocompat/units.hpp"

namespace berth::model {

std::string format_duration(Duration d) { return gocompat::format_duration(d.nanoseconds); }

std::optional<Duration> parse_duration(std::string_view s) {
  auto ns = gocompat::parse_duration_ns(s);
  if (!ns) return std::nullopt;
  return Duration{*ns};
}

// docker/go-units RAMInBytes (compose/gocompat/units).
std::optional<std::int64_t> parse_bytes(std::string_view s) { return gocompat::parse_bytes(s); }

}  // namespace berth::model
