// BuildKit's flag parser (bflag.go), the quote-keeping word splitter of ENV/LABEL/ARG
// (parseWords) and EXPOSE's port specs (go-connections/nat ParsePortSpecs without host parts).
#include "compose/build/instruction_parts.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <unordered_set>

#include "compose/build/dockerfile_split.hpp"

namespace berth::build {

void InstructionFlags::parse() {
  for (const std::string& word : m_words) {
    if (word == "--") return;
    if (!word.starts_with("--")) throw std::invalid_argument("arg should start with -- : " + word);
    std::size_t eq = word.find('=');
    bool has_value = eq != std::string::npos;
    std::string flag_name = word.substr(0, eq);
    std::string value = has_value ? word.substr(eq + 1) : "";
    auto it = m_flags.find(std::string_view(flag_name).substr(2));
    if (it == m_flags.end()) throw std::invalid_argument("unknown flag: " + flag_name);
    Flag& flag = it->second;
    if (flag.used && flag.type != Type::strings) throw std::invalid_argument("duplicate flag specified: " + flag_name);
    flag.used = true;
    switch (flag.type) {
      case Type::boolean: {
        if (has_value && value.empty()) throw std::invalid_argument("missing a value on flag: " + flag_name);
        std::string lower = value;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true" || lower.empty()) {
          flag.value = "true";
        } else if (lower == "false") {
          flag.value = "false";
        } else {
          throw std::invalid_argument("expecting boolean value for flag " + flag_name + ", not: " + value);
        }
        break;
      }
      case Type::string:
        if (!has_value) throw std::invalid_argument("missing a value on flag: " + flag_name);
        flag.value = value;
        break;
      case Type::strings:
        if (!has_value) throw std::invalid_argument("missing a value on flag: " + flag_name);
        flag.values.push_back(value);
        break;
    }
  }
}

bool InstructionFlags::used(const std::string& name) const {
  auto it = m_flags.find(name);
  return it != m_flags.end() && it->second.used;
}

std::vector<std::string> split_quoted_words(std::string_view text, char escape) {
  enum class Phase { spaces, word, quote };
  std::vector<std::string> words;
  Phase phase = Phase::spaces;
  char quote = 0;
  bool blank_ok = false;
  std::string word;
  for (std::size_t pos = 0; pos <= text.size(); ++pos) {
    char c = pos < text.size() ? text[pos] : '\0';
    if (phase == Phase::spaces) {
      if (pos == text.size()) break;
      if (dockerfile_is_space(c)) continue;
      phase = Phase::word;
    }
    if (pos == text.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == Phase::word) {
      if (dockerfile_is_space(c)) {
        phase = Phase::spaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
        phase = Phase::quote;
      }
      if (c == escape) {
        if (pos + 1 == text.size()) continue;  // an escape at the very end is dropped
        word += c;
        c = text[++pos];
      }
      word += c;
      continue;
    }
    // Phase::quote
    if (c == quote) phase = Phase::word;
    if (c == escape && quote != '\'') {
      if (pos + 1 == text.size()) {
        phase = Phase::word;
        continue;
      }
      word += c;
      c = text[++pos];
    }
    word += c;
  }
  return words;
}

bool parse_go_bool(std::string_view text, bool& out) {
  static constexpr std::string_view k_true[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view k_false[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(k_true), std::end(k_true), text) != std::end(k_true)) {
    out = true;
    return true;
  }
  if (std::find(std::begin(k_false), std::end(k_false), text) != std::end(k_false)) {
    out = false;
    return true;
  }
  return false;
}

namespace {

/// parsePortNumber: Go's strconv.ParseInt (optional sign), then 0..65535.
bool expose_port_number(std::string_view text, long& out) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  long value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (negative) value = -value;
  out = value;
  return value >= 0 && value <= 65535;
}

/// parsePortRange: "80" or "8000-8010".
bool expose_port_range(std::string_view text, long& first, long& last) {
  if (text.empty()) return false;
  std::size_t dash = text.find('-');
  std::string_view start = text.substr(0, dash);
  if (!expose_port_number(start, first)) return false;
  if (dash == std::string_view::npos || start == text.substr(dash + 1)) {
    last = first;
    return true;
  }
  return expose_port_number(text.substr(dash + 1), last) && last >= first;
}

bool expose_ip_valid(std::string ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

}  // namespace

std::vector<std::string> parse_expose_ports(const std::vector<std::string>& words) {
  std::vector<std::string> ports;
  std::unordered_set<std::string> seen;
  for (const std::string& raw : words) {
    // [ip:[hostPort:]]containerPort[/proto]; only the container side is kept, as BuildKit does.
    std::string_view rest = raw;
    std::string_view ip;
    std::string_view host_port;
    std::size_t last_colon = rest.rfind(':');
    if (last_colon != std::string_view::npos) {
      std::string_view head = rest.substr(0, last_colon);
      rest = rest.substr(last_colon + 1);
      std::size_t colon = head.rfind(':');
      host_port = colon == std::string_view::npos ? head : head.substr(colon + 1);
      if (colon != std::string_view::npos) ip = head.substr(0, colon);
    }
    std::size_t slash = rest.find('/');
    std::string_view container_port = rest.substr(0, slash);
    std::string proto = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
    for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (container_port.empty()) throw std::invalid_argument("invalid port: \"" + raw + "\": no port specified");
    if (proto.empty()) proto = "tcp";
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      throw std::invalid_argument("invalid port: \"" + raw +
                                  "\": invalid proto: " + std::string(rest.substr(slash + 1)));
    }
    if (!ip.empty() && !expose_ip_valid(std::string(ip))) {
      throw std::invalid_argument("invalid IP address: " + std::string(ip));
    }
    long first = 0;
    long last = 0;
    if (!expose_port_range(container_port, first, last)) {
      throw std::invalid_argument("invalid containerPort: " + std::string(container_port));
    }
    if (!host_port.empty()) {
      long host_first = 0;
      long host_last = 0;
      if (!expose_port_range(host_port, host_first, host_last)) {
        throw std::invalid_argument("invalid hostPort: " + std::string(host_port));
      }
      if (last - first != host_last - host_first && last != first) {
        throw std::invalid_argument("invalid ranges specified for container and host Ports: " +
                                    std::string(container_port) + " and " + std::string(host_port));
      }
    }
    for (long port = first; port <= last; ++port) {
      std::string text = std::to_string(port) + "/" + proto;
      if (seen.insert(text).second) ports.push_back(std::move(text));
    }
  }
  return ports;
}

}  // namespace berth::build
