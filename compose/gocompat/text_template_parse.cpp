// text/template's parser (Go's text/template/parse/parse.go): items → a tree per template, with
// the same checks at parse time (functions and variables must be defined, {{break}} only inside
// {{range}}, {{else if}} chains) and the same messages: "template: NAME:LINE: MESSAGE".
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "compose/gocompat/text_template_tree.hpp"

namespace berth::gocompat::tmpl_tree {

namespace {

using NodePtr = std::unique_ptr<Node>;

/// strconv.Unquote for "..." and `...`; false when the escapes are not Go's.
bool tt_unquote(const std::string& in, std::string& out) {
  out.clear();
  if (in.size() >= 2 && in.front() == '`') {
    for (std::size_t i = 1; i + 1 < in.size(); ++i)
      if (in[i] != '\r') out += in[i];
    return true;
  }
  auto utf8 = [&](unsigned long r) {
    if (r < 0x80) {
      out += static_cast<char>(r);
    } else if (r < 0x800) {
      out += static_cast<char>(0xC0 | (r >> 6));
      out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
      out += static_cast<char>(0xE0 | (r >> 12));
      out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (r >> 18));
      out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (r & 0x3F));
    }
  };
  const char quote = in.empty() ? '\0' : in.front();
  if (in.size() < 2 || (quote != '"' && quote != '\'') || in.back() != quote) return false;
  for (std::size_t i = 1; i + 1 < in.size(); ++i) {
    char c = in[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i + 1 > in.size() - 1) return false;
    char e = in[i];
    auto hex = [&](int n) -> bool {
      if (i + static_cast<std::size_t>(n) >= in.size()) return false;
      std::string h = in.substr(i + 1, static_cast<std::size_t>(n));
      if (h.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return false;
      unsigned long r = std::strtoul(h.c_str(), nullptr, 16);
      if (n == 2)
        out += static_cast<char>(r);
      else
        utf8(r);
      i += static_cast<std::size_t>(n);
      return true;
    };
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case '\'':
        if (e != quote) return false;
        out += e;
        break;
      case 'x':
        if (!hex(2)) return false;
        break;
      case 'u':
        if (!hex(4)) return false;
        break;
      case 'U':
        if (!hex(8)) return false;
        break;
      default:
        if (e >= '0' && e <= '7' && i + 2 < in.size()) {
          std::string o = in.substr(i, 3);
          if (o.find_first_not_of("01234567") != std::string::npos) return false;
          out += static_cast<char>(std::strtoul(o.c_str(), nullptr, 8));
          i += 2;
          break;
        }
        return false;
    }
  }
  return true;
}

class Parser {
 public:
  Parser(const std::string& name, const std::string& text, const std::vector<std::string>& funcs)
      : name_(name), text_(std::make_shared<const std::string>(text)), funcs_(funcs.begin(), funcs.end()) {
    items_ = lex(name, text);
  }

  std::map<std::string, std::shared_ptr<Tree>> run() {
    auto root = std::make_unique<Node>(NodeType::List, peek().pos);
    while (peek().type != ItemType::EOF_) {
      if (peek().type == ItemType::LeftDelim) {
        std::size_t mark = idx_;
        next();
        if (next_non_space().type == ItemType::Define) {
          parse_definition();
          continue;
        }
        idx_ = mark;
      }
      NodePtr n = text_or_action();
      if (n->type == NodeType::End || n->type == NodeType::Else) errorf("unexpected " + n->str());
      root->nodes.push_back(std::move(n));
    }
    add(name_, std::move(root));
    return std::move(trees_);
  }

 private:
  std::string name_;
  std::shared_ptr<const std::string> text_;
  std::set<std::string> funcs_;
  std::vector<Item> items_;
  std::size_t idx_ = 0;
  const Item* token_ = nullptr;  ///< the last item returned (its line is the error's line)
  std::vector<std::string> vars_{"$"};
  int range_depth_ = 0;
  int action_line_ = 0;
  std::map<std::string, std::shared_ptr<Tree>> trees_;

  const Item& next() {
    token_ = &items_[std::min(idx_, items_.size() - 1)];
    if (idx_ < items_.size()) ++idx_;
    return *token_;
  }
  void backup() { --idx_; }
  const Item& peek() const { return items_[std::min(idx_, items_.size() - 1)]; }
  const Item& next_non_space() {
    const Item* t = &next();
    while (t->type == ItemType::Space) t = &next();
    return *t;
  }
  const Item& peek_non_space() {
    const Item& t = next_non_space();
    backup();
    return t;
  }

