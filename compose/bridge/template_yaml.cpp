// Block YAML → nodes (with comments and scalar styles) → go-yaml v3's layout. See the header for
// what is read; a line this cannot place is an error naming its line, never silently dropped.
#include "compose/bridge/template_yaml.hpp"

#include <memory>
#include <stdexcept>

namespace berth::bridge {

namespace {

struct YLine {
  int number = 0;    ///< 1-based, in the whole stream
  int indent = 0;    ///< leading spaces
  std::string text;  ///< without the indentation and trailing spaces
  bool blank() const { return text.empty(); }
  bool comment() const { return !text.empty() && text[0] == '#'; }
};

struct YNode {
  enum class Kind { Scalar, Block, Map, Seq } kind = Kind::Scalar;
  std::string value;  ///< Scalar: as written (quotes, flow brackets kept); Block: the header ("|", "|-", ">")
  std::vector<std::string> lines;                ///< Block: the content lines, relative to the block's indentation
  std::vector<std::string> key_text;             ///< Map: the keys as written
  std::vector<std::unique_ptr<YNode>> children;  ///< Map: the values (same order as key_text); Seq: the items
  std::vector<std::string> head;  ///< comment lines ("" for a blank line between groups) before this node/entry
  std::string line_comment;       ///< a trailing comment on the key's (or scalar's) line
};
using YNodePtr = std::unique_ptr<YNode>;

[[noreturn]] void yaml_fail(int line, const std::string& what) {
  throw std::runtime_error("yaml: line " + std::to_string(line) + ": " + what);
}

/// Where a " #" comment starts outside quotes and flow brackets; npos if none.
std::size_t comment_start(const std::string& s) {
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          ++i;
          continue;
        }
        quote = 0;
      } else if (c == '\\' && quote == '"') {
        ++i;
      }
      continue;
    }
    if ((c == '"' || c == '\'') && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '[' || s[i - 1] == ',' || s[i - 1] == '{'))
      quote = c;
    else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
      return i;
  }
  return std::string::npos;
}

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

/// The end of a mapping key (the ':' followed by a space or the end), npos if the text is no key.
std::size_t key_colon(const std::string& s) {
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '"' || s[0] == '\'')) {
    char q = s[0];
    for (i = 1; i < s.size(); ++i) {
      if (s[i] == '\\' && q == '"') {
        ++i;
      } else if (s[i] == q) {
        break;
      }
    }
    ++i;
    return i < s.size() && s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ') ? i : std::string::npos;
  }
  if (!s.empty() && (s[0] == '[' || s[0] == '{' || s[0] == '#' || s[0] == '|' || s[0] == '>')) return std::string::npos;
  for (; i < s.size(); ++i) {
    if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return i;
    if (s[i] == '#' && i > 0 && s[i - 1] == ' ') return std::string::npos;
  }
  return std::string::npos;
}

class Reader {
 public:
  Reader(std::vector<YLine> lines) : lines_(std::move(lines)) {}

  /// The document's node; `head` gets the comments before its content, `foot` those after.
  YNodePtr document(std::vector<std::string>& head, std::vector<std::string>& foot) {
    head = comments();
    if (at_end()) return nullptr;
    YNodePtr root = node(-1);
    foot = comments();
    if (!at_end()) yaml_fail(lines_[pos_].number, "did not find expected <document start>");
    return root;
  }

 private:
  std::vector<YLine> lines_;
  std::size_t pos_ = 0;

  bool at_end() const { return pos_ >= lines_.size(); }

  /// Comment lines (and the blank lines between them) from here to the next content line.
  std::vector<std::string> comments() {
    std::vector<std::string> out;
    bool gap = false;
    while (!at_end() && (lines_[pos_].blank() || lines_[pos_].comment())) {
      if (lines_[pos_].blank()) {
        gap = !out.empty();
      } else {
        if (gap) out.emplace_back();
        gap = false;
        out.push_back(lines_[pos_].text);
      }
      ++pos_;
    }
    return out;
  }

  /// The next content line's indentation, skipping blank and comment lines; -1 at the end.
  int next_indent() {
    for (std::size_t i = pos_; i < lines_.size(); ++i)
      if (!lines_[i].blank() && !lines_[i].comment()) return lines_[i].indent;
    return -1;
  }

  bool is_seq_line(const YLine& l) const { return l.text == "-" || l.text.rfind("- ", 0) == 0; }

  /// A node whose first content line is indented more than `parent`.
  YNodePtr node(int parent) {
    std::size_t mark = pos_;
    std::vector<std::string> head = comments();
    if (at_end() || lines_[pos_].indent <= parent) {
      pos_ = mark;
      return nullptr;
    }
    const YLine& l = lines_[pos_];
    YNodePtr n;
    if (is_seq_line(l))
      n = sequence(l.indent);
    else if (key_colon(l.text) != std::string::npos)
      n = mapping(l.indent);
    else
      n = scalar_line();
    n->head.insert(n->head.begin(), head.begin(), head.end());
    return n;
  }

