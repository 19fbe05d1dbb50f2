// GetTimestamp's decision order: a duration first (unless "0"); then a layout chosen by the
// text's shape (a '.' → RFC3339Nano, a 'T' → hours, minutes or seconds by the colons, else a
// date), in the local zone unless the text carries 'Z', 'z', '+' or three '-'; text that fails
// those and has no '-' is a Unix timestamp whose fraction is scaled to nanoseconds.
#include "compose/gocompat/timestamp.hpp"

#include <algorithm>
#include <ctime>
#include <string>

#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::gocompat {

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t floor_seconds(int64_t ns) {
  return (ns >= 0 ? ns / kNanosPerSecond : (ns - kNanosPerSecond + 1) / kNanosPerSecond) * kNanosPerSecond;
}

/// The local zone's offset from UTC at `now_ns`, in seconds.
int64_t local_offset(int64_t now_ns) {
  time_t secs = static_cast<time_t>(now_ns / kNanosPerSecond);
  tm local{};
  ::localtime_r(&secs, &local);
  return local.tm_gmtoff;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// moby's ParseTimestamps: "seconds[.fraction]".
std::optional<int64_t> unix_timestamp(std::string_view v) {
  size_t dot = v.find('.');
  std::string_view secs = v.substr(0, dot);
  if (!all_digits(secs) || secs.size() > 12) return std::nullopt;
  int64_t out = std::stoll(std::string(secs)) * kNanosPerSecond;
  if (dot == std::string_view::npos) return out;
  std::string_view frac = v.substr(dot + 1);
  if (!all_digits(frac) || frac.size() > 9) return std::nullopt;
  int64_t n = std::stoll(std::string(frac));
  for (size_t i = frac.size(); i < 9; ++i) n *= 10;
  return out + n;
}

}  // namespace

std::optional<int64_t> parse_docker_timestamp(std::string_view v, int64_t now_ns) {
  if (v.empty()) return std::nullopt;
  if (v != "0")
    if (auto d = parse_duration_ns(v)) return floor_seconds(now_ns - *d);
  const bool zoned = v.find_first_of("zZ+") != std::string_view::npos || std::count(v.begin(), v.end(), '-') == 3;
  // Where the zone starts ("" when local): after the date's own dashes.
  size_t zone_at = v.size();
  if (zoned && v.size() > 10) {
    size_t z = v.find_first_of("zZ+-", 10);
    if (z != std::string_view::npos) zone_at = z;
  }
  std::string clock(v.substr(0, zone_at));
  const std::string zone(v.substr(zone_at));
  if (clock.find('.') == std::string::npos) {
    if (clock.size() == 10)
      clock += "T00:00:00";
    else if (clock.find('T') != std::string::npos)
      for (auto colons = std::count(clock.begin(), clock.end(), ':'); colons < 2; ++colons) clock += ":00";
  }
  if (clock.find('T') != std::string::npos && clock.size() >= 19) {
    if (auto t = parse_rfc3339_ns(clock + (zoned ? zone : "Z")))
      return zoned ? *t : *t - local_offset(now_ns) * kNanosPerSecond;
  }
  if (v.find('-') != std::string_view::npos) return std::nullopt;
  return unix_timestamp(v);
}

}  // namespace berth::gocompat
