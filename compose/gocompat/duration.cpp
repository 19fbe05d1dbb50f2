// go-units HumanDuration, line for line: seconds and minutes truncate, hours round to nearest
// (int(d.Hours()+0.5)) and days, weeks and months are whole divisions of those rounded hours;
// years come from the truncated hours. Go's test table is in tests/unit/gocompat/duration_test.cpp.
#include "compose/gocompat/duration.hpp"

#include <cstdint>

namespace berth::gocompat {

std::string human_duration(double seconds) {
  auto n = [](std::int64_t v, const char* units) { return std::to_string(v) + " " + units; };
  auto whole_seconds = static_cast<std::int64_t>(seconds);
  if (whole_seconds < 1) return "Less than a second";
  if (whole_seconds == 1) return "1 second";
  if (whole_seconds < 60) return n(whole_seconds, "seconds");
  auto minutes = static_cast<std::int64_t>(seconds / 60);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return n(minutes, "minutes");
  auto hours = static_cast<std::int64_t>(seconds / 3600 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return n(hours, "hours");
  if (hours < 24 * 7 * 2) return n(hours / 24, "days");
  if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
  return n(static_cast<std::int64_t>(seconds / 3600) / 24 / 365, "years");
}

}  // namespace berth::gocompat