  YNodePtr scalar_line() {
    YLine& l = lines_[pos_++];
    auto n = std::make_unique<YNode>();
    std::size_t c = comment_start(l.text);
    n->value = rtrim(l.text.substr(0, c));
    if (c != std::string::npos) n->line_comment = l.text.substr(c);
    if (!n->value.empty() && (n->value[0] == '|' || n->value[0] == '>')) {
      --pos_;
      return block(l.indent - 1, n->value, n->line_comment);
    }
    return n;
  }

  YNodePtr block(int parent, const std::string& header, const std::string& comment) {
    ++pos_;
    auto n = std::make_unique<YNode>();
    n->kind = YNode::Kind::Block;
    n->value = header;
    n->line_comment = comment;
    int indent = -1;
    std::vector<std::string> raw;
    while (!at_end()) {
      const YLine& l = lines_[pos_];
      if (!l.blank() && l.indent <= parent) break;
      if (!l.blank() && indent < 0) indent = l.indent;
      raw.push_back(l.blank() ? "" : std::string(static_cast<std::size_t>(l.indent - indent), ' ') + l.text);
      ++pos_;
    }
    // trailing blank lines: kept only by "+" (and then emitted as they are)
    std::size_t keep = raw.size();
    if (header.find('+') == std::string::npos)
      while (keep > 0 && raw[keep - 1].empty()) --keep;
    // blank lines that belong after the block are given back (they separate what follows)
    pos_ -= raw.size() - keep;
    raw.resize(keep);
    n->lines = std::move(raw);
    return n;
  }

  YNodePtr sequence(int indent) {
    auto n = std::make_unique<YNode>();
    n->kind = YNode::Kind::Seq;
    for (;;) {
      std::size_t mark = pos_;
      std::vector<std::string> head = comments();
      if (at_end() || lines_[pos_].indent != indent || !is_seq_line(lines_[pos_])) {
        pos_ = mark;
        break;
      }
      YLine& l = lines_[pos_];
      YNodePtr item;
      if (l.text == "-") {
        ++pos_;
        item = node(indent);
        if (!item) item = std::make_unique<YNode>();  // an empty item: null
      } else {
        // "- rest": the rest is a node starting at its own column, as if on a line of its own
        std::size_t skip = 1;
        while (skip < l.text.size() && l.text[skip] == ' ') ++skip;
        l.indent += static_cast<int>(skip);
        l.text = l.text.substr(skip);
        item = node(indent);
      }
      item->head.insert(item->head.begin(), head.begin(), head.end());
      n->children.push_back(std::move(item));
    }
    return n;
  }

  YNodePtr mapping(int indent) {
    auto n = std::make_unique<YNode>();
    n->kind = YNode::Kind::Map;
    for (;;) {
      std::size_t mark = pos_;
      std::vector<std::string> head = comments();
      if (at_end() || lines_[pos_].indent != indent || is_seq_line(lines_[pos_])) {
        pos_ = mark;
        break;
      }
      YLine& l = lines_[pos_];
      std::size_t colon = key_colon(l.text);
      if (colon == std::string::npos) yaml_fail(l.number, "could not find expected ':'");
      std::string key = rtrim(l.text.substr(0, colon));
      std::string rest = l.text.substr(colon + 1);
      while (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      std::size_t c = comment_start(rest);
      std::string comment = c == std::string::npos ? "" : rest.substr(c);
      rest = rtrim(rest.substr(0, c));
      YNodePtr value;
      if (!rest.empty() && (rest[0] == '|' || rest[0] == '>')) {
        value = block(indent, rest, comment);
      } else if (!rest.empty()) {
        ++pos_;
        value = std::make_unique<YNode>();
        value->value = rest;
        value->line_comment = comment;
      } else {
        ++pos_;
        int next = next_indent();
        const std::size_t save = pos_;
        comments();
        const bool indentless = !at_end() && lines_[pos_].indent == indent && is_seq_line(lines_[pos_]);
        pos_ = save;
        if (indentless)
          value = sequence(indent);
        else if (next > indent)
          value = node(indent);
        if (!value) value = std::make_unique<YNode>();  // null
        value->line_comment = comment;                  // on the key's line
      }
      value->head.insert(value->head.begin(), head.begin(), head.end());
      n->key_text.push_back(key);
      n->children.push_back(std::move(value));
    }
    return n;
  }
};

/// go-yaml v3's indentation for what is nested at `indent`: the next multiple of 4.
int nested(int indent) { return 4 * ((indent + 4) / 4); }

class Writer {
 public:
  std::string out;

  void comments(const std::vector<std::string>& lines, int indent) {
    for (const auto& c : lines) out += c.empty() ? "\n" : std::string(static_cast<std::size_t>(indent), ' ') + c + "\n";
  }

