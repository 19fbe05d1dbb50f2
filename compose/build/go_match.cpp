// A port of Go's path/filepath.Match (Linux: '/' separator, `\` escapes), kept to its structure:
// the pattern is split into chunks at each run of `*`, and a chunk is matched at the current
// position or, after a star, at every later position that does not cross a '/'. Like Go 1.16+,
// a failed match still checks the rest of the pattern, so a malformed pattern is reported
// whatever the name (moby relies on that to validate .dockerignore lines with Match(p, ".")).
#include "compose/build/go_match.hpp"

#include <cstdint>
#include <utility>

namespace berth::build {

namespace {
constexpr char32_t kGoRuneError = 0xFFFD;
}  // namespace

std::pair<char32_t, std::size_t> go_decode_rune(std::string_view s) {
  if (s.empty()) return {kGoRuneError, 0};
  auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t n = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF)
    n = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF)
    n = 3;
  else if (b0 >= 0xF0 && b0 <= 0xF4)
    n = 4;
  if (n == 0 || s.size() < n) return {kGoRuneError, 1};
  char32_t r = b0 & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return {kGoRuneError, 1};
    r = (r << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as in Go.
  if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)) || (r >= 0xD800 && r <= 0xDFFF))
    return {kGoRuneError, 1};
  return {r, n};
}

namespace {

struct GoChunk {
  bool star;
  std::string_view chunk;
  std::string_view rest;
};

GoChunk go_scan_chunk(std::string_view pattern) {
  bool star = false;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    star = true;
  }
  bool inrange = false;
  std::size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;  // a trailing `\` is reported by go_match_chunk
    } else if (c == '[') {
      inrange = true;
    } else if (c == ']') {
      inrange = false;
    } else if (c == '*' && !inrange) {
      break;
    }
  }
  return {star, pattern.substr(0, i), pattern.substr(i)};
}

/// getEsc: one (possibly escaped) character of a class; false for a malformed one.
bool go_get_esc(std::string_view& chunk, char32_t& r) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  auto [rune, n] = go_decode_rune(chunk);
  if (rune == kGoRuneError && n == 1) return false;
  chunk.remove_prefix(n);
  r = rune;
  return !chunk.empty();
}

enum class ChunkResult { no, yes, bad };

/// matchChunk: on yes, `s` is left at the rest of the name.
ChunkResult go_match_chunk(std::string_view chunk, std::string_view& s) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    switch (chunk[0]) {
      case '[': {
        char32_t r = 0;
        if (!failed) {
          auto [rune, n] = go_decode_rune(s);
          r = rune;
          s.remove_prefix(n);
        }
        chunk.remove_prefix(1);
        bool negated = false;
        if (!chunk.empty() && chunk[0] == '^') {
          negated = true;
          chunk.remove_prefix(1);
        }
        bool match = false;
        int nrange = 0;
        for (;;) {
          if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
            chunk.remove_prefix(1);
            break;
          }
          char32_t lo = 0;
          if (!go_get_esc(chunk, lo)) return ChunkResult::bad;
          char32_t hi = lo;
          if (chunk[0] == '-') {
            chunk.remove_prefix(1);
            if (!go_get_esc(chunk, hi)) return ChunkResult::bad;
          }
          if (lo <= r && r <= hi) match = true;
          ++nrange;
        }
        if (match == negated) failed = true;
        break;
      }
      case '?':
        if (!failed) {
          if (s[0] == '/') failed = true;
          s.remove_prefix(go_decode_rune(s).second);
        }
        chunk.remove_prefix(1);
        break;
      case '\\':
        chunk.remove_prefix(1);
        if (chunk.empty()) return ChunkResult::bad;
        [[fallthrough]];
      default:
        if (!failed) {
          if (chunk[0] != s[0]) failed = true;
          s.remove_prefix(1);
        }
        chunk.remove_prefix(1);
        break;
    }
  }
  return failed ? ChunkResult::no : ChunkResult::yes;
}

}  // namespace

GoMatch go_match(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    GoChunk c = go_scan_chunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) return name.find('/') == std::string_view::npos ? GoMatch::yes : GoMatch::no;
    std::string_view t = name;
    ChunkResult r = go_match_chunk(c.chunk, t);
    // The last chunk must use up the name; otherwise a star may still find a later position.
    if (r == ChunkResult::yes && (t.empty() || !pattern.empty())) {
      name = t;
      continue;
    }
    if (r == ChunkResult::bad) return GoMatch::bad_pattern;
    bool advanced = false;
    if (c.star) {
      for (std::size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        t = name.substr(i + 1);
        r = go_match_chunk(c.chunk, t);
        if (r == ChunkResult::yes) {
          if (pattern.empty() && !t.empty()) continue;
          name = t;
          advanced = true;
          break;
        }
        if (r == ChunkResult::bad) return GoMatch::bad_pattern;
      }
    }
    if (advanced) continue;
    // No match: report a malformed rest of the pattern all the same.
    while (!pattern.empty()) {
      GoChunk rest = go_scan_chunk(pattern);
      pattern = rest.rest;
      std::string_view empty;
      if (go_match_chunk(rest.chunk, empty) == ChunkResult::bad) return GoMatch::bad_pattern;
    }
    return GoMatch::no;
  }
  return name.empty() ? GoMatch::yes : GoMatch::no;
}

bool has_glob_meta(std::string_view text) noexcept { return text.find_first_of("*?[\\") != std::string_view::npos; }

}  // namespace berth::build
