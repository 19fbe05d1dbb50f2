// Go's float formatting (strconv.FormatFloat with precision -1). std::to_chars gives the same
// shortest round-trip digits Go's Ryu-based code does; only the layout (where the decimal point
// goes, when to switch to an exponent, how many exponent digits) is Go's and is rebuilt here.
#include "compose/gocompat/float.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace berth::gocompat {

namespace {

/// A finite double as Go's decimal: 0.<digits> x 10^point.
struct Decimal {
  std::string digits;  ///< no leading or trailing zeros; empty for zero
  int point = 0;
  bool negative = false;
};

Decimal shortest(double v) {
  Decimal d;
  d.negative = std::signbit(v);
  v = std::fabs(v);
  if (v == 0) return d;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));  // "1.2345e-05"
  auto e = text.find('e');
  for (char c : text.substr(0, e))
    if (c != '.') d.digits += c;
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  d.point = exponent + 1;
  return d;
}

/// %e with all the digits: "1.5e+06", at least two exponent digits as Go prints them.
std::string format_e(const Decimal& d) {
  std::string out = d.negative ? "-" : "";
  out += d.digits.empty() ? '0' : d.digits[0];
  if (d.digits.size() > 1) out += '.' + d.digits.substr(1);
  int exponent = d.digits.empty() ? 0 : d.point - 1;
  out += exponent < 0 ? "e-" : "e+";
  int a = std::abs(exponent);
  if (a < 10) out += '0';
  out += std::to_string(a);
  return out;
}

/// %f with just enough fraction digits.
std::string format_f(const Decimal& d) {
  std::string out = d.negative ? "-" : "";
  const int n = static_cast<int>(d.digits.size());
  if (d.point > 0) {
    for (int i = 0; i < d.point; ++i) out += i < n ? d.digits[static_cast<std::size_t>(i)] : '0';
  } else {
    out += '0';
  }
  int fraction = std::max(n - d.point, 0);
  if (fraction > 0) {
    out += '.';
    for (int i = 0; i < fraction; ++i) {
      int j = d.point + i;
      out += (j >= 0 && j < n) ? d.digits[static_cast<std::size_t>(j)] : '0';
    }
  }
  return out;
}

}  // namespace

std::string format_g(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Inf" : "+Inf";
  Decimal d = shortest(v);
  if (d.digits.empty()) return format_f(d);
  int exponent = d.point - 1;
  // Go: "if precision was the shortest possible, use precision 6 for this decision".
  if (exponent < -4 || exponent >= 6) return format_e(d);
  return format_f(d);
}

std::string format_json(double v) {
  Decimal d = shortest(v);
  double a = std::fabs(v);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    std::string out = format_e(d);
    // encoding/json cleans up "e-09" to "e-9".
    auto n = out.size();
    if (n >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') out.erase(n - 2, 1);
    return out;
  }
  return format_f(d);
}

double float32_value(float v) {
  if (!std::isfinite(v)) return static_cast<double>(v);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf - 1, v);
  *res.ptr = '\0';
  return std::strtod(buf, nullptr);
}

}  // namespace berth::gocompat