  void node(const YNode& n, int indent) {
    switch (n.kind) {
      case YNode::Kind::Map:
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          const YNode& v = *n.children[i];
          comments(v.head, indent);
          if (i > 0 || !inline_first_) out += std::string(static_cast<std::size_t>(indent), ' ');
          inline_first_ = false;
          out += n.key_text[i] + ":";
          value(v, indent, false);
        }
        break;
      case YNode::Kind::Seq:
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          const YNode& v = *n.children[i];
          comments(v.head, indent);
          if (i > 0 || !inline_first_) out += std::string(static_cast<std::size_t>(indent), ' ');
          inline_first_ = false;
          out += "-";
          value(v, indent, true);
        }
        break;
      default:
        value(n, indent, false);
        break;
    }
  }

 private:
  bool inline_first_ = false;

  /// `v` after "key:" or "-" at `indent`.
  void value(const YNode& v, int indent, bool in_seq) {
    const std::string comment = v.line_comment.empty() ? "" : " " + v.line_comment;
    switch (v.kind) {
      case YNode::Kind::Scalar:
        out += (v.value.empty() ? "" : " " + v.value) + comment + "\n";
        break;
      case YNode::Kind::Block: {
        out += " " + v.value + comment + "\n";
        int at = in_seq ? indent + 2 : nested(indent);
        for (const auto& line : v.lines)
          out += line.empty() ? "\n" : std::string(static_cast<std::size_t>(at), ' ') + line + "\n";
        break;
      }
      case YNode::Kind::Map:
      case YNode::Kind::Seq:
        if (v.children.empty()) {
          out += std::string(v.kind == YNode::Kind::Map ? " {}" : " []") + comment + "\n";
          break;
        }
        if (in_seq && v.children[0]->head.empty()) {
          out += " ";
          inline_first_ = true;
          node(v, indent + 2);
        } else {
          out += comment + "\n";
          node(v, in_seq ? indent + 2 : nested(indent));
        }
        break;
    }
  }
};

/// "NAME" of the first "#! NAME" line of the head comments.
std::string file_of(const std::vector<std::string>& head, const YNode* root) {
  auto find = [](const std::vector<std::string>& lines) -> std::string {
    for (const auto& l : lines)
      if (l.rfind("#! ", 0) == 0) {
        std::string name = l.substr(3);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        return name;
      }
    return "";
  };
  if (!head.empty()) return find(head);
  while (root != nullptr) {  // go-yaml: the first node down the tree that has a head comment
    if (!root->head.empty()) return find(root->head);
    root = root->children.empty() ? nullptr : root->children[0].get();
  }
  return "";
}

}  // namespace

std::vector<TemplateDocument> reencode_documents(const std::string& text) {
  // split into lines, then into segments at "---" lines
  std::vector<std::vector<YLine>> segments(1);
  std::size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string raw = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (raw.find('\t') != std::string::npos && raw.find_first_not_of(" \t") != std::string::npos &&
        raw[raw.find_first_not_of(' ')] == '\t')
      yaml_fail(number, "found character that cannot start any token");
    if (raw == "---" || raw.rfind("--- ", 0) == 0) {
      segments.emplace_back();
      continue;
    }
    YLine l;
    l.number = number;
    std::size_t ind = raw.find_first_not_of(' ');
    l.indent = ind == std::string::npos ? 0 : static_cast<int>(ind);
    l.text = ind == std::string::npos ? "" : rtrim(raw.substr(ind));
    if (l.text.find_first_not_of(" \t") == std::string::npos) l.text.clear();
    segments.back().push_back(std::move(l));
  }

  std::vector<TemplateDocument> docs;
  std::vector<std::string> pending_head;  // comments before the first "---", for the next document
  for (std::size_t s = 0; s < segments.size(); ++s) {
    Reader reader(std::move(segments[s]));
    std::vector<std::string> head, foot;
    YNodePtr root = reader.document(head, foot);
    if (!root) {
      // only comments: the previous document's foot, or (before any) the next one's head
      if (!docs.empty() && !head.empty()) {
        docs.back().text += "\n";
        for (const auto& c : head) docs.back().text += c + "\n";
      } else if (!head.empty()) {
        if (!pending_head.empty()) pending_head.emplace_back();
        pending_head.insert(pending_head.end(), head.begin(), head.end());
      }
      continue;
    }
    if (!pending_head.empty()) {
      if (!head.empty()) pending_head.emplace_back();
      head.insert(head.begin(), pending_head.begin(), pending_head.end());
      pending_head.clear();
    }
    Writer w;
    w.comments(head, 0);
    w.node(*root, 0);
    if (!foot.empty()) {
      w.out += "\n";
      w.comments(foot, 0);
    }
    docs.push_back(TemplateDocument{file_of(head, root.get()), std::move(w.out)});
  }
  return docs;
}

}  // namespace berth::bridge
