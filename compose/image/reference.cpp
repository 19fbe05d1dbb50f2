// Reference grammar of distribution/reference (what docker uses), without regular expressions:
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain "/"] path-component ["/" path-component]*
//   domain     := host [":" port]      host := dns-label ("." dns-label)* | "[" ipv6 "]"
//   path-comp  := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
//   tag        := [\w][\w.-]{0,127}
// Normalisation follows ParseNormalizedNamed: the first component is a domain only when it
// contains '.' or ':', is "localhost", or has upper-case letters; otherwise the image is on
// docker.io, and a single-component name lives under library/. A bare 64-hex string is refused
// because docker reserves it for image ids.
#include "compose/image/reference.hpp"

#include <cctype>
#include <stdexcept>

namespace berth::image {

namespace {

constexpr std::string_view kDockerHub = "docker.io";
constexpr size_t kMaxNameLength = 255;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }

bool valid_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

bool valid_dns_label(std::string_view s) {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

bool valid_domain(std::string_view d) {
  std::string_view host = d;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : d.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':')) return false;
    host = {};
    d = d.substr(close + 1);
  } else {
    size_t colon = d.find(':');
    host = d.substr(0, colon);
    d = colon == std::string_view::npos ? std::string_view{} : d.substr(colon);
    size_t start = 0;
    for (;;) {
      size_t dot = host.find('.', start);
      if (!valid_dns_label(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (d.empty()) return true;
  if (d.front() != ':' || d.size() == 1) return false;
  for (char c : d.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128 || !is_word(t.front())) return false;
  for (char c : t)
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// Parses `text` into `out`; returns an error message, empty on success.
std::string parse(std::string_view text, Reference& out) {
  const std::string quoted = '"' + std::string(text) + '"';
  if (text.empty()) return "invalid reference format: empty reference";
  if (is_sha256_hex(text))
    return "invalid repository name (" + std::string(text) + "), cannot specify 64-byte hexadecimal strings";
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view dig = rest.substr(at + 1);
    out.digest = Digest::parse(dig);
    if (!out.digest) return "invalid reference format: " + quoted + ": bad digest `" + std::string(dig) + "`";
    rest = rest.substr(0, at);
  }
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    out.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(out.tag)) return "invalid reference format: " + quoted + ": bad tag `" + out.tag + "`";
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return "invalid reference format: " + quoted + ": empty repository name";

  std::string_view remainder = rest;
  out.domain = kDockerHub;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || lower(first) != first) {
      out.domain = std::string(first);
      remainder = rest.substr(slash + 1);
    }
  }
  if (out.domain == "index.docker.io") out.domain = kDockerHub;
  if (!valid_domain(out.domain))
    return "invalid reference format: " + quoted + ": bad registry host `" + out.domain + "`";
  if (lower(remainder) != remainder)
    return "invalid reference format: repository name (" + std::string(remainder) + ") must be lowercase";
  out.path = std::string(remainder);
  if (out.domain == kDockerHub && out.path.find('/') == std::string::npos) out.path = "library/" + out.path;
  size_t start = 0;
  for (;;) {
    size_t slash = out.path.find('/', start);
    std::string_view comp =
        std::string_view(out.path).substr(start, slash == std::string::npos ? slash : slash - start);
    if (!valid_path_component(comp))
      return "invalid reference format: " + quoted + ": bad repository name component `" + std::string(comp) + "`";
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (out.name().size() > kMaxNameLength)
    return "invalid reference format: " + quoted + ": repository name must not be longer than 255 characters";
  if (out.tag.empty() && !out.digest) out.tag = "latest";
  return {};
}

}  // namespace

std::string Reference::name() const { return domain + "/" + path; }

std::string Reference::str() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->str();
  return s;
}

std::string Reference::familiar_name() const {
  if (domain != kDockerHub) return name();
  constexpr std::string_view kLibrary = "library/";
  if (path.compare(0, kLibrary.size(), kLibrary) == 0 && path.find('/', kLibrary.size()) == std::string::npos)
    return path.substr(kLibrary.size());
  return path;
}

std::string Reference::familiar() const {
  std::string s = familiar_name();
  if (!tag.empty()) s += ":" + tag;
  if (digest) s += "@" + digest->str();
  return s;
}

Reference parse_reference(std::string_view text) {
  Reference r;
  if (std::string err = parse(text, r); !err.empty()) throw std::invalid_argument(err);
  return r;
}

std::optional<Reference> try_parse_reference(std::string_view text) {
  Reference r;
  if (!parse(text, r).empty()) return std::nullopt;
  return r;
}

}  // namespace berth::image
