// Variable interpolation, a faithful port of compose-go v2's template package (template/template.go)
// and of its tree walk with type casts (interpolation/interpolation.go, loader/interpolate.go).
//
// compose-go finds references with one regular expression, applied left to right:
//   \$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|(?P<invalid>)))
// match_at() below is that expression written out by hand (leftmost-first, `.*` greedy and stopping
// at a newline), so its quirks are kept on purpose:
//  - `$1`, `$-`, a lone `$` are no reference at all and stay as written; `${` without a valid
//    `NAME}` / `NAME<op>...}` is an invalid template (an error);
//  - a braced reference with an operator runs to the LAST `}` of the line; the text is then cut at
//    the first balanced `}` (counting every `{`, and skipping the character after it, as
//    getFirstBraceClosingIndex does) and what follows the cut is interpolated on its own;
//  - defaults, alternatives and error messages are interpolated before they are known to be
//    needed, so `${SET:-${UNSET:?x}}` fails even though SET is set.
#include "compose/loader/interpolate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/scope_exit.hpp"

namespace berth::loader {
namespace {

// The two errors template.go returns; interpolate() turns them into InterpolationError.
struct InvalidTemplate {
  std::string tmpl;  ///< the template of the innermost Substitute call that saw it
};
struct MissingRequired {
  std::string name;
  std::string reason;
};
struct TooDeep {};

// Defaults within defaults recurse; Go's growing stacks have no limit, ours do. No real file comes
// near this.
constexpr int max_depth = 500;

bool is_name_start(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_op(char c) { return c == '-' || c == '+' || c == '?'; }

enum class Kind { escaped, named, braced, invalid };

struct Match {
  Kind kind;
  size_t end;              ///< one past the match
  std::string_view group;  ///< the named/braced group
};

// Where `.*}` may end: the last `}` of a line, remembered so that a line holding many references is
// scanned once, not once per reference (positions asked for only grow).
struct LineCache {
  size_t line_end = 0;                         ///< the line's `\n` (or the end); 0 = nothing cached
  size_t last_brace = std::string_view::npos;  ///< its last `}` at or after the first position asked
};

// Position of the last `}` in s[from, end of line), or npos.
size_t last_brace_on_line(std::string_view s, size_t from, LineCache* cache) {
  LineCache local;
  if (!cache) cache = &local;
  if (cache->line_end == 0 || from > cache->line_end) {
    cache->line_end = std::min(s.find('\n', from), s.size());
    size_t brace = s.substr(from, cache->line_end - from).rfind('}');
    cache->last_brace = brace == std::string_view::npos ? brace : from + brace;
  }
  bool found = cache->last_brace != std::string_view::npos && cache->last_brace >= from;
  return found ? cache->last_brace : std::string_view::npos;
}

// The pattern tried at s[i] == '$'; nullopt when nothing matches there.
std::optional<Match> match_at(std::string_view s, size_t i, LineCache* cache = nullptr) {
  size_t n = s.size();
  if (i + 1 >= n) return std::nullopt;
  char c = s[i + 1];
  if (c == '$') return Match{Kind::escaped, i + 2, s.substr(i + 1, 1)};
  if (is_name_start(c)) {
    size_t k = i + 2;
    while (k < n && is_name_char(s[k])) ++k;
    return Match{Kind::named, k, s.substr(i + 1, k - i - 1)};
  }
  if (c != '{') return std::nullopt;
  size_t start = i + 2;
  if (start < n && is_name_start(s[start])) {
    size_t k = start + 1;
    while (k < n && is_name_char(s[k])) ++k;
    // (?::?[-+?](.*))? is tried first, then the bare `}`.
    size_t body = std::string_view::npos;
    if (k + 1 < n && s[k] == ':' && is_op(s[k + 1]))
      body = k + 2;
    else if (k < n && is_op(s[k]))
      body = k + 1;
    if (body != std::string_view::npos) {
      size_t close = last_brace_on_line(s, body, cache);
      if (close != std::string_view::npos) return Match{Kind::braced, close + 1, s.substr(start, close - start)};
    }
    if (k < n && s[k] == '}') return Match{Kind::braced, k + 1, s.substr(start, k - start)};
  }
  return Match{Kind::invalid, i + 2, {}};
}

// The operator whose first occurrence in `text` comes first (getSubstitutionFunctionForTemplate
// sorts the six by strings.Index); no two start at the same place, so the first place where one
// starts decides. ":?" when there is none, which then applies to nothing.
std::string_view first_operator(std::string_view text) {
  for (size_t p = 0; p < text.size(); ++p) {
    if (text[p] == ':' && p + 1 < text.size() && is_op(text[p + 1])) return text.substr(p, 2);
    if (is_op(text[p])) return text.substr(p, 1);
  }
  return ":?";
}

class Substituter {
 public:
  explicit Substituter(const Lookup& lookup) : m_lookup(lookup) {}

  // SubstituteWithOptions: replace every match of the pattern, left to right.
  //
  // After an applied `${NAME<op>...}`, Go substitutes the text between the first balanced `}` and
  // the end of the match in a call of its own. That text always ends where the match ended (at the
  // line's last `}`), and so do such tails within it, so it is scanned here in place: no recursion,
  // and errors in it still name it (`region`) as Go names its template.
  std::string substitute(std::string_view tmpl) {
    if (m_depth >= max_depth) throw TooDeep{};
    ++m_depth;
    ScopeExit leave([this] { --m_depth; });
    std::string out;
    LineCache cache;
    size_t region = 0, region_end = tmpl.size();
    size_t i = 0;
    while (i < tmpl.size()) {
      if (i >= region_end) region = 0, region_end = tmpl.size();
      size_t dollar = tmpl.find('$', i);
      if (dollar == std::string_view::npos) break;
      std::optional<Match> m = match_at(tmpl, dollar, &cache);
      if (!m) {
        out.append(tmpl.substr(i, dollar + 1 - i));
        i = dollar + 1;
        continue;
      }
      out.append(tmpl.substr(i, dollar - i));
      size_t rest = std::string_view::npos;
      try {
        out += replace(tmpl.substr(dollar, m->end - dollar), rest);
      } catch (InvalidTemplate& e) {
        if (e.tmpl.empty()) e.tmpl = std::string(tmpl.substr(region, region_end - region));
        throw;
      }
      if (rest != std::string_view::npos && dollar + rest < m->end) {
        region = i = dollar + rest;
        region_end = m->end;
      } else {
        i = m->end;
      }
    }
    if (i < tmpl.size()) out.append(tmpl.substr(i));
    return out;
  }

 private:
  // DefaultReplacementAppliedFunc for one match; `rest` is set to the offset of the tail still to
  // be substituted (npos: none).
  std::string replace(std::string_view substring, size_t& rest) {
    std::string_view op = first_operator(substring);
    size_t close = first_brace_closing_index(substring);
    if (close != std::string_view::npos) substring = substring.substr(0, close + 1);
    Match m = *match_at(substring, 0);  // substring starts with a match, so this cannot fail
    switch (m.kind) {
      case Kind::escaped:
        return "$";
      case Kind::named:
        return lookup_or_empty(m.group);
      case Kind::invalid:
        throw InvalidTemplate{};
      case Kind::braced:
        break;
    }
    std::string_view sub = m.group;
    if (std::optional<std::string> value = apply(op, sub)) {
      if (close != std::string_view::npos) rest = close + 1;
      return std::move(*value);
    }
    return lookup_or_empty(sub);  // Go drops the tail here; it is always empty
  }

  // The substitution functions; nullopt when `op` does not occur in `sub` (not applied).
  std::optional<std::string> apply(std::string_view op, std::string_view sub) {
    size_t at = sub.find(op);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view name = sub.substr(0, at);
    std::string arg = substitute(sub.substr(at + op.size()));
    bool colon = op.size() == 2;
    std::optional<std::string> value = m_lookup(name);
    switch (op.back()) {
      case '-':
        return (!value || (colon && value->empty())) ? arg : *value;
      case '+':
        return (value && (!colon || !value->empty())) ? arg : value.value_or("");
      default:  // '?'
        if (!value || (colon && value->empty())) throw MissingRequired{std::string(name), std::move(arg)};
        return *value;
    }
  }

  std::string lookup_or_empty(std::string_view name) { return m_lookup(name).value_or(""); }

  const Lookup& m_lookup;
  int m_depth = 0;
};

// Go's %q, enough for messages: quotes, backslashes and control characters escaped.
std::string quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// ---- the tree walk and compose-go's interpolateTypeCastMapping ----

enum class Cast { int_, int64, float_, float32, boolean };

// A path of the document as compose-go's tree.Path sees it: keys, and list items as "[]".
struct Part {
  std::string key;
  bool item = false;
};

struct CastRule {
  std::vector<std::string_view> pattern;  ///< "*" matches any key or item, "[]" any list item
  Cast cast;
};

// compose-go v2 loader/interpolate.go. (v1 also cast ports.*.published and mem_swappiness; v2 does
// not: published may be a range such as "8000-8010".)
const std::vector<CastRule>& cast_rules() {
  static const std::vector<CastRule> rules = [] {
    std::vector<CastRule> r;
    auto service = [&r](std::initializer_list<std::string_view> rest, Cast c) {
      std::vector<std::string_view> p{"services", "*"};
      p.insert(p.end(), rest);
      r.push_back({std::move(p), c});
    };
    auto top = [&r](std::string_view section, std::string_view field, Cast c) {
      r.push_back({{section, "*", field}, c});
    };
    service({"configs", "[]", "mode"}, Cast::int_);
    service({"cpu_count"}, Cast::int64);
    service({"cpu_percent"}, Cast::float_);
    service({"cpu_period"}, Cast::int64);
    service({"cpu_quota"}, Cast::int64);
    service({"cpu_rt_period"}, Cast::int64);
    service({"cpu_rt_runtime"}, Cast::int64);
    service({"cpus"}, Cast::float32);
    service({"cpu_shares"}, Cast::int64);
    service({"init"}, Cast::boolean);
    service({"deploy", "replicas"}, Cast::int_);
    service({"deploy", "update_config", "parallelism"}, Cast::int_);
    service({"deploy", "update_config", "max_failure_ratio"}, Cast::float_);
    service({"deploy", "rollback_config", "parallelism"}, Cast::int_);
    service({"deploy", "rollback_config", "max_failure_ratio"}, Cast::float_);
    service({"deploy", "restart_policy", "max_attempts"}, Cast::int_);
    service({"deploy", "placement", "max_replicas_per_node"}, Cast::int_);
    service({"healthcheck", "retries"}, Cast::int_);
    service({"healthcheck", "disable"}, Cast::boolean);
    service({"oom_kill_disable"}, Cast::boolean);
    service({"oom_score_adj"}, Cast::int64);
    service({"pids_limit"}, Cast::int64);
    service({"ports", "[]", "target"}, Cast::int_);
    service({"privileged"}, Cast::boolean);
    service({"read_only"}, Cast::boolean);
    service({"scale"}, Cast::int_);
    service({"secrets", "[]", "mode"}, Cast::int_);
    service({"stdin_open"}, Cast::boolean);
    service({"tty"}, Cast::boolean);
    service({"ulimits", "*"}, Cast::int_);
    service({"ulimits", "*", "hard"}, Cast::int_);
    service({"ulimits", "*", "soft"}, Cast::int_);
    service({"volumes", "[]", "read_only"}, Cast::boolean);
    service({"volumes", "[]", "volume", "nocopy"}, Cast::boolean);
    for (std::string_view field : {"external", "internal", "attachable", "enable_ipv4", "enable_ipv6"}) {
      top("networks", field, Cast::boolean);
    }
    for (std::string_view section : {"volumes", "secrets", "configs"}) top(section, "external", Cast::boolean);
    return r;
  }();
  return rules;
}

std::optional<Cast> cast_for(const std::vector<Part>& path) {
  for (const CastRule& rule : cast_rules()) {
    if (rule.pattern.size() != path.size()) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < path.size(); ++i) {
      std::string_view want = rule.pattern[i];
      if (want == "*") continue;
      ok = want == "[]" ? path[i].item : (!path[i].item && path[i].key == want);
    }
    if (ok) return rule.cast;
  }
  return std::nullopt;
}

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, nothing else.
nlohmann::json to_int(const std::string& s, std::string_view func) {
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool syntax = !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (syntax) {
    std::string clean = s[0] == '+' ? s.substr(1) : s;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
    if (ec == std::errc() && end == clean.data() + clean.size()) return v;
  }
  throw std::runtime_error(std::string(func) + ": parsing " + quote(s) +
                           (syntax ? ": value out of range" : ": invalid syntax"));
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// strconv.ParseFloat for decimal syntax (sign, digits with `_` between them, `.`, exponent) and
// inf/infinity/nan; Go's hexadecimal floats are not accepted.
nlohmann::json to_float(const std::string& s, bool single) {
  std::string_view func = "strconv.ParseFloat";
  auto fail = [&](std::string_view why) -> nlohmann::json {
    throw std::runtime_error(std::string(func) + ": parsing " + quote(s) + ": " + std::string(why));
  };
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (equals_ignore_case(body, "inf") || equals_ignore_case(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (equals_ignore_case(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // Validate the shape Go accepts, dropping underscores that sit between digits.
  std::string clean;
  bool digit_before = false, mantissa_digit = false, dot = false, exponent = false, exp_digit = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    bool is_digit = c >= '0' && c <= '9';
    if (is_digit) {
      (exponent ? exp_digit : mantissa_digit) = true;
      clean += c;
    } else if (c == '_') {
      if (!digit_before || i + 1 >= body.size() || body[i + 1] < '0' || body[i + 1] > '9')
        return fail("invalid syntax");
    } else if (c == '.' && !dot && !exponent) {
      dot = true;
      clean += c;
    } else if ((c == 'e' || c == 'E') && !exponent && mantissa_digit) {
      exponent = true;
      clean += 'e';
      if (i + 1 < body.size() && (body[i + 1] == '+' || body[i + 1] == '-')) clean += body[++i];
    } else {
      return fail("invalid syntax");
    }
    digit_before = is_digit;
  }
  if (!mantissa_digit || (exponent && !exp_digit)) return fail("invalid syntax");
  double v = 0;
  auto [end, ec] = std::from_chars(clean.data(), clean.data() + clean.size(), v);
  if (ec == std::errc::result_out_of_range) {
    // Go rounds underflow to zero silently and reports only overflow.
    bool overflow = clean.find('e') == std::string::npos || clean[clean.find('e') + 1] != '-';
    if (overflow) return fail("value out of range");
    v = 0;
  } else if (ec != std::errc() || end != clean.data() + clean.size()) {
    return fail("invalid syntax");
  }
  // float32 overflows from half an ulp above its largest value on (2^128 - 2^103).
  if (single && std::isfinite(v) && std::fabs(v) >= 0x1.ffffffp127) return fail("value out of range");
  return negative ? -v : v;
}

// toBoolean: YAML 1.1 words, case-insensitive.
nlohmann::json to_bool(const std::string& s) {
  for (std::string_view word : {"true", "y", "yes", "on"}) {
    if (equals_ignore_case(s, word)) return true;
  }
  for (std::string_view word : {"false", "n", "no", "off"}) {
    if (equals_ignore_case(s, word)) return false;
  }
  throw std::runtime_error("invalid boolean: " + s);
}

nlohmann::json cast_value(const std::string& s, Cast cast) {
  switch (cast) {
    case Cast::int_:
      return to_int(s, "strconv.Atoi");
    case Cast::int64:
      return to_int(s, "strconv.ParseInt");
    case Cast::float_:
      return to_float(s, false);
    case Cast::float32:
      return to_float(s, true);
    case Cast::boolean:
      return to_bool(s);
  }
  return s;
}

void walk(nlohmann::json& value, const Lookup& lookup, Diagnostics& diags, const Pointer& at, std::vector<Part>& path) {
  if (value.is_object()) {
    for (auto& [key, child] : value.items()) {
      path.push_back({key, false});
      walk(child, lookup, diags, at / key, path);
      path.pop_back();
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      path.push_back({std::to_string(i), true});
      walk(value[i], lookup, diags, at / i, path);
      path.pop_back();
    }
  } else if (value.is_string()) {
    std::string text;
    try {
      text = interpolate(value.get_ref<const std::string&>(), lookup);
    } catch (const InterpolationError& e) {
      diags.error(at, e.what());
      return;
    }
    std::optional<Cast> cast = cast_for(path);
    if (!cast) {
      value = std::move(text);
      return;
    }
    try {
      value = cast_value(text, *cast);
    } catch (const std::runtime_error& e) {
      diags.error(at, std::string("failed to cast to expected type: ") + e.what());
    }
  }
}

}  // namespace

// getFirstBraceClosingIndex, including its habit of skipping the character after each `{`.
size_t first_brace_closing_index(std::string_view s) {
  int open = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '}') {
      --open;
      if (open == 0) return i;
    }
    if (s[i] == '{') {
      ++open;
      ++i;
    }
  }
  return std::string_view::npos;
}

std::vector<TemplateReference> template_references(std::string_view text) {
  std::vector<TemplateReference> out;
  LineCache cache;
  for (size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i)) {
    std::optional<Match> m = match_at(text, i, &cache);
    if (!m) {
      ++i;
      continue;
    }
    static constexpr TemplateReference::Kind kinds[] = {TemplateReference::Kind::escaped,
                                                        TemplateReference::Kind::named, TemplateReference::Kind::braced,
                                                        TemplateReference::Kind::invalid};
    out.push_back({kinds[static_cast<int>(m->kind)], text.substr(i, m->end - i), m->group});
    i = m->end;
  }
  return out;
}

std::string interpolate(std::string_view text, const Lookup& lookup) {
  static const Lookup nothing = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  try {
    return Substituter(lookup ? lookup : nothing).substitute(text);
  } catch (const MissingRequired& e) {
    std::string message = "required variable " + e.name + " is missing a value";
    if (!e.reason.empty()) message += ": " + e.reason;
    throw InterpolationError(message);
  } catch (const InvalidTemplate& e) {
    throw InterpolationError("invalid interpolation format for " + quote(e.tmpl) +
                             "; you may need to escape any $ with another $");
  } catch (const TooDeep&) {
    throw InterpolationError("interpolation nested more than " + std::to_string(max_depth) + " levels deep");
  }
}

void interpolate_tree(nlohmann::json& value, const Lookup& lookup, Diagnostics& diags, const Pointer& at) {
  // The path of `at` itself: its tokens are keys, except that all-digit tokens are taken as list
  // items (a pointer does not tell them apart; no cast rule has a digit-only key).
  std::vector<Part> path;
  for (Pointer p = at; !p.empty(); p = p.parent_pointer()) {
    const std::string& token = p.back();
    bool digits = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    path.push_back(Part{token, digits});
  }
  std::reverse(path.begin(), path.end());  // collected leaf first
  walk(value, lookup, diags, at, path);
}

}  // namespace berth::loader
