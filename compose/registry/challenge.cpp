// A small RFC 7235 reader: challenge = scheme [ 1*SP ( token68 / #auth-param ) ], challenges
// separated by commas. An auth-param is token BWS "=" BWS ( token / quoted-string ).
#include "compose/registry/challenge.hpp"

#include <cctype>

namespace berth::registry {

namespace {

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : m_s(s) {}
  bool done() const { return m_i >= m_s.size(); }
  char peek() const { return done() ? '\0' : m_s[m_i]; }
  void skip_ws() {
    while (!done() && (peek() == ' ' || peek() == '\t')) ++m_i;
  }
  void skip_ws_commas() {
    while (!done() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++m_i;
  }
  std::string token() {
    size_t start = m_i;
    while (!done() && is_tchar(peek())) ++m_i;
    return std::string(m_s.substr(start, m_i - start));
  }
  std::string bare() {
    size_t start = m_i;
    while (!done() && peek() != ',' && peek() != ' ' && peek() != '\t') ++m_i;
    return std::string(m_s.substr(start, m_i - start));
  }
  std::optional<std::string> quoted() {
    if (peek() != '"') return std::nullopt;
    ++m_i;
    std::string out;
    while (!done()) {
      char c = m_s[m_i++];
      if (c == '"') return out;
      if (c == '\\' && !done()) c = m_s[m_i++];
      out += c;
    }
    return std::nullopt;  // unterminated
  }
  size_t pos() const { return m_i; }
  void seek(size_t i) { m_i = i; }

 private:
  std::string_view m_s;
  size_t m_i = 0;
};

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view header) {
  std::vector<Challenge> out;
  Reader r(header);
  r.skip_ws_commas();
  while (!r.done()) {
    std::string scheme = r.token();
    if (scheme.empty()) break;
    Challenge c{lower(scheme), {}};
    // auth-params until the next challenge (a token followed by a space and not by '=').
    while (true) {
      r.skip_ws_commas();
      if (r.done()) break;
      size_t mark = r.pos();
      std::string name = r.token();
      if (name.empty()) return out.push_back(std::move(c)), out;
      r.skip_ws();
      if (r.peek() != '=') {  // the next challenge's scheme
        r.seek(mark);
        break;
      }
      r.seek(r.pos() + 1);
      r.skip_ws();
      std::string value;
      if (r.peek() == '"') {
        auto q = r.quoted();
        if (!q) return out.push_back(std::move(c)), out;
        value = *q;
      } else {  // a token (leniently: anything up to a comma or a space, as registries send URLs bare)
        value = r.bare();
      }
      c.params[lower(name)] = value;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace berth::registry
