// BuildKit's Dockerfile shell lexer (frontend/dockerfile/shell/lex.go), behaviour for behaviour:
// one pass over the text that removes quotes and escapes, expands `$name`, `${name}` and the
// `${name<modifier>...}` forms, and (for ProcessWords) splits at unquoted whitespace. Inside
// double quotes the escape character only escapes `"`, `$` and itself; inside single quotes
// nothing. A modifier's word is itself lexed up to its `}` (patterns of `#`, `%` and `/` keep
// their escapes so the pattern code sees `\*`). `<<` is kept with the blanks after it, glued to
// the next word, so that heredoc markers survive word splitting.
#include "compose/build/shell_lex.hpp"

#include <utility>

#include "compose/build/shell_pattern.hpp"

namespace berth::build {

namespace {

constexpr int k_lex_eof = -1;

bool lex_is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool lex_is_digit(int c) { return c >= '0' && c <= '9'; }
bool lex_is_name_char(int c) { return lex_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool lex_is_special_param(int c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

/// Go's %q, enough for error messages.
std::string lex_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// The words being built by ProcessWords: unquoted whitespace ends a word.
class LexWords {
 public:
  void add_char(char c) {
    if (lex_is_space(static_cast<unsigned char>(c)) && m_in_word) {
      if (!m_buf.empty()) {
        m_words.push_back(std::move(m_buf));
        m_buf.clear();
        m_in_word = false;
      }
    } else if (!lex_is_space(static_cast<unsigned char>(c))) {
      add_raw_char(c);
    }
  }
  void add_raw_char(char c) {
    m_buf += c;
    m_in_word = true;
  }
  void add_string(std::string_view text) {
    for (char c : text) add_char(c);
  }
  void add_raw_string(std::string_view text) {
    m_buf += text;
    m_in_word = true;
  }
  std::vector<std::string> take() {
    if (!m_buf.empty()) m_words.push_back(std::move(m_buf));
    m_buf.clear();
    return std::move(m_words);
  }

 private:
  std::string m_buf;
  std::vector<std::string> m_words;
  bool m_in_word = false;
};

class ShellWordLexer {
 public:
  ShellWordLexer(std::string_view text, const VarLookup& vars, char escape, const LexOptions& options)
      : m_text(text), m_vars(vars), m_escape(static_cast<unsigned char>(escape)), m_options(options) {}

  LexResult run() {
    try {
      auto [word, words] = process_stop_on(k_lex_eof, m_options.raw_escapes);
      return {std::move(word), std::move(words)};
    } catch (const ExpandError& e) {
      throw ExpandError("failed to process " + lex_quote(m_text) + ": " + e.what());
    }
  }

 private:
  int peek() const { return m_pos < m_text.size() ? static_cast<unsigned char>(m_text[m_pos]) : k_lex_eof; }
  int next() { return m_pos < m_text.size() ? static_cast<unsigned char>(m_text[m_pos++]) : k_lex_eof; }

  std::pair<std::string, std::vector<std::string>> process_stop_on(int stop, bool raw_escapes) {
    bool saved_raw = m_raw_escapes;
    m_raw_escapes = raw_escapes;
    struct Restore {
      bool& target;
      bool value;
      ~Restore() { target = value; }
    } restore{m_raw_escapes, saved_raw};

    std::string result;
    LexWords words;
    while (peek() != k_lex_eof) {
      int c = peek();
      if (stop != k_lex_eof && c == stop) {
        next();
        return {std::move(result), words.take()};
      }
      bool quote = !m_options.skip_process_quotes && (c == '\'' || c == '"');
      if (c == '$' || c == '<' || quote) {
        std::string piece = c == '$'    ? process_dollar()
                            : c == '<'  ? process_possible_heredoc()
                            : c == '\'' ? process_single_quote()
                                        : process_double_quote();
        result += piece;
        if (c == '$') {
          words.add_string(piece);
        } else {
          words.add_raw_string(piece);
        }
        continue;
      }
      c = next();
      if (c == m_escape) {
        if (m_raw_escapes) {
          words.add_raw_char(static_cast<char>(c));
          result += static_cast<char>(c);
        }
        c = next();
        if (c == k_lex_eof) break;
        words.add_raw_char(static_cast<char>(c));
      } else {
        words.add_char(static_cast<char>(c));
      }
      result += static_cast<char>(c);
    }
    if (stop != k_lex_eof) {
      throw ExpandError(std::string("unexpected end of statement while looking for matching ") +
                        static_cast<char>(stop));
    }
    return {std::move(result), words.take()};
  }

  std::string process_single_quote() {
    std::string result;
    int c = next();
    if (m_options.raw_quotes) result += static_cast<char>(c);
    for (;;) {
      c = next();
      if (c == k_lex_eof) throw ExpandError("unexpected end of statement while looking for matching single-quote");
      if (c == '\'') {
        if (m_options.raw_quotes) result += static_cast<char>(c);
        return result;
      }
      result += static_cast<char>(c);
    }
  }

  std::string process_double_quote() {
    std::string result;
    int c = next();
    if (m_options.raw_quotes) result += static_cast<char>(c);
    for (;;) {
      int p = peek();
      if (p == k_lex_eof) throw ExpandError("unexpected end of statement while looking for matching double-quote");
      if (p == '"') {
        next();
        if (m_options.raw_quotes) result += '"';
        return result;
      }
      if (p == '$') {
        result += process_dollar();
        continue;
      }
      c = next();
      if (c == m_escape) {
        if (m_raw_escapes) result += static_cast<char>(c);
        int after = peek();
        if (after == k_lex_eof) continue;
        if (after == '"' || after == '$' || after == m_escape) c = next();
      }
      result += static_cast<char>(c);
    }
  }

  std::string process_name() {
    std::string name;
    while (peek() != k_lex_eof) {
      int c = peek();
      if (name.empty() && lex_is_digit(c)) {
        while (lex_is_digit(peek())) name += static_cast<char>(next());
        return name;
      }
      if (name.empty() && lex_is_special_param(c)) return std::string(1, static_cast<char>(next()));
      if (!lex_is_name_char(c)) break;
      name += static_cast<char>(next());
    }
    return name;
  }

  std::optional<std::string> get_env(const std::string& name) const { return m_vars ? m_vars(name) : std::nullopt; }

  std::string process_possible_heredoc() {
    next();
    if (peek() != '<') return "<";
    next();
    std::string result = "<<";
    while (peek() == '\t' || peek() == '\r' || peek() == ' ') result += static_cast<char>(next());
    return result;
  }

  /// The word of a modifier up to `stop`, with BuildKit's "missing" message at the end of text.
  std::string modifier_word(int stop, bool raw_escapes, const char* missing) {
    try {
      return process_stop_on(stop, raw_escapes).first;
    } catch (const ExpandError&) {
      if (peek() == k_lex_eof) throw ExpandError(missing);
      throw;
    }
  }

  std::string process_dollar() {
    next();
    if (peek() != '{') {
      std::string name = process_name();
      if (name.empty()) return "$";
      std::optional<std::string> value = get_env(name);
      if (!value && m_options.skip_unset_env) return "$" + name;
      return value.value_or("");
    }
    next();
    int first = peek();
    if (first == k_lex_eof) throw ExpandError("syntax error: missing '}'");
    if (first == '{' || first == '}' || first == ':') throw ExpandError("syntax error: bad substitution");
    std::string name = process_name();
    int c = next();
    if (c == k_lex_eof) throw ExpandError("syntax error: missing '}'");
    std::string modifier(1, static_cast<char>(c));
    if (c == '}') {
      std::optional<std::string> value = get_env(name);
      if (!value && m_options.skip_unset_env) return "${" + name + "}";
      return value.value_or("");
    }
    if (c == '/') return process_replace(name);
    bool null_is_unset = false;
    if (c == ':') {
      null_is_unset = true;
      c = next();
      if (c == k_lex_eof) throw ExpandError("syntax error: missing '}'");
      modifier += static_cast<char>(c);
    } else if (c != '+' && c != '-' && c != '?' && c != '#' && c != '%') {
      throw ExpandError("unsupported modifier (" + modifier + ") in substitution");
    }
    bool pattern = c == '#' || c == '%';
    if (null_is_unset && pattern) throw ExpandError("unsupported modifier (" + modifier + ") in substitution");
    std::string word = modifier_word('}', pattern, "syntax error: missing '}'");
    std::optional<std::string> value = get_env(name);
    if (!value && m_options.skip_unset_env) return "${" + name + modifier + word + "}";
    bool unset = !value || (null_is_unset && value->empty());
    switch (c) {
      case '-':
        return unset ? word : *value;
      case '+':
        return unset ? "" : word;
      case '?':
        if (!value) throw ExpandError(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
        if (unset) throw ExpandError(name + ": " + (word.empty() ? "is not allowed to be empty" : word));
        return *value;
      case '#':
      case '%': {
        bool longest = !word.empty() && word[0] == static_cast<char>(c);
        std::string_view pat = longest ? std::string_view(word).substr(1) : std::string_view(word);
        return c == '%' ? trim_suffix_pattern(pat, value.value_or(""), longest)
                        : trim_prefix_pattern(pat, value.value_or(""), longest);
      }
      default:
        throw ExpandError("unsupported modifier (" + modifier + ") in substitution");
    }
  }

  std::string process_replace(const std::string& name) {
    bool all = peek() == '/';
    if (all) next();
    std::string pattern = modifier_word('/', true, "syntax error: missing '/' in ${}");
    std::string replacement = modifier_word('}', true, "syntax error: missing '}'");
    std::optional<std::string> value = get_env(name);
    if (!value && m_options.skip_unset_env) return "${" + name + "/" + pattern + "/" + replacement + "}";
    return replace_pattern(pattern, value.value_or(""), replacement, all);
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
  const VarLookup& m_vars;
  int m_escape;
  LexOptions m_options;
  bool m_raw_escapes = false;
};

}  // namespace

LexResult lex(std::string_view text, const VarLookup& vars, char escape, const LexOptions& options) {
  return ShellWordLexer(text, vars, escape, options).run();
}

std::string expand_word(std::string_view word, const VarLookup& vars, char escape) {
  return lex(word, vars, escape, LexOptions{}).word;
}

std::vector<std::string> expand_words(std::string_view text, const VarLookup& vars, char escape) {
  return lex(text, vars, escape, LexOptions{}).words;
}

std::string expand_only(std::string_view text, const VarLookup& vars, char escape) {
  LexOptions options;
  options.skip_process_quotes = true;
  return lex(text, vars, escape, options).word;
}

}  // namespace berth::build
