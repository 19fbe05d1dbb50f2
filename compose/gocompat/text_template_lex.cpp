// text/template's lexer (Go's text/template/parse/lex.go), run to the end in one pass: text,
// `{{`/`}}` with their `-` trim markers (which eat the white space next to them), comments,
// and the action tokens. Errors are items, as in Go, so the parser reports them at its position.
#include <cctype>
#include <cstdio>

#include "compose/gocompat/text_template_tree.hpp"

namespace berth::gocompat::tmpl_tree {

namespace {

bool tt_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool tt_alnum(char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80) != 0; }

const std::map<std::string, ItemType>& tt_keywords() {
  static const std::map<std::string, ItemType> k = {{".", ItemType::Dot},
                                                    {"block", ItemType::Block},
                                                    {"break", ItemType::Break},
                                                    {"continue", ItemType::Continue},
                                                    {"define", ItemType::Define},
                                                    {"else", ItemType::Else},
                                                    {"end", ItemType::End},
                                                    {"if", ItemType::If},
                                                    {"range", ItemType::Range},
                                                    {"nil", ItemType::Nil},
                                                    {"template", ItemType::Template},
                                                    {"with", ItemType::With}};
  return k;
}

/// %#U of a byte: U+0021 '!'.
std::string tt_rune(unsigned char c) {
  char buf[32];
  if (std::isprint(c))
    std::snprintf(buf, sizeof buf, "U+%04X '%c'", c, c);
  else
    std::snprintf(buf, sizeof buf, "U+%04X", c);
  return buf;
}

class Lexer {
 public:
  explicit Lexer(const std::string& text) : in_(text) {}

  std::vector<Item> run() {
    while (lex_text()) {
      if (!lex_action()) break;
    }
    return std::move(items_);
  }

 private:
  const std::string& in_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  int line_ = 1;
  int start_line_ = 1;
  int paren_depth_ = 0;
  std::vector<Item> items_;

  bool at(const char* s, std::size_t p) const { return in_.compare(p, std::char_traits<char>::length(s), s) == 0; }
  char peek(std::size_t off = 0) const { return pos_ + off < in_.size() ? in_[pos_ + off] : '\0'; }
  bool eof() const { return pos_ >= in_.size(); }
  void advance(std::size_t n = 1) {
    for (std::size_t i = 0; i < n && pos_ < in_.size(); ++i)
      if (in_[pos_++] == '\n') ++line_;
  }
  void emit(ItemType t) {
    items_.push_back(Item{t, start_, in_.substr(start_, pos_ - start_), start_line_});
    start_ = pos_;
    start_line_ = line_;
  }
  void ignore() {
    start_ = pos_;
    start_line_ = line_;
  }
  bool error(const std::string& msg) {
    items_.push_back(Item{ItemType::Error, start_, msg, start_line_});
    return false;
  }
  bool right_trim_delim(std::size_t p) const {
    return at(" -}}", p) || at("\t-}}", p) || at("\r-}}", p) || at("\n-}}", p);
  }

  /// Text up to the next "{{" (trimmed before a "{{- "); false at the end of input.
  bool lex_text() {
    std::size_t open = in_.find("{{", pos_);
    if (open == std::string::npos) {
      advance(in_.size() - pos_);
      if (pos_ > start_) emit(ItemType::Text);
      emit(ItemType::EOF_);
      return false;
    }
    const bool trim = open + 3 < in_.size() && in_[open + 2] == '-' && tt_space(in_[open + 3]);
    std::size_t end = open;
    if (trim)
      while (end > start_ && tt_space(in_[end - 1])) --end;
    advance(end - pos_);
    if (pos_ > start_) emit(ItemType::Text);
    advance(open - pos_);
    ignore();
    return true;
  }