  [[noreturn]] void errorf(const std::string& msg) {
    int line = token_ != nullptr ? token_->line : 1;
    throw std::runtime_error("template: " + name_ + ":" + std::to_string(line) + ": " + msg);
  }
  [[noreturn]] void unexpected(const Item& item, const std::string& context) {
    if (item.type == ItemType::Error) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != item.line) {
        extra = " in action started at " + name_ + ":" + std::to_string(action_line_);
        if (item.val.size() >= 7 && item.val.compare(item.val.size() - 7, 7, " action") == 0)
          extra = extra.substr(std::string(" in action").size());
      }
      errorf(item.str() + extra);
    }
    errorf("unexpected " + item.str() + " in " + context);
  }
  const Item& expect(ItemType t, const std::string& context) {
    const Item& token = next_non_space();
    if (token.type != t) unexpected(token, context);
    return token;
  }

  void add(const std::string& name, NodePtr root) {
    auto tree = std::make_shared<Tree>();
    tree->name = name;
    tree->parse_name = name_;
    tree->text = text_;
    tree->root = std::move(root);
    auto it = trees_.find(name);
    // Go keeps an earlier definition over one that is only white space.
    if (it != trees_.end() && empty_tree(*tree->root)) return;
    trees_[name] = std::move(tree);
  }
  static bool empty_tree(const Node& list) {
    return std::all_of(list.nodes.begin(), list.nodes.end(), [](const NodePtr& n) {
      return n->type == NodeType::Text && n->text.find_first_not_of(" \t\r\n") == std::string::npos;
    });
  }

  void parse_definition() {
    const Item& tok = next_non_space();
    if (tok.type != ItemType::String && tok.type != ItemType::RawString) unexpected(tok, "define clause");
    std::string name;
    if (!tt_unquote(tok.val, name)) errorf("invalid syntax");
    expect(ItemType::RightDelim, "define clause");
    auto saved_vars = vars_;
    vars_ = {"$"};
    auto [list, end] = item_list();
    vars_ = saved_vars;
    if (end->type != NodeType::End) errorf("unexpected " + end->str() + " in define clause");
    add(name, std::move(list));
  }

  std::pair<NodePtr, NodePtr> item_list() {
    auto list = std::make_unique<Node>(NodeType::List, peek_non_space().pos);
    while (peek_non_space().type != ItemType::EOF_) {
      NodePtr n = text_or_action();
      if (n->type == NodeType::End || n->type == NodeType::Else) return {std::move(list), std::move(n)};
      list->nodes.push_back(std::move(n));
    }
    errorf("unexpected EOF");
  }

  NodePtr text_or_action() {
    const Item& token = next_non_space();
    if (token.type == ItemType::Text) {
      auto n = std::make_unique<Node>(NodeType::Text, token.pos);
      n->text = token.val;
      return n;
    }
    if (token.type == ItemType::LeftDelim) {
      action_line_ = token.line;
      NodePtr n = action();
      action_line_ = 0;
      return n;
    }
    unexpected(token, "input");
  }

  NodePtr action() {
    const Item& token = next_non_space();
    switch (token.type) {
      case ItemType::Block:
        return block_control();
      case ItemType::Break:
      case ItemType::Continue: {
        const bool is_break = token.type == ItemType::Break;
        std::size_t pos = token.pos;
        const Item& t = next_non_space();
        if (t.type != ItemType::RightDelim) unexpected(t, is_break ? "{{break}}" : "{{continue}}");
        if (range_depth_ == 0) errorf(is_break ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
        return std::make_unique<Node>(is_break ? NodeType::Break : NodeType::Continue, pos);
      }
      case ItemType::Else: {
        const Item& p = peek_non_space();
        if (p.type == ItemType::If || p.type == ItemType::With) return std::make_unique<Node>(NodeType::Else, p.pos);
        const Item& t = expect(ItemType::RightDelim, "else");
        return std::make_unique<Node>(NodeType::Else, t.pos);
      }
      case ItemType::End: {
        const Item& t = expect(ItemType::RightDelim, "end");
        return std::make_unique<Node>(NodeType::End, t.pos);
      }
      case ItemType::If:
        return control(NodeType::If, "if");
      case ItemType::Range:
        return control(NodeType::Range, "range");
      case ItemType::With:
        return control(NodeType::With, "with");
      case ItemType::Template:
        return template_control();
      default:
        break;
    }
    backup();
    auto n = std::make_unique<Node>(NodeType::Action, peek().pos);
    n->line = peek().line;
    n->pipe = pipeline("command", ItemType::RightDelim);
    return n;
  }

  NodePtr control(NodeType type, const std::string& context) {
    const std::size_t vars_mark = vars_.size();
    auto n = std::make_unique<Node>(type);
    n->pipe = pipeline(context, ItemType::RightDelim);
    n->pos = n->pipe->pos;
    n->line = n->pipe->line;
    if (type == NodeType::Range) ++range_depth_;
    auto [list, next_node] = item_list();
    if (type == NodeType::Range) --range_depth_;
    n->list = std::move(list);
    if (next_node->type == NodeType::Else) {
      if (context == "if" && peek().type == ItemType::If) {
        next();
        n->else_list = std::make_unique<Node>(NodeType::List, next_node->pos);
        n->else_list->nodes.push_back(control(NodeType::If, "if"));
      } else if (context == "with" && peek().type == ItemType::With) {
        next();
        n->else_list = std::make_unique<Node>(NodeType::List, next_node->pos);
        n->else_list->nodes.push_back(control(NodeType::With, "with"));
      } else {
        auto [else_list, end] = item_list();
        if (end->type != NodeType::End) errorf("expected end; found " + end->str());
        n->else_list = std::move(else_list);
      }
    }
    vars_.resize(vars_mark);
    return n;
  }

  std::string template_name(const Item& token, const std::string& context) {
    if (token.type != ItemType::String && token.type != ItemType::RawString) unexpected(token, context);
    std::string name;
    if (!tt_unquote(token.val, name)) errorf("invalid syntax");
    return name;
  }

  NodePtr template_control() {
    const Item& token = next_non_space();
    auto n = std::make_unique<Node>(NodeType::Template, token.pos);
    n->line = token.line;
    n->text = template_name(token, "template clause");
    if (next_non_space().type != ItemType::RightDelim) {
      backup();
      n->pipe = pipeline("template clause", ItemType::RightDelim);
    }
    return n;
  }

  NodePtr block_control() {
    const Item& token = next_non_space();
    auto n = std::make_unique<Node>(NodeType::Template, token.pos);
    n->line = token.line;
    n->text = template_name(token, "block clause");
    n->pipe = pipeline("block clause", ItemType::RightDelim);
    auto saved_vars = vars_;
    const int saved_depth = range_depth_;
    vars_ = {"$"};
    range_depth_ = 0;
    auto [list, end] = item_list();
    vars_ = saved_vars;
    range_depth_ = saved_depth;
    if (end->type != NodeType::End) errorf("unexpected " + end->str() + " in block clause");
    add(n->text, std::move(list));
    return n;
  }

  NodePtr pipeline(const std::string& context, ItemType end) {
    const Item& first = peek_non_space();
    auto pipe = std::make_unique<Node>(NodeType::Pipe, first.pos);
    pipe->line = first.line;
    for (;;) {  // declarations
      const Item& v = peek_non_space();
      if (v.type != ItemType::Variable) break;
      next_non_space();
      const std::size_t after_idx = idx_;
      const Item& nx = peek_non_space();
      if (nx.type == ItemType::Assign || nx.type == ItemType::Declare) {
        pipe->is_assign = nx.type == ItemType::Assign;
        next_non_space();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        break;
      }
      if (nx.type == ItemType::Char && nx.val == ",") {
        next_non_space();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          ItemType t = peek_non_space().type;
          if (t == ItemType::Variable || t == ItemType::RightDelim || t == ItemType::RightParen) continue;
          errorf("range can only initialize variables");
        }
        errorf("too many declarations in " + context);
      }
      idx_ = after_idx - 1;  // not a declaration: the variable is an operand
      break;
    }
    for (;;) {
      const Item& token = next_non_space();
      if (token.type == end) {
        if (pipe->nodes.empty()) errorf("missing value for " + context);
        for (std::size_t i = 1; i < pipe->nodes.size(); ++i) {
          NodeType t = pipe->nodes[i]->nodes[0]->type;
          if (t == NodeType::Bool || t == NodeType::Dot || t == NodeType::Nil || t == NodeType::Number ||
              t == NodeType::String)
            errorf("non executable command in pipeline stage " + std::to_string(i + 1));
        }
        return pipe;
      }
      switch (token.type) {
        case ItemType::Bool:
        case ItemType::CharConstant:
        case ItemType::Dot:
        case ItemType::Field:
        case ItemType::Identifier:
        case ItemType::Number:
        case ItemType::Nil:
        case ItemType::RawString:
        case ItemType::String:
        case ItemType::Variable:
        case ItemType::LeftParen:
          backup();
          pipe->nodes.push_back(command());
          break;
        default:
          unexpected(token, context);
      }
    }
  }

  NodePtr command() {
    auto cmd = std::make_unique<Node>(NodeType::Command, peek_non_space().pos);
    for (;;) {
      peek_non_space();
      if (NodePtr op = operand()) cmd->nodes.push_back(std::move(op));
      const Item& token = next();
      if (token.type == ItemType::Space) continue;
      if (token.type == ItemType::RightDelim || token.type == ItemType::RightParen) {
        backup();
      } else if (token.type != ItemType::Pipe) {
        unexpected(token, "operand");
      }
      break;
    }
    if (cmd->nodes.empty()) errorf("empty command");
    return cmd;
  }

  NodePtr operand() {
    NodePtr node = term();
    if (!node) return nullptr;
    if (peek().type != ItemType::Field) return node;
    auto chain = std::make_unique<Node>(NodeType::Chain, peek().pos);
    while (peek().type == ItemType::Field) chain->ident.push_back(next().val.substr(1));
    switch (node->type) {
      case NodeType::Field:
      case NodeType::Variable:  // Go: a new node at the chain's position (its first .Field)
        for (auto& f : chain->ident) node->ident.push_back(f);
        node->pos = chain->pos;
        return node;
      case NodeType::Bool:
      case NodeType::String:
      case NodeType::Number:
      case NodeType::Nil:
      case NodeType::Dot:
        errorf("unexpected . after term \"" + node->str() + "\"");
      default:
        break;
    }
    chain->nodes.push_back(std::move(node));
    return chain;
  }

  static std::vector<std::string> split_dots(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
      std::size_t dot = s.find('.', start);
      out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) return out;
      start = dot + 1;
    }
  }

  NodePtr term() {
    const Item& token = next_non_space();
    switch (token.type) {
      case ItemType::Identifier: {
        if (!funcs_.count(token.val)) errorf("function \"" + token.val + "\" not defined");
        auto n = std::make_unique<Node>(NodeType::Identifier, token.pos);
        n->text = token.val;
        return n;
      }
      case ItemType::Dot:
        return std::make_unique<Node>(NodeType::Dot, token.pos);
      case ItemType::Nil:
        return std::make_unique<Node>(NodeType::Nil, token.pos);
      case ItemType::Variable: {
        auto n = std::make_unique<Node>(NodeType::Variable, token.pos);
        n->ident = split_dots(token.val);
        if (std::find(vars_.begin(), vars_.end(), n->ident[0]) == vars_.end())
          errorf("undefined variable \"" + n->ident[0] + "\"");
        return n;
      }
      case ItemType::Field: {
        auto n = std::make_unique<Node>(NodeType::Field, token.pos);
        n->ident = split_dots(token.val.substr(1));
        return n;
      }
      case ItemType::Bool: {
        auto n = std::make_unique<Node>(NodeType::Bool, token.pos);
        n->boolean = token.val == "true";
        return n;
      }
      case ItemType::CharConstant:
      case ItemType::Number:
        return number(token);
      case ItemType::LeftParen:
        return pipeline("parenthesized pipeline", ItemType::RightParen);
      case ItemType::String:
      case ItemType::RawString: {
        auto n = std::make_unique<Node>(NodeType::String, token.pos);
        n->quoted = token.val;
        if (!tt_unquote(token.val, n->text)) errorf("invalid syntax");
        return n;
      }
      default:
        break;
    }
    backup();
    return nullptr;
  }

  NodePtr number(const Item& token) {
    auto n = std::make_unique<Node>(NodeType::Number, token.pos);
    n->quoted = token.val;
    if (token.type == ItemType::CharConstant) {
      std::string s;
      if (!tt_unquote(token.val, s) || s.empty()) errorf("malformed character constant: " + token.val);
      unsigned char c = static_cast<unsigned char>(s[0]);
      long r = c;
      if (c >= 0x80 && s.size() > 1) {  // one UTF-8 rune
        int len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        r = c & (0xFF >> (len + 1));
        for (int i = 1; i < len && i < static_cast<int>(s.size()); ++i)
          r = (r << 6) | (s[static_cast<std::size_t>(i)] & 0x3F);
      }
      n->is_int = n->is_float = true;
      n->int_value = r;
      n->float_value = static_cast<double>(r);
      return n;
    }
    std::string text = token.val;
    if (!text.empty() && text.back() == 'i') errorf("complex numbers are not supported: " + text);
    std::string clean;
    for (char c : text)
      if (c != '_') clean += c;
    std::string body = clean;
    bool neg = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      neg = body[0] == '-';
      body = body.substr(1);
    }
    int base = 10;
    const bool hex_prefix = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    const bool has_float_chars = body.find_first_of(hex_prefix ? ".pP" : ".eEpP") != std::string::npos;
    if (hex_prefix) {
      base = 16;
      body = body.substr(2);
    } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
      base = 8;
      body = body.substr(2);
    } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) {
      base = 2;
      body = body.substr(2);
    } else if (body.size() > 1 && body[0] == '0') {
      base = 8;
    }
    if (!has_float_chars) {
      errno = 0;
      char* end = nullptr;
      unsigned long long u = std::strtoull(body.c_str(), &end, base);
      if (end == nullptr || *end != '\0' || body.empty()) errorf("illegal number syntax: \"" + text + "\"");
      if (errno == ERANGE || u > (neg ? 9223372036854775808ULL : 9223372036854775807ULL))
        errorf("integer overflow: \"" + text + "\"");  // (Go allows uint64 here; Berth's ints are int64)
      n->is_int = n->is_float = true;
      n->int_value = neg ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(u);
      n->float_value = static_cast<double>(n->int_value);
      return n;
    }
    char* end = nullptr;
    double f = std::strtod(clean.c_str(), &end);
    if (end == nullptr || *end != '\0') errorf("illegal number syntax: \"" + text + "\"");
    n->is_float = true;
    n->float_value = f;
    if (f == static_cast<double>(static_cast<std::int64_t>(f))) {
      n->is_int = true;
      n->int_value = static_cast<std::int64_t>(f);
    }
    return n;
  }
};

