// .dockerignore as Docker reads and applies it, written after moby/patternmatcher and the
// CLI's ignorefile.ReadAll:
//  - ReadAll: a UTF-8 BOM dropped, lines starting with `#` skipped (before trimming: " #x" is a
//    pattern), whitespace trimmed, `!` split off, the rest cleaned and one leading '/' dropped.
//  - New: trimmed and cleaned again, `!` split off ("!" alone is an error) and the syntax
//    checked with filepath.Match(p, ".").
//  - Matching: moby turns a pattern into a regexp (`*` = `[^/]*`, `?` = `[^/]`, `**` = `(.*/)?`,
//    a trailing `**` = `.*`, classes and `\` escapes kept) or, when it can, into an exact,
//    prefix (`a/**`) or suffix (`**/a`, `**a`: a plain string suffix, quirk included) test. We
//    compile the same pieces into a small NFA run over the path's runes (no backtracking, so no
//    pattern can take exponential time). Where the regexp translation itself is odd — `*`, `?`
//    or `[:alpha:]` inside a class, `\d`-style escapes — we keep filepath.Match's meaning, which
//    is what moby documents.
//  - MatchesOrParentMatches: a rule matches a path when it matches the path or one of its parent
//    directories; rules are applied in order, an exception only after a match and a plain rule
//    only while unmatched, so the last matching rule wins.
#include "compose/build/dockerignore.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/build/go_match.hpp"
#include "compose/gocompat/path.hpp"

namespace berth::build {

namespace {

bool ignore_is_space(char32_t r) {
  return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

/// strings.TrimSpace (unicode.IsSpace at both ends).
std::string_view ignore_trim_space(std::string_view s) {
  while (!s.empty()) {
    auto [r, n] = go_decode_rune(s);
    if (!ignore_is_space(r)) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    // Step back to the start of the last rune (at most 4 bytes).
    std::size_t start = s.size() - 1;
    while (start > 0 && s.size() - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    auto [r, n] = go_decode_rune(s.substr(start));
    if (start + n != s.size()) {
      start = s.size() - 1;  // invalid trailing bytes: one at a time, never space
      r = 0xFFFD;
    }
    if (!ignore_is_space(r)) break;
    s.remove_suffix(s.size() - start);
  }
  return s;
}

enum class IgnoreOp : std::uint8_t { lit, one, cls, star, dot_star, dirs_enter, dirs_loop };

struct IgnoreNode {
  IgnoreOp op;
  char32_t rune = 0;      ///< lit
  std::uint32_t cls = 0;  ///< cls: index into classes
};

struct IgnoreClass {
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;
  bool contains(char32_t r) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges) in = in || (lo <= r && r <= hi);
    return in != negated;
  }
};

enum class IgnoreKind { exact, prefix, suffix, nfa };

struct IgnorePattern {
  IgnoreKind kind = IgnoreKind::exact;
  std::string text;  ///< exact: the pattern; prefix: without the trailing `**`; suffix: without the leading `**`
  std::vector<IgnoreNode> nodes;
  std::vector<IgnoreClass> classes;

