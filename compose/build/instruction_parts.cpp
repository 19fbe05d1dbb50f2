// BuildKit's flag parser (bflag.go), the quote-keeping word splitter of ENV/LABEL/ARG
// (parseWords) and EXPOSE's port specs (go-connections/nat ParsePortSpecs without host parts).
#include "compose/build/instruction_parts.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <stdexcept>
#include <unordered_set>

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
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  std::vector<std::string> words;
  Phase phase = Phase::spaces;
  char quote = 0;
  bool blank_ok = false;
  std::string word;
  for (std::size_t pos = 0; pos <= text.size(); ++pos) {
    char c = pos < text.size() ? text[pos] : '\0';
    if (phase == Phase::spaces) {
      if (pos == text.size()) break;
      if (is_space(c)) continue;
      phase = Phase::word;
    }
    if (pos == text.size()) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == Phase::word) {
      if (is_space(c)) {
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

bool expose_port_number(std::string_view text, unsigned& out) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= 65535;
}

}  // namespace

std::vector<std::string> parse_expose_ports(const std::vector<std::string>& words) {
  std::vector<std::string> ports;
  std::unordered_set<std::string> seen;
  for (const std::string& word : words) {
    std::string_view spec = word;
    std::string proto = "tcp";
    if (std::size_t slash = spec.find('/'); slash != std::string_view::npos) {
      proto = std::string(spec.substr(slash + 1));
      for (char& c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      spec = spec.substr(0, slash);
      if (proto != "tcp" && proto != "udp" && proto != "sctp") {
        throw std::invalid_argument("invalid proto: " + proto);
      }
    }
    unsigned first = 0;
    unsigned last = 0;
    std::size_t dash = spec.find('-');
    bool ok = dash == std::string_view::npos
                  ? expose_port_number(spec, first) && expose_port_number(spec, last)
                  : expose_port_number(spec.substr(0, dash), first) && expose_port_number(spec.substr(dash + 1), last);
    if (!ok) throw std::invalid_argument("invalid containerPort: " + std::string(spec));
    if (last < first) throw std::invalid_argument("invalid range specified for the port: " + std::string(spec));
    for (unsigned port = first; port <= last; ++port) {
      std::string text = std::to_string(port) + "/" + proto;
      if (seen.insert(text).second) ports.push_back(std::move(text));
    }
  }
  return ports;
}

}  // namespace berth::build
