// Durations and byte sizes as docker compose reads and prints them: Go's time.Duration.String(),
// time.ParseDuration (with the `d` and `w` units of str2duration, which compose-go uses) and
// go-units' RAMInBytes.
#include "compose/model/values.hpp"
#include "compose/loader/units.hpp"

#include <cctype>
#include <cmath>
#include <limits>

namespace berth::model {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::optional<std::int64_t> unit_of(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1'000;  // U+00B5, U+03BC
  if (u == "ms") return 1'000'000;
  if (u == "s") return kSecond;
  if (u == "m") return 60 * kSecond;
  if (u == "h") return 3600 * kSecond;
  if (u == "d") return 24 * 3600 * kSecond;
  if (u == "w") return 7 * 24 * 3600 * kSecond;
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// Go's Duration.String(); the loader formats durations the same way, so there is one copy.
std::string format_duration(Duration d) { return loader::format_duration(d.nanoseconds); }

std::optional<Duration> parse_duration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration{0};
  if (s.empty()) return std::nullopt;
  long double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return std::nullopt;
    long double value = 0;
    std::size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) value = value * 10 + (s[i] - '0');
    bool whole = i > 0;
    bool fraction = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 1;
      for (; i < s.size() && is_digit(s[i]); ++i) {
        scale /= 10;
        value += (s[i] - '0') * scale;
        fraction = true;
      }
    }
    if (!whole && !fraction) return std::nullopt;
    std::size_t j = i;
    while (j < s.size() && s[j] != '.' && !is_digit(s[j])) ++j;
    auto unit = unit_of(s.substr(i, j - i));
    if (!unit) return std::nullopt;
    total += value * static_cast<long double>(*unit);
    s.remove_prefix(j);
  }
  if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  auto ns = static_cast<std::int64_t>(total);
  return Duration{negative ? -ns : ns};
}

// docker/go-units RAMInBytes, shared with the loader's normalisation.
std::optional<std::int64_t> parse_bytes(std::string_view s) { return loader::parse_bytes(s); }

}  // namespace berth::model
