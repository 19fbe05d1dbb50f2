// Splitting a string `command:`/`entrypoint:` into words, as compose-go does with
// mattn/go-shellwords v1.0.12 (environment and backtick expansion off):
//   - blanks (space, tab, CR, LF) separate words; '...' and "..." group, "" is an empty word;
//   - a backslash outside single quotes makes the next character literal (no \n or \t escapes);
//   - `...` and $(...) are kept verbatim as part of a word;
//   - an unquoted ; & | < > ends the command line: the rest is dropped, and a run of digits just
//     before '>' (the "2" of 2>&1) is dropped too.
// Unbalanced quotes, a '(' that does not follow '$' and a ')' that closes nothing are errors.
// Only ASCII bytes are special, so UTF-8 text passes through byte by byte.
#include <stdexcept>

#include "compose/loader/normalize.hpp"

namespace berth::loader {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool all_digits(const std::string& s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_shell_words(std::string_view line) {
  enum class Got { None, Word, Quoted };
  std::vector<std::string> args;
  std::string buf;
  bool escaped = false, double_quoted = false, single_quoted = false, back_quoted = false, dollar_quoted = false;
  Got got = Got::None;
  auto fail = [&](const char* why) {
    return std::invalid_argument("invalid command line \"" + std::string(line) + "\": " + why);
  };

  for (char r : line) {
    if (escaped) {
      buf += r;
      escaped = false;
      got = Got::Word;
      continue;
    }
    if (r == '\\') {
      if (single_quoted)
        buf += r;
      else
        escaped = true;
      continue;
    }
    if (is_blank(r)) {
      if (single_quoted || double_quoted || back_quoted || dollar_quoted) {
        buf += r;
      } else if (got != Got::None) {
        args.push_back(std::move(buf));
        buf.clear();
        got = Got::None;
      }
      continue;
    }
    bool stop = false;
    switch (r) {
      case '`':
        if (!single_quoted && !double_quoted && !dollar_quoted) back_quoted = !back_quoted;
        break;
      case ')':
        if (!single_quoted && !double_quoted && !back_quoted) {
          if (!dollar_quoted) throw fail("')' without a matching '$('");
          dollar_quoted = false;
        }
        break;
      case '(':
        if (!single_quoted && !double_quoted && !back_quoted) {
          if (dollar_quoted || buf.empty() || buf.back() != '$') throw fail("'(' is only allowed in '$('");
          dollar_quoted = true;
          buf += r;
          continue;
        }
        break;
      case '"':
        if (!single_quoted && !dollar_quoted && !back_quoted) {
          if (double_quoted) got = Got::Quoted;
          double_quoted = !double_quoted;
          continue;
        }
        break;
      case '\'':
        if (!double_quoted && !dollar_quoted && !back_quoted) {
          if (single_quoted) got = Got::Quoted;
          single_quoted = !single_quoted;
          continue;
        }
        break;
      case ';':
      case '&':
      case '|':
      case '<':
      case '>':
        if (!(single_quoted || double_quoted || back_quoted || dollar_quoted)) {
          if (r == '>' && !buf.empty() && all_digits(buf)) got = Got::None;
          stop = true;
        }
        break;
      default:
        break;
    }
    if (stop) break;
    got = Got::Word;
    buf += r;
  }
  if (got != Got::None) args.push_back(std::move(buf));
  if (escaped) throw fail("ends with a lone backslash");
  if (single_quoted || double_quoted) throw fail("unterminated quote");
  if (back_quoted) throw fail("unterminated '`'");
  if (dollar_quoted) throw fail("unterminated '$('");
  return args;
}

}  // namespace berth::loader