  /// One action from "{{" to "}}"; false on an error item.
  bool lex_action() {
    const bool trim = pos_ + 3 < in_.size() && in_[pos_ + 2] == '-' && tt_space(in_[pos_ + 3]);
    const std::size_t after = trim ? 4 : 2;
    if (at("/*", pos_ + after)) {
      advance(after);
      return lex_comment();
    }
    advance(2);
    emit(ItemType::LeftDelim);
    if (trim) {
      advance(2);
      ignore();
    }
    paren_depth_ = 0;
    return lex_inside();
  }

  bool lex_comment() {
    std::size_t close = in_.find("*/", pos_ + 2);
    if (close == std::string::npos) return error("unclosed comment");
    advance(close + 2 - pos_);
    bool trim = right_trim_delim(pos_);
    if (trim) advance(2);
    if (!at("}}", pos_)) return error("comment ends before closing delimiter");
    advance(2);
    ignore();
    if (trim) skip_leading_space();
    return true;
  }

  void skip_leading_space() {
    while (tt_space(peek())) advance();
    ignore();
  }

  bool lex_inside() {
    for (;;) {
      bool trim = right_trim_delim(pos_);
      if (trim || at("}}", pos_)) {
        if (paren_depth_ != 0) return error("unclosed left paren");
        if (trim) {
          advance(2);
          ignore();
        }
        advance(2);
        emit(ItemType::RightDelim);
        if (trim) skip_leading_space();
        return true;
      }
      if (eof()) return error("unclosed action");
      char c = peek();
      if (tt_space(c)) {
        int n = 0;
        while (tt_space(peek())) {
          advance();
          ++n;
        }
        if (right_trim_delim(pos_ - 1)) {  // the space belongs to " -}}"
          --pos_;
          if (in_[pos_] == '\n') --line_;
          if (n == 1) continue;
        }
        emit(ItemType::Space);
        continue;
      }
      if (c == '=') {
        advance();
        emit(ItemType::Assign);
      } else if (c == ':') {
        advance();
        if (peek() != '=') return error("expected :=");
        advance();
        emit(ItemType::Declare);
      } else if (c == '|') {
        advance();
        emit(ItemType::Pipe);
      } else if (c == '"') {
        if (!lex_quote()) return false;
      } else if (c == '`') {
        std::size_t close = in_.find('`', pos_ + 1);
        if (close == std::string::npos) return error("unterminated raw quoted string");
        advance(close + 1 - pos_);
        emit(ItemType::RawString);
      } else if (c == '\'') {
        if (!lex_char()) return false;
      } else if (c == '$') {
        advance();
        if (!lex_field_or_variable(ItemType::Variable)) return false;
      } else if (c == '.') {
        if (std::isdigit(static_cast<unsigned char>(peek(1)))) {
          if (!lex_number()) return false;
        } else {
          advance();
          if (!lex_field_or_variable(ItemType::Field)) return false;
        }
      } else if (c == '+' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
        if (!lex_number()) return false;
      } else if (tt_alnum(c)) {
        if (!lex_identifier()) return false;
      } else if (c == '(') {
        advance();
        emit(ItemType::LeftParen);
        ++paren_depth_;
      } else if (c == ')') {
        advance();
        emit(ItemType::RightParen);
        if (--paren_depth_ < 0) return error("unexpected right paren");
      } else if (static_cast<unsigned char>(c) < 0x80 && std::isprint(static_cast<unsigned char>(c))) {
        advance();
        emit(ItemType::Char);
      } else {
        return error("unrecognized character in action: " + tt_rune(static_cast<unsigned char>(c)));
      }
    }
  }

  bool at_terminator() const {
    char c = peek();
    if (eof() || tt_space(c)) return true;
    switch (c) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
      default:
        break;
    }
    return at("}}", pos_);
  }

  bool lex_field_or_variable(ItemType t) {
    if (at_terminator()) {
      emit(t == ItemType::Variable ? ItemType::Variable : ItemType::Dot);
      return true;
    }
    while (tt_alnum(peek())) advance();
    if (!at_terminator()) return error("bad character " + tt_rune(static_cast<unsigned char>(peek())));
    emit(t);
    return true;
  }

