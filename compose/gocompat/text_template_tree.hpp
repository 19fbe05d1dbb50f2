#pragma once
// text/template's lexer items and parse tree (Go's text/template/parse), shared by the lexer,
// the parser and the executor. Internal to compose/gocompat.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::gocompat::tmpl_tree {

enum class ItemType {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Assign,
  Declare,
  EOF_,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  Keyword,  // the ones below are keywords
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
};

struct Item {
  ItemType type = ItemType::EOF_;
  std::size_t pos = 0;
  std::string val;
  int line = 1;
  /// Go's item.String(): EOF, the error text, <keyword>, or the quoted value (10 runes at most).
  std::string str() const;
};

/// All the items of `text` (Go's lexer, run to the end: the last item is EOF or an Error).
std::vector<Item> lex(const std::string& name, const std::string& text);

enum class NodeType {
  Text,
  Action,
  If,
  Range,
  With,
  Template,
  Break,
  Continue,
  List,
  Pipe,
  Command,
  Field,
  Variable,
  Dot,
  Nil,
  Bool,
  Number,
  String,
  Identifier,
  Chain,
  End,
  Else,
};

struct Node {
  NodeType type;
  std::size_t pos = 0;
  int line = 1;
  std::string text;                ///< Text: the text; String: the value; Identifier: the name; Template: the name
  std::string quoted;              ///< String/Number: the source form
  std::vector<std::string> ident;  ///< Field/Variable: the names; Chain: the fields
  std::vector<std::unique_ptr<Node>> nodes;  ///< List: items; Pipe: commands; Command: args; Chain: [the node]
  std::vector<std::string> decl;             ///< Pipe: declared or assigned variables
  bool is_assign = false;                    ///< Pipe: `=` rather than `:=`
  std::unique_ptr<Node> pipe, list, else_list;
  bool boolean = false;
  bool is_int = false, is_float = false;
  std::int64_t int_value = 0;
  double float_value = 0;

  explicit Node(NodeType t, std::size_t p = 0) : type(t), pos(p) {}
  /// Go's Node.String(): the node written back as template source.
  std::string str() const;
};

/// One parsed template (Go's parse.Tree).
struct Tree {
  std::string name;
  std::string parse_name;  ///< the name of the top-level template being parsed (for locations)
  std::shared_ptr<const std::string> text;
  std::unique_ptr<Node> root;
};

/// Parses `text` into trees: the top level under `name`, plus one per {{define}}/{{block}}.
/// `funcs` are the defined function names (builtins included). Throws std::runtime_error.
std::map<std::string, std::shared_ptr<Tree>> parse(const std::string& name, const std::string& text,
                                                   const std::vector<std::string>& funcs);

/// "NAME:LINE:COL" of a node, as Go's Tree.ErrorContext.
std::string error_location(const Tree& tree, const Node& node);

/// strconv.Quote: Go's double-quoted form (printable UTF-8 kept, the rest escaped).
std::string go_quote(const std::string& s);

}  // namespace berth::gocompat::tmpl_tree
