// Shell patterns of the `#`, `%` and `/` substitutions. BuildKit converts a pattern to a Go
// regular expression (`*` → `.*` or `.*?`, `?` → `.`) and lets regexp's leftmost-first search
// pick the match; this file matches the same pattern tokens with a memoised backtracking search
// that tries star lengths in the same order (longest first when greedy), so it picks the same
// match. Go's `.` does not match '\n' and steps over one UTF-8 character; so do we.
#include "compose/build/shell_pattern.hpp"

#include <algorithm>
#include <vector>

#include "compose/build/shell_lex.hpp"

namespace berth::build {

namespace {

struct GlobToken {
  enum class Kind { literal, any, star };
  Kind kind = Kind::literal;
  std::string text;  ///< the literal character (one UTF-8 sequence)
};

/// Length of the UTF-8 sequence at value[pos] (1 for a byte that does not start a valid one, as
/// Go counts an invalid byte as one character).
std::size_t pattern_rune_len(std::string_view value, std::size_t pos) {
  auto byte = static_cast<unsigned char>(value[pos]);
  std::size_t len = 1;
  if (byte >= 0xC2 && byte <= 0xDF) {
    len = 2;
  } else if (byte >= 0xE0 && byte <= 0xEF) {
    len = 3;
  } else if (byte >= 0xF0 && byte <= 0xF4) {
    len = 4;
  }
  if (pos + len > value.size()) return 1;
  for (std::size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(value[pos + i]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

std::vector<GlobToken> tokenize_pattern(std::string_view pattern) {
  std::vector<GlobToken> tokens;
  for (std::size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '*') {
      tokens.push_back({GlobToken::Kind::star, {}});
      ++i;
      continue;
    }
    if (c == '?') {
      tokens.push_back({GlobToken::Kind::any, {}});
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < pattern.size() && (pattern[i + 1] == '}' || pattern[i + 1] == '/')) {
        ++i;  // `\}` and `\/` are the character itself, taken as a literal next round
        continue;
      }
      if (i + 1 >= pattern.size()) {
        throw ExpandError("invalid pattern (" + std::string(pattern) + ") in substitution: invalid escape '\\'");
      }
      char next = pattern[i + 1];
      if (next != '*' && next != '?' && next != '\\') {
        std::size_t len = pattern_rune_len(pattern, i + 1);
        throw ExpandError("invalid pattern (" + std::string(pattern) + ") in substitution: invalid escape '\\" +
                          std::string(pattern.substr(i + 1, len)) + "'");
      }
      tokens.push_back({GlobToken::Kind::literal, std::string(1, next)});
      i += 2;
      continue;
    }
    std::size_t len = pattern_rune_len(pattern, i);
    tokens.push_back({GlobToken::Kind::literal, std::string(pattern.substr(i, len))});
    i += len;
  }
  return tokens;
}

/// First match (in regexp preference order) of the tokens at a position of one value.
class GlobMatcher {
 public:
  GlobMatcher(const std::vector<GlobToken>& tokens, std::string_view value, bool greedy)
      : m_tokens(tokens),
        m_value(value),
        m_greedy(greedy),
        m_memo((tokens.size() + 1) * (value.size() + 1), k_unknown) {}

  /// End of the match that starts at `start`, or -1.
  long match_at(std::size_t start) { return from(0, start); }

 private:
  static constexpr long k_unknown = -2;

  long from(std::size_t ti, std::size_t pos) {
    if (ti == m_tokens.size()) return static_cast<long>(pos);
    long& memo = m_memo[ti * (m_value.size() + 1) + pos];
    if (memo != k_unknown) return memo;
    memo = step(ti, pos);
    return memo;
  }

  long step(std::size_t ti, std::size_t pos) {
    const GlobToken& token = m_tokens[ti];
    switch (token.kind) {
      case GlobToken::Kind::literal:
        if (m_value.substr(pos).starts_with(token.text)) return from(ti + 1, pos + token.text.size());
        return -1;
      case GlobToken::Kind::any:
        if (pos < m_value.size() && m_value[pos] != '\n') return from(ti + 1, pos + pattern_rune_len(m_value, pos));
        return -1;
      case GlobToken::Kind::star:
        break;
    }
    std::vector<std::size_t> ends{pos};
    for (std::size_t p = pos; p < m_value.size() && m_value[p] != '\n';) {
      p += pattern_rune_len(m_value, p);
      ends.push_back(p);
    }
    if (m_greedy) std::reverse(ends.begin(), ends.end());
    for (std::size_t end : ends) {
      long result = from(ti + 1, end);
      if (result >= 0) return result;
    }
    return -1;
  }

  const std::vector<GlobToken>& m_tokens;
  std::string_view m_value;
  bool m_greedy;
  std::vector<long> m_memo;
};

/// `value` with its UTF-8 characters in reverse order.
std::string reverse_runes(std::string_view value) {
  std::vector<std::string_view> runes;
  for (std::size_t i = 0; i < value.size();) {
    std::size_t len = pattern_rune_len(value, i);
    runes.push_back(value.substr(i, len));
    i += len;
  }
  std::string out;
  out.reserve(value.size());
  for (auto it = runes.rbegin(); it != runes.rend(); ++it) out += *it;
  return out;
}

std::string trim_prefix_tokens(const std::vector<GlobToken>& tokens, const std::string& value, bool longest) {
  GlobMatcher matcher(tokens, value, longest);
  long end = matcher.match_at(0);
  if (end < 0) return value;
  return value.substr(static_cast<std::size_t>(end));
}

bool is_template_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// Go's Regexp.Expand of `replacement` for a match of a regexp without groups: `$0`/`${0}` is
/// the match, `$$` a `$`, any other name nothing, a `$` not followed by a name itself.
std::string expand_replacement_template(std::string_view replacement, std::string_view match) {
  std::string out;
  while (!replacement.empty()) {
    std::size_t dollar = replacement.find('$');
    if (dollar == std::string_view::npos) break;
    out += replacement.substr(0, dollar);
    replacement.remove_prefix(dollar + 1);
    if (!replacement.empty() && replacement[0] == '$') {
      out += '$';
      replacement.remove_prefix(1);
      continue;
    }
    bool brace = !replacement.empty() && replacement[0] == '{';
    std::size_t i = brace ? 1 : 0;
    std::size_t name_start = i;
    while (i < replacement.size() && is_template_name_char(replacement[i])) ++i;
    std::string_view name = replacement.substr(name_start, i - name_start);
    bool ok = !name.empty() && (!brace || (i < replacement.size() && replacement[i] == '}'));
    if (!ok) {
      out += '$';
      continue;
    }
    if (brace) ++i;
    replacement.remove_prefix(i);
    bool digits = std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    bool is_zero = digits && name.find_first_not_of('0') == std::string_view::npos && name.size() < 9;
    if (is_zero) out += match;
  }
  out += replacement;
  return out;
}

}  // namespace

std::string trim_prefix_pattern(std::string_view pattern, const std::string& value, bool longest) {
  return trim_prefix_tokens(tokenize_pattern(pattern), value, longest);
}

std::string trim_suffix_pattern(std::string_view pattern, const std::string& value, bool longest) {
  std::vector<GlobToken> tokens = tokenize_pattern(pattern);
  std::reverse(tokens.begin(), tokens.end());
  return reverse_runes(trim_prefix_tokens(tokens, reverse_runes(value), longest));
}

std::string replace_pattern(std::string_view pattern, const std::string& value, const std::string& replacement,
                            bool all) {
  std::vector<GlobToken> tokens = tokenize_pattern(pattern);
  GlobMatcher matcher(tokens, value, true);
  auto find_from = [&](std::size_t search) -> std::pair<long, long> {
    for (std::size_t start = search; start <= value.size(); ++start) {
      long end = matcher.match_at(start);
      if (end >= 0) return {static_cast<long>(start), end};
    }
    return {-1, -1};
  };
  if (!all) {
    auto [start, end] = find_from(0);
    if (start < 0) return value;
    return value.substr(0, static_cast<std::size_t>(start)) + replacement + value.substr(static_cast<std::size_t>(end));
  }
  // Go's Regexp.ReplaceAllString: no replacement for an empty match right after a match, and
  // always at least one character of progress.
  std::string out;
  std::size_t last_end = 0;
  std::size_t search = 0;
  while (search <= value.size()) {
    auto [start, end] = find_from(search);
    if (start < 0) break;
    auto ustart = static_cast<std::size_t>(start);
    auto uend = static_cast<std::size_t>(end);
    out += value.substr(last_end, ustart - last_end);
    if (uend > last_end || ustart == 0) {
      out += expand_replacement_template(replacement, std::string_view(value).substr(ustart, uend - ustart));
    }
    last_end = uend;
    std::size_t width = search < value.size() ? pattern_rune_len(value, search) : 0;
    if (search + width > uend) {
      search += width;
    } else if (search + 1 > uend) {
      ++search;
    } else {
      search = uend;
    }
  }
  out += value.substr(last_end);
  return out;
}

}  // namespace berth::build
