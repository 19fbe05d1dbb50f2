// Signal name parsing with glibc's own table (sigabbrev_np), so every name the kernel knows
// works without a hand-kept list; real-time signals as RTMIN+n / RTMAX-n, as Docker accepts.
#include "runtime-shim/signals.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace berth::shim {

namespace {

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

int parse_signal(std::string_view text) {
  std::string name(text);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  int n = 0;
  if (parse_int(name, n) && n > 0 && n < NSIG) return n;
  for (int s = 1; s < SIGRTMIN; ++s)
    if (const char* abbrev = ::sigabbrev_np(s); abbrev && name == abbrev) return s;
  if (name == "RTMIN") return SIGRTMIN;
  if (name == "RTMAX") return SIGRTMAX;
  if (name.rfind("RTMIN+", 0) == 0 && parse_int(std::string_view(name).substr(6), n) && n >= 0 &&
      SIGRTMIN + n <= SIGRTMAX)
    return SIGRTMIN + n;
  if (name.rfind("RTMAX-", 0) == 0 && parse_int(std::string_view(name).substr(6), n) && n >= 0 &&
      SIGRTMAX - n >= SIGRTMIN)
    return SIGRTMAX - n;
  throw std::invalid_argument("invalid signal `" + std::string(text) + "`");
}

std::string signal_name(int signo) {
  if (const char* abbrev = ::sigabbrev_np(signo); abbrev) return std::string("SIG") + abbrev;
  return "SIG" + std::to_string(signo);
}

}  // namespace berth::shim