std::string join_str(const std::vector<std::unique_ptr<Node>>& nodes, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i) out += sep;
    out += nodes[i]->str();
  }
  return out;
}

std::string control_str(const char* word, const Node& n) {
  std::string out = std::string("{{") + word + " " + n.pipe->str() + "}}" + n.list->str();
  if (n.else_list) out += "{{else}}" + n.else_list->str();
  return out + "{{end}}";
}

}  // namespace

std::string Node::str() const {
  switch (type) {
    case NodeType::Text:
      return text;
    case NodeType::Action:
      return "{{" + pipe->str() + "}}";
    case NodeType::If:
      return control_str("if", *this);
    case NodeType::Range:
      return control_str("range", *this);
    case NodeType::With:
      return control_str("with", *this);
    case NodeType::Template: {
      std::string out = "{{template \"" + text + "\"";
      if (pipe) out += " " + pipe->str();
      return out + "}}";
    }
    case NodeType::Break:
      return "{{break}}";
    case NodeType::Continue:
      return "{{continue}}";
    case NodeType::End:
      return "{{end}}";
    case NodeType::Else:
      return "{{else}}";
    case NodeType::List:
      return join_str(nodes, "");
    case NodeType::Pipe: {
      std::string out;
      for (std::size_t i = 0; i < decl.size(); ++i) out += (i ? ", " : "") + decl[i];
      if (!decl.empty()) out += is_assign ? " = " : " := ";
      return out + join_str(nodes, " | ");
    }
    case NodeType::Command: {
      std::string out;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (i) out += " ";
        out += nodes[i]->type == NodeType::Pipe ? "(" + nodes[i]->str() + ")" : nodes[i]->str();
      }
      return out;
    }
    case NodeType::Field: {
      std::string out;
      for (const auto& f : ident) out += "." + f;
      return out;
    }
    case NodeType::Variable: {
      std::string out;
      for (std::size_t i = 0; i < ident.size(); ++i) out += (i ? "." : "") + ident[i];
      return out;
    }
    case NodeType::Dot:
      return ".";
    case NodeType::Nil:
      return "nil";
    case NodeType::Bool:
      return boolean ? "true" : "false";
    case NodeType::Number:
    case NodeType::String:
      return quoted;
    case NodeType::Identifier:
      return text;
    case NodeType::Chain: {
      std::string out = nodes[0]->type == NodeType::Pipe ? "(" + nodes[0]->str() + ")" : nodes[0]->str();
      for (const auto& f : ident) out += "." + f;
      return out;
    }
  }
  return "";
}

std::map<std::string, std::shared_ptr<Tree>> parse(const std::string& name, const std::string& text,
                                                   const std::vector<std::string>& funcs) {
  return Parser(name, text, funcs).run();
}

std::string error_location(const Tree& tree, const Node& node) {
  const std::string& text = *tree.text;
  std::size_t pos = std::min(node.pos, text.size());
  std::size_t nl = text.rfind('\n', pos == 0 ? std::string::npos : pos - 1);
  std::size_t col = nl == std::string::npos || pos == 0 ? pos : pos - nl - 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
  return tree.parse_name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

}  // namespace berth::gocompat::tmpl_tree