  bool matches(std::string_view path) const;
  bool nfa_matches(std::string_view path) const;
};

/// One class character (after `[`, validated by go_pattern_valid): `\x` or a rune.
char32_t ignore_class_char(std::string_view p, std::size_t& pos) {
  if (pos < p.size() && p[pos] == '\\') ++pos;
  auto [r, n] = go_decode_rune(p.substr(pos));
  pos += n;
  return r;
}

/// moby's Pattern.compile, producing NFA nodes instead of regexp text.
IgnorePattern compile_ignore_pattern(std::string_view p) {
  IgnorePattern out;
  IgnoreKind kind = IgnoreKind::exact;
  auto push = [&](IgnoreOp op, char32_t rune = 0, std::uint32_t cls = 0) { out.nodes.push_back({op, rune, cls}); };
  std::size_t pos = 0;
  for (int i = 0; pos < p.size(); ++i) {
    auto [ch, width] = go_decode_rune(p.substr(pos));
    pos += width;
    if (ch == '*') {
      if (pos < p.size() && p[pos] == '*') {
        ++pos;
        if (pos < p.size() && p[pos] == '/') ++pos;  // `**/` is `**`
        if (pos == p.size()) {
          if (kind == IgnoreKind::exact) {
            kind = IgnoreKind::prefix;
          } else {
            push(IgnoreOp::dot_star);
            kind = IgnoreKind::nfa;
          }
        } else {
          push(IgnoreOp::dirs_enter);
          push(IgnoreOp::dirs_loop);
          kind = IgnoreKind::nfa;
        }
        if (i == 0) kind = IgnoreKind::suffix;
      } else {
        push(IgnoreOp::star);
        kind = IgnoreKind::nfa;
      }
    } else if (ch == '?') {
      push(IgnoreOp::one);
      kind = IgnoreKind::nfa;
    } else if (ch == '\\') {
      if (pos < p.size()) {
        auto [esc, n] = go_decode_rune(p.substr(pos));
        pos += n;
        push(IgnoreOp::lit, esc);
        kind = IgnoreKind::nfa;
      } else {
        push(IgnoreOp::lit, '\\');
      }
    } else if (ch == '[') {
      IgnoreClass cls;
      if (pos < p.size() && p[pos] == '^') {
        cls.negated = true;
        ++pos;
      }
      while (pos < p.size()) {
        if (p[pos] == ']' && !cls.ranges.empty()) {
          ++pos;
          break;
        }
        char32_t lo = ignore_class_char(p, pos);
        char32_t hi = lo;
        if (pos < p.size() && p[pos] == '-') {
          ++pos;
          hi = ignore_class_char(p, pos);
        }
        cls.ranges.emplace_back(lo, hi);
      }
      out.classes.push_back(std::move(cls));
      push(IgnoreOp::cls, 0, static_cast<std::uint32_t>(out.classes.size() - 1));
      kind = IgnoreKind::nfa;
    } else if (ch == ']') {
      push(IgnoreOp::lit, ']');
      kind = IgnoreKind::nfa;
    } else {
      push(IgnoreOp::lit, ch);
    }
  }
  out.kind = kind;
  if (kind == IgnoreKind::exact) out.text = std::string(p);
  if (kind == IgnoreKind::prefix) out.text = std::string(p.substr(0, p.size() - 2));
  if (kind == IgnoreKind::suffix) out.text = std::string(p.substr(2));
  if (kind != IgnoreKind::nfa) out.nodes.clear();
  return out;
}

bool IgnorePattern::matches(std::string_view path) const {
  switch (kind) {
    case IgnoreKind::exact:
      return path == text;
    case IgnoreKind::prefix:
      return path.starts_with(text);
    case IgnoreKind::suffix:
      // moby: strings.HasSuffix, or `**/foo` matching "foo" itself.
      return path.ends_with(text) || (!text.empty() && text[0] == '/' && path == std::string_view(text).substr(1));
    case IgnoreKind::nfa:
      return nfa_matches(path);
  }
  return false;
}

bool IgnorePattern::nfa_matches(std::string_view path) const {
  const std::size_t n = nodes.size();
  const std::size_t words = (n + 1 + 63) / 64;
  std::uint64_t inline_bits[8];
  std::vector<std::uint64_t> heap_bits;
  std::uint64_t* cur = inline_bits;
  if (words * 2 > std::size(inline_bits)) {
    heap_bits.resize(words * 2);
    cur = heap_bits.data();
  }
  std::uint64_t* next = cur + words;
  auto set = [](std::uint64_t* b, std::size_t i) { b[i >> 6] |= std::uint64_t{1} << (i & 63); };
  auto test = [](const std::uint64_t* b, std::size_t i) { return (b[i >> 6] >> (i & 63)) & 1; };
  // Epsilon moves only go forward, so one pass in node order closes a state set.
  auto close = [&](std::uint64_t* b) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!test(b, i)) continue;
      IgnoreOp op = nodes[i].op;
      if (op == IgnoreOp::star || op == IgnoreOp::dot_star) set(b, i + 1);
      if (op == IgnoreOp::dirs_enter) {
        set(b, i + 1);
        set(b, i + 2);
      }
    }
  };
  std::memset(cur, 0, words * sizeof *cur);
  set(cur, 0);
  close(cur);
  while (!path.empty()) {
    auto [r, width] = go_decode_rune(path);
    path.remove_prefix(width);
    std::memset(next, 0, words * sizeof *next);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!test(cur, i)) continue;
      const IgnoreNode& node = nodes[i];
      bool advance = false, stay = false;
      switch (node.op) {
        case IgnoreOp::lit:
          advance = r == node.rune;
          break;
        case IgnoreOp::one:
          advance = r != '/';
          break;
        case IgnoreOp::cls:
          advance = classes[node.cls].contains(r);
          break;
        case IgnoreOp::star:
          stay = r != '/';
          break;
        case IgnoreOp::dot_star:
          stay = r != '\n';  // Go's `.` does not match a newline
          break;
        case IgnoreOp::dirs_enter:
          break;
        case IgnoreOp::dirs_loop:
          stay = r != '\n';
          advance = r == '/';
          break;
      }
      if (stay) set(next, i);
      if (advance) set(next, i + 1);
      any = any || stay || advance;
    }
    if (!any) return false;
    close(next);
    std::swap(cur, next);
  }
  return test(cur, n);
}

/// `file:line: message` for a rule that cannot be used.
std::invalid_argument ignore_rule_error(const std::string& file, int line, const std::string& message) {
  return std::invalid_argument(file + ":" + std::to_string(line) + ": " + message);
}

}  // namespace

struct IgnoreMatcher::Compiled {
  std::vector<IgnorePattern> patterns;
};

