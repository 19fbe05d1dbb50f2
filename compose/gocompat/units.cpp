// Durations and byte sizes, ported from the Go code docker compose runs so that a
// value normalised here prints exactly as `docker compose config` prints it:
//   - parse_duration_ns: Go's time.ParseDuration (same overflow rules), plus the "d" and "w"
//     units that compose-go accepts through go-str2duration;
//   - format_duration: time.Duration.String ("1m0s", "1.5ms", "0s");
//   - parse_bytes / parse_human_size: docker/go-units parseSize with the binary (1024) / the
//     decimal (1000) unit map;
// Floats are printed with gocompat::format_g (strconv.FormatFloat(v, 'g', -1, 64)).
#include "compose/gocompat/units.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <system_error>

namespace berth::gocompat {

namespace {

constexpr uint64_t k_nanosecond = 1;
constexpr uint64_t k_microsecond = 1000 * k_nanosecond;
constexpr uint64_t k_millisecond = 1000 * k_microsecond;
constexpr uint64_t k_second = 1000 * k_millisecond;
constexpr uint64_t k_minute = 60 * k_second;
constexpr uint64_t k_hour = 60 * k_minute;
constexpr uint64_t k_day = 24 * k_hour;
constexpr uint64_t k_week = 7 * k_day;
constexpr uint64_t k_overflow_limit = uint64_t{1} << 63;

std::optional<uint64_t> unit_in_ns(std::string_view unit) {
  if (unit == "ns") return k_nanosecond;
  // "us", U+00B5 (micro sign) and U+03BC (Greek mu), as Go accepts all three.
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return k_microsecond;
  if (unit == "ms") return k_millisecond;
  if (unit == "s") return k_second;
  if (unit == "m") return k_minute;
  if (unit == "h") return k_hour;
  if (unit == "d") return k_day;
  if (unit == "w") return k_week;
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Consumes leading digits of `s` into `value`; false on overflow (Go: "bad [0-9]*").
bool leading_int(std::string_view& s, uint64_t& value) {
  size_t i = 0;
  value = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (value > (k_overflow_limit - 1) / 10) return false;
    value = value * 10 + static_cast<uint64_t>(s[i] - '0');
    if (value > k_overflow_limit) return false;
  }
  s.remove_prefix(i);
  return true;
}

/// Consumes leading digits of a fraction; digits beyond what fits are dropped, as Go does.
void leading_fraction(std::string_view& s, uint64_t& value, double& scale) {
  size_t i = 0;
  value = 0;
  scale = 1;
  bool overflow = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (value > (std::numeric_limits<int64_t>::max() - 1) / 10) {
      overflow = true;
      continue;
    }
    uint64_t y = value * 10 + static_cast<uint64_t>(s[i] - '0');
    if (y > k_overflow_limit) {
      overflow = true;
      continue;
    }
    value = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

/// Writes the fraction of v / 10^prec into the tail of buf (before w), without trailing zeros.
size_t fmt_frac(char* buf, size_t w, uint64_t& v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) buf[--w] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (print) buf[--w] = '.';
  return w;
}

size_t fmt_int(char* buf, size_t w, uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

}  // namespace

std::optional<int64_t> parse_duration_ns(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return std::nullopt;
    size_t before = s.size();
    uint64_t v = 0;
    if (!leading_int(s, v)) return std::nullopt;
    bool pre = before != s.size();
    bool post = false;
    uint64_t f = 0;
    double scale = 1;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t len = s.size();
      leading_fraction(s, f, scale);
      post = len != s.size();
    }
    if (!pre && !post) return std::nullopt;  // "." alone
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) ++i;
    if (i == 0) return std::nullopt;  // missing unit
    auto unit = unit_in_ns(s.substr(0, i));
    s.remove_prefix(i);
    if (!unit) return std::nullopt;
    if (v > k_overflow_limit / *unit) return std::nullopt;
    v *= *unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
      if (v > k_overflow_limit) return std::nullopt;
    }
    total += v;
    if (total > k_overflow_limit) return std::nullopt;
  }
  if (neg) return total == k_overflow_limit ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(total);
  if (total > k_overflow_limit - 1) return std::nullopt;
  return static_cast<int64_t>(total);
}

std::string format_duration(int64_t ns) {
  std::array<char, 32> buf{};
  size_t w = buf.size();
  bool neg = ns < 0;
  uint64_t u = neg ? uint64_t{0} - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (u < k_second) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      buf[--w] = '0';
      return std::string(buf.data() + w, buf.size() - w);
    }
    if (u < k_microsecond) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < k_millisecond) {
      prec = 3;
      buf[--w] = '\xB5';  // U+00B5 micro sign, as Go prints it
      buf[--w] = '\xC2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    w = fmt_frac(buf.data(), w, u, prec);
    w = fmt_int(buf.data(), w, u);
  } else {
    buf[--w] = 's';
    w = fmt_frac(buf.data(), w, u, 9);
    w = fmt_int(buf.data(), w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = fmt_int(buf.data(), w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = fmt_int(buf.data(), w, u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf.data() + w, buf.size() - w);
}

namespace {

/// go-units parseSize with the unit map of base 1024 (RAMInBytes) or 1000 (FromHumanSize).
std::optional<int64_t> parse_go_size(std::string_view text, double base) {
  size_t sep = text.find_last_of("0123456789. ");
  if (sep == std::string_view::npos) return std::nullopt;  // there must be at least a digit
  std::string_view num = text[sep] == ' ' ? text.substr(0, sep) : text.substr(0, sep + 1);
  std::string sfx(text.substr(sep + 1));
  if (num.empty()) return std::nullopt;
  double size = 0;
  auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), size, std::chars_format::general);
  if (ec != std::errc() || end != num.data() + num.size() || !std::isfinite(size) || size < 0) return std::nullopt;
  if (!sfx.empty()) {
    if (sfx.size() > 3) return std::nullopt;
    for (auto& c : sfx) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (sfx[0] == 'b') {
      if (sfx.size() > 1) return std::nullopt;
    } else {
      static constexpr std::string_view prefixes = "kmgtp";
      size_t power = prefixes.find(sfx[0]);
      if (power == std::string_view::npos) return std::nullopt;
      size *= std::pow(base, static_cast<double>(power + 1));
      if (sfx.size() == 2 && sfx[1] != 'b') return std::nullopt;
      if (sfx.size() == 3 && sfx.substr(1) != "ib") return std::nullopt;
    }
  }
  // Go converts with int64(size); a value past the int64 range is refused instead of wrapping.
  if (size >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(size);
}

}  // namespace

std::optional<int64_t> parse_bytes(std::string_view text) { return parse_go_size(text, 1024.0); }

std::optional<int64_t> parse_human_size(std::string_view text) { return parse_go_size(text, 1000.0); }

namespace {

/// go-units CustomSize: divide by `base` while the size reaches it, then "%.<precision>g<unit>".
std::string custom_size(std::uint64_t bytes, int precision, double base, const char* const (&units)[9]) {
  auto size = static_cast<double>(bytes);
  size_t i = 0;
  while (size >= base && i + 1 < std::size(units)) {
    size /= base;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, units[i]);
  return buf;
}

constexpr const char* kDecimalUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
constexpr const char* kBinaryUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

}  // namespace

std::string human_size(std::uint64_t bytes, int precision) {
  return custom_size(bytes, precision, 1000.0, kDecimalUnits);
}

std::string bytes_size(std::uint64_t bytes) { return custom_size(bytes, 4, 1024.0, kBinaryUnits); }

}  // namespace berth::gocompat
