// Upstream server text forms (see upstream.hpp).
#include "dns/upstream.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace berth::dns {

std::string upstream_csv_entry(std::string_view text) {
  std::string host(text);
  std::string port = "53";
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return {};
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = std::string(rest.substr(1));
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = std::string(text.substr(0, colon));
    port = std::string(text.substr(colon + 1));
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return {};
  unsigned long p = std::stoul(port);
  if (p == 0 || p > 65535) return {};
  unsigned char buf[16];
  if (::inet_pton(AF_INET, host.c_str(), buf) == 1) return host + ":" + std::to_string(p);
  if (::inet_pton(AF_INET6, host.c_str(), buf) == 1) return "[" + host + "]:" + std::to_string(p);
  return {};
}

std::vector<std::string> parse_resolv_conf(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (words >> key >> value && key == "nameserver") out.push_back(value);
  }
  return out;
}

}  // namespace berth::dns
