// Docker-compatible rendering of times and sizes for `berth images` and `image inspect`.
#include "compose/image/format.hpp"

#include <time.h>

#include <chrono>
#include <cstdio>

namespace berth::image {

std::string rfc3339_now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - secs).count();
  time_t t = secs.count();
  tm utc{};
  ::gmtime_r(&t, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(nanos));
  return buf;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::string s(text);
  tm t{};
  const char* rest = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &t);
  if (rest == nullptr) return std::nullopt;
  if (*rest == '.')
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) {
    }
  std::int64_t offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = (hh * 3600 + mm * 60) * (*rest == '-' ? -1 : 1);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  return static_cast<std::int64_t>(::timegm(&t)) - offset;
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  auto size = static_cast<double>(bytes);
  size_t i = 0;
  while (size >= 1000.0 && i + 1 < std::size(kUnits)) {
    size /= 1000.0;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g%s", 3, size, kUnits[i]);
  return buf;
}

}  // namespace berth::image