  bool lex_identifier() {
    while (tt_alnum(peek())) advance();
    if (!at_terminator()) return error("bad character " + tt_rune(static_cast<unsigned char>(peek())));
    std::string word = in_.substr(start_, pos_ - start_);
    auto k = tt_keywords().find(word);
    if (k != tt_keywords().end() && word != ".")
      emit(k->second);
    else if (word == "true" || word == "false")
      emit(ItemType::Bool);
    else
      emit(ItemType::Identifier);
    return true;
  }

  bool lex_quote() {
    advance();
    for (;;) {
      char c = peek();
      if (c == '\\') {
        advance();
        if (eof() || peek() == '\n') return error("unterminated quoted string");
      } else if (eof() || c == '\n') {
        return error("unterminated quoted string");
      } else if (c == '"') {
        advance();
        emit(ItemType::String);
        return true;
      }
      advance();
    }
  }

  bool lex_char() {
    advance();
    for (;;) {
      char c = peek();
      if (c == '\\') {
        advance();
        if (eof() || peek() == '\n') return error("unterminated character constant");
      } else if (eof() || c == '\n') {
        return error("unterminated character constant");
      } else if (c == '\'') {
        advance();
        emit(ItemType::CharConstant);
        return true;
      }
      advance();
    }
  }

  bool lex_number() {
    if (peek() == '+' || peek() == '-') advance();
    std::string digits = "0123456789_";
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      advance(2);
      digits = "0123456789abcdefABCDEF_";
    } else if (peek() == '0' && (peek(1) == 'o' || peek(1) == 'O')) {
      advance(2);
      digits = "01234567_";
    } else if (peek() == '0' && (peek(1) == 'b' || peek(1) == 'B')) {
      advance(2);
      digits = "01_";
    }
    auto run = [&] {
      while (!eof() && digits.find(peek()) != std::string::npos) advance();
    };
    run();
    if (peek() == '.') {
      advance();
      run();
    }
    if (digits.size() == 11 && (peek() == 'e' || peek() == 'E')) {
      advance();
      if (peek() == '+' || peek() == '-') advance();
      while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '_') advance();
    } else if (digits.size() == 23 && (peek() == 'p' || peek() == 'P')) {
      advance();
      if (peek() == '+' || peek() == '-') advance();
      while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '_') advance();
    }
    if (peek() == 'i') advance();
    if (tt_alnum(peek()) || peek() == '.') {
      advance();
      std::string bad = in_.substr(start_, pos_ - start_);
      return error("bad number syntax: \"" + bad + "\"");
    }
    emit(ItemType::Number);
    return true;
  }
};

}  // namespace

std::string Item::str() const {
  if (type == ItemType::EOF_) return "EOF";
  if (type == ItemType::Error) return val;
  if (type > ItemType::Keyword) return "<" + val + ">";
  std::string shown = val;
  bool cut = false;
  if (val.size() > 10) {  // %.10q: ten characters, then "..."
    std::size_t n = 0, runes = 0;
    while (n < val.size() && runes < 10) {
      unsigned char c = static_cast<unsigned char>(val[n]);
      n += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      ++runes;
    }
    if (n < val.size()) {
      shown = val.substr(0, n);
      cut = true;
    }
  }
  const std::string q = go_quote(shown);
  return cut ? q + "..." : q;
}

std::string go_quote(const std::string& s) {
  std::string q = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        q += "\\\"";
        break;
      case '\\':
        q += "\\\\";
        break;
      case '\a':
        q += "\\a";
        break;
      case '\b':
        q += "\\b";
        break;
      case '\f':
        q += "\\f";
        break;
      case '\n':
        q += "\\n";
        break;
      case '\r':
        q += "\\r";
        break;
      case '\t':
        q += "\\t";
        break;
      case '\v':
        q += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          q += buf;
        } else {
          q += static_cast<char>(c);
        }
    }
  }
  return q + "\"";
}
std::vector<Item> lex(const std::string& /*name*/
                      ,
                      const std::string& text) {
  return Lexer(text).run();
}

}  // namespace berth::gocompat::tmpl_tree