namespace {

/// patternmatcher.New for one pattern: trimmed, cleaned, `!` split off, syntax checked.
void add_ignore_rule(std::vector<IgnoreRule>& rules, std::vector<IgnorePattern>& compiled, std::string_view pattern,
                     const std::string& file, int line, std::string_view text) {
  std::string_view trimmed = ignore_trim_space(pattern);
  if (trimmed.empty()) return;
  std::string p = gocompat::clean_path(trimmed);
  IgnoreRule rule;
  if (p[0] == '!') {
    if (p.size() == 1) throw ignore_rule_error(file, line, "illegal exclusion pattern: \"!\"");
    rule.exception = true;
    p.erase(0, 1);
  }
  if (!go_pattern_valid(p))
    throw ignore_rule_error(
        file, line, "invalid pattern \"" + std::string(ignore_trim_space(text)) + "\": syntax error in pattern");
  compiled.push_back(compile_ignore_pattern(p));
  rule.pattern = std::move(p);
  rule.file = file;
  rule.line = line;
  rule.text = std::string(text);
  rules.push_back(std::move(rule));
}

}  // namespace

IgnoreMatcher IgnoreMatcher::parse(std::string_view text, const std::string& file) {
  IgnoreMatcher m;
  auto compiled = std::make_shared<Compiled>();
  int line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.ScanLines
    if (line_no == 0 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    ++line_no;
    if (line.starts_with('#')) continue;
    std::string_view pattern = ignore_trim_space(line);
    if (pattern.empty()) continue;
    bool invert = pattern[0] == '!';
    if (invert) pattern = ignore_trim_space(pattern.substr(1));
    std::string cleaned;
    if (!pattern.empty()) {
      cleaned = gocompat::clean_path(pattern);
      if (cleaned.size() > 1 && cleaned[0] == '/') cleaned.erase(0, 1);
    }
    if (invert) cleaned.insert(0, "!");
    add_ignore_rule(m.m_rules, compiled->patterns, cleaned, file, line_no, line);
  }
  m.m_compiled = std::move(compiled);
  return m;
}

IgnoreMatcher IgnoreMatcher::from_patterns(const std::vector<std::string>& patterns, const std::string& file) {
  IgnoreMatcher m;
  auto compiled = std::make_shared<Compiled>();
  int line_no = 0;
  for (const auto& p : patterns) add_ignore_rule(m.m_rules, compiled->patterns, p, file, ++line_no, p);
  m.m_compiled = std::move(compiled);
  return m;
}

const IgnoreRule* IgnoreMatcher::excluded_by(std::string_view path) const {
  // As moby's MatchesOrParentMatches callers do: the context root itself is never excluded.
  if (m_rules.empty() || path.empty() || path == ".") return nullptr;
  bool matched = false;
  const IgnoreRule* by = nullptr;
  for (std::size_t k = 0; k < m_rules.size(); ++k) {
    const IgnoreRule& rule = m_rules[k];
    // A plain rule cannot change an excluded path, an exception cannot change an included one.
    if (rule.exception != matched) continue;
    const IgnorePattern& pat = m_compiled->patterns[k];
    bool match = pat.matches(path);
    for (std::size_t slash = path.find('/'); !match && slash != std::string_view::npos;
         slash = path.find('/', slash + 1))
      match = pat.matches(path.substr(0, slash));
    if (match) {
      matched = !rule.exception;
      by = matched ? &rule : nullptr;
    }
  }
  return by;
}

bool IgnoreMatcher::may_include_below(std::string_view dir) const {
  // BuildKit's walker (fsutil filterFS) prunes an excluded directory unless an exception could
  // match below it: one with glob characters (after dropping a trailing `/**` or `/*`) always
  // could; a literal one only when it names a path inside `dir`.
  for (const IgnoreRule& rule : m_rules) {
    if (!rule.exception) continue;
    std::string_view pat = rule.pattern;
    if (pat.ends_with("/**")) pat.remove_suffix(3);
    if (pat.ends_with("/*")) pat.remove_suffix(2);
    if (pat.find_first_of("*[]?^\\") != std::string_view::npos) return true;
    if (dir.empty() || (pat.starts_with(dir) && (pat.size() == dir.size() || pat[dir.size()] == '/'))) return true;
  }
  return false;
}

IgnoreMatcher load_dockerignore(const std::string& context_dir, const std::string& dockerfile_path) {
  struct Candidate {
    std::string path, shown;
  };
  std::vector<Candidate> candidates;
  if (!dockerfile_path.empty()) {
    // A relative Dockerfile path is relative to the context, as compose's `dockerfile:` is.
    std::string dockerfile = dockerfile_path.front() == '/' ? dockerfile_path : context_dir + "/" + dockerfile_path;
    candidates.push_back({dockerfile + ".dockerignore", dockerfile_path + ".dockerignore"});
  }
  candidates.push_back({context_dir + "/.dockerignore", ".dockerignore"});
  for (const Candidate& c : candidates) {
    std::string text;
    try {
      text = read_file(c.path);
    } catch (const SysError& e) {
      if (e.code() == ENOENT || e.code() == ENOTDIR) continue;
      throw;
    }
    return IgnoreMatcher::parse(text, c.shown);
  }
  return {};
}

}  // namespace berth::build
