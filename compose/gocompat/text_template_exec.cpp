// text/template's executor (Go's text/template/exec.go) over the parse tree: pipelines feed each
// command's value to the next as its last argument; variables live on a stack marked and popped
// around if/with/range; range iterates lists in order and maps in key order; a missing map key is
// "no value" (printed "<no value>", false, passed as nil), as Go's default missingkey option.
#include <algorithm>
#include <optional>
#include <set>

#include "compose/gocompat/text_template.hpp"
#include "compose/gocompat/text_template_builtins.hpp"
#include "compose/gocompat/text_template_tree.hpp"

namespace berth::gocompat::tmpl {

using tmpl_tree::Node;
using tmpl_tree::NodeType;
using tmpl_tree::Tree;

struct Template::Impl {
  std::string name;
  FuncMap funcs;
  std::map<std::string, std::shared_ptr<Tree>> trees;
  std::string struct_type;

  const Function* find(const std::string& fn) const {
    auto it = funcs.find(fn);
    if (it != funcs.end()) return &it->second;
    auto b = builtin_funcs().find(fn);
    return b == builtin_funcs().end() ? nullptr : &b->second;
  }
};

namespace {

constexpr int kMaxExecDepth = 100000;

struct BreakSignal {};
struct ContinueSignal {};

const char* tt_arg_name(Arg a) {
  switch (a) {
    case Arg::Any:
      return "interface {}";
    case Arg::Value:
      return "reflect.Value";
    case Arg::String:
      return "string";
    case Arg::Int:
      return "int";
    case Arg::Float:
      return "float64";
    case Arg::Bool:
      return "bool";
    case Arg::List:
      return "[]interface {}";
  }
  return "";
}

class Exec {
 public:
  Exec(const Template::Impl& t, const Tree* tree, std::string& out, int depth)
      : t_(t), tree_(tree), out_(out), depth_(depth) {}

  void run(const Value& data) {
    vars_.emplace_back("$", data);
    walk(data, *tree_->root);
  }

 private:
  const Template::Impl& t_;
  const Tree* tree_;
  std::string& out_;
  int depth_;
  const Node* node_ = nullptr;
  std::vector<std::pair<std::string, Value>> vars_;

  void at(const Node& n) { node_ = &n; }

  [[noreturn]] void errorf(const std::string& msg) const {
    if (node_ == nullptr) throw std::runtime_error("template: " + tree_->name + ": " + msg);
    std::string context = node_->str();
    if (context.size() > 20) context = context.substr(0, 20) + "...";
    throw std::runtime_error("template: " + tmpl_tree::error_location(*tree_, *node_) + ": executing \"" + tree_->name +
                             "\" at <" + context + ">: " + msg);
  }

  void walk(const Value& dot, const Node& n) {
    at(n);
    switch (n.type) {
      case NodeType::Action: {
        Value v = eval_pipeline(dot, n.pipe.get());
        if (n.pipe->decl.empty()) out_ += sprint_value(v);
        break;
      }
      case NodeType::Break:
        throw BreakSignal{};
      case NodeType::Continue:
        throw ContinueSignal{};
      case NodeType::If:
      case NodeType::With: {
        const std::size_t mark = vars_.size();
        Value v = eval_pipeline(dot, n.pipe.get());
        if (is_true(v))
          walk(n.type == NodeType::With ? v : dot, *n.list);
        else if (n.else_list)
          walk(dot, *n.else_list);
        vars_.resize(mark);
        break;
      }
      case NodeType::List:
        for (const auto& c : n.nodes) walk(dot, *c);
        break;
      case NodeType::Range:
        walk_range(dot, n);
        break;
      case NodeType::Template:
        walk_template(dot, n);
        break;
      case NodeType::Text:
        out_ += n.text;
        break;
      default:
        errorf("unknown node: " + n.str());
    }
  }

  void walk_range(const Value& dot, const Node& r) {
    at(r);
    const std::size_t outer = vars_.size();
    Value val = eval_pipeline(dot, r.pipe.get());
    const std::size_t mark = vars_.size();
    auto one = [&](const Value& index, const Value& elem) -> bool {
      if (!r.pipe->decl.empty()) {
        if (r.pipe->is_assign) {
          if (r.pipe->decl.size() > 1) {
            set_var(r.pipe->decl[0], index);
            set_var(r.pipe->decl[1], elem);
          } else {
            set_var(r.pipe->decl[0], elem);
          }
        } else {
          vars_[mark - 1].second = elem;  // Go's setTopVar(1, elem)
          if (r.pipe->decl.size() > 1) vars_[mark - 2].second = index;
        }
      }
      bool go_on = true;
      try {
        walk(elem, *r.list);
      } catch (const BreakSignal&) {
        go_on = false;
      } catch (const ContinueSignal&) {
      }
      vars_.resize(mark);
      return go_on;
    };
    bool any = false;
    const auto& d = val.data;
    if (!val.valid || d.is_null()) {
      // nothing: an invalid value is not an error (a nil map)
    } else if (d.is_array()) {
      for (std::size_t i = 0; i < d.size(); ++i) {
        any = true;
        if (!one(Value{static_cast<long long>(i), true}, Value{d[i], true, true})) break;
      }
    } else if (d.is_object()) {
      for (const auto& [k, e] : d.items()) {
        any = true;
        if (!one(Value{k, true}, Value{e, true, true})) break;
      }
    } else if (d.is_number_integer()) {
      if (r.pipe->decl.size() > 1) errorf("can't use " + sprint_value(val) + " to iterate over more than one variable");
      for (long long i = 0; i < d.get<long long>(); ++i) {
        any = true;
        if (!one(Value{i, true}, Value{i, true})) break;
      }
    } else {
      errorf("range can't iterate over " + sprint_value(val));
    }
    if (!any && r.else_list) walk(dot, *r.else_list);
    vars_.resize(outer);
  }

  void walk_template(const Value& dot, const Node& n) {
    at(n);
    auto it = t_.trees.find(n.text);
    if (it == t_.trees.end()) errorf("template \"" + n.text + "\" not defined");
    if (depth_ == kMaxExecDepth) errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
    Value d = n.pipe ? eval_pipeline(dot, n.pipe.get()) : Value::none();
    Exec inner(t_, it->second.get(), out_, depth_ + 1);
    inner.run(d);
  }

  Value eval_pipeline(const Value& dot, const Node* pipe) {
    if (pipe == nullptr) return Value::none();
    at(*pipe);
    std::optional<Value> value;
    for (const auto& cmd : pipe->nodes) {
      value = eval_command(dot, *cmd, value);
      value->boxed = false;  // Go digs into an interface{}: its content, and nil is no value
      if (value->valid && value->data.is_null()) value = Value::none();
    }
    for (const auto& name : pipe->decl) {
      if (pipe->is_assign)
        set_var(name, *value);
      else
        vars_.emplace_back(name, *value);
    }
    return *value;
  }

  void not_a_function(const Node& cmd, const std::optional<Value>& final) {
    if (cmd.nodes.size() > 1 || final) errorf("can't give argument to non-function " + cmd.nodes[0]->str());
  }

  Value eval_command(const Value& dot, const Node& cmd, const std::optional<Value>& final) {
    const Node& first = *cmd.nodes[0];
    switch (first.type) {
      case NodeType::Field:
        at(first);
        return eval_field_chain(dot, dot, first, first.ident, &cmd, final);
      case NodeType::Chain:
        return eval_chain(dot, first, &cmd, final);
      case NodeType::Identifier:
        return eval_function(dot, first, &cmd, final);
      case NodeType::Pipe:
        not_a_function(cmd, final);
        return eval_pipeline(dot, &first);
      case NodeType::Variable:
        return eval_variable(dot, first, &cmd, final);
      default:
        break;
    }
    at(first);
    not_a_function(cmd, final);
    switch (first.type) {
      case NodeType::Bool:
        return Value{first.boolean, true};
      case NodeType::Dot:
        return dot;
      case NodeType::Nil:
        errorf("nil is not a command");
      case NodeType::Number:
        return ideal_constant(first);
      case NodeType::String:
        return Value{first.text, true};
      default:
        errorf("can't evaluate command " + first.str());
    }
  }

  Value ideal_constant(const Node& n) {
    at(n);
    const std::string& text = n.quoted;
    const bool hex = text.find("0x") != std::string::npos || text.find("0X") != std::string::npos;
    if (n.is_float && !hex && text[0] != '\'' && text.find_first_of(".eEpP") != std::string::npos)
      return Value{n.float_value, true};
    if (n.is_int) return Value{static_cast<long long>(n.int_value), true};
    errorf(text + " overflows int");
  }

  Value var_value(const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    errorf("undefined variable: " + name);
  }

  void set_var(const std::string& name, const Value& v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) {
        it->second = v;
        return;
      }
    errorf("undefined variable: " + name);
  }

  Value eval_variable(const Value& dot, const Node& var, const Node* cmd, const std::optional<Value>& final) {
    at(var);
    Value v = var_value(var.ident[0]);
    if (var.ident.size() == 1) {
      if (cmd) not_a_function(*cmd, final);
      return v;
    }
    std::vector<std::string> rest(var.ident.begin() + 1, var.ident.end());
    return eval_field_chain(dot, v, var, rest, cmd, final);
  }

  Value eval_chain(const Value& dot, const Node& chain, const Node* cmd, const std::optional<Value>& final) {
    at(chain);
    if (chain.nodes[0]->type == NodeType::Nil) errorf("indirection through explicit nil in " + chain.str());
    Value pipe = eval_arg(dot, std::nullopt, *chain.nodes[0]);
    return eval_field_chain(dot, pipe, chain, chain.ident, cmd, final);
  }

  Value eval_field_chain(const Value& /*dot*/, Value receiver, const Node& node, const std::vector<std::string>& ident,
                         const Node* cmd, const std::optional<Value>& final) {
    for (std::size_t i = 0; i + 1 < ident.size(); ++i)
      receiver = eval_field(ident[i], node, nullptr, std::nullopt, receiver);
    return eval_field(ident.back(), node, cmd, final, receiver);
  }

  Value eval_field(const std::string& field, const Node& /*node*/, const Node* cmd, const std::optional<Value>& final,
                   const Value& receiver) {
    if (!receiver.valid) return Value::none();
    const auto& d = receiver.data;
    if (d.is_null()) errorf("nil pointer evaluating interface {}." + field);
    const bool has_args = (cmd != nullptr && cmd->nodes.size() > 1) || final;
    if (d.is_object()) {
      auto it = d.find(field);
      if (!t_.struct_type.empty()) {
        if (it == d.end()) errorf("can't evaluate field " + field + " in type " + t_.struct_type);
        if (has_args) errorf(field + " has arguments but cannot be invoked as function");
        return Value{*it, true};
      }
      if (has_args) errorf(field + " is not a method but has arguments");
      return it == d.end() ? Value::none() : Value{*it, true, true};
    }
    errorf("can't evaluate field " + field + " in type " + (receiver.boxed ? "interface {}" : type_name(receiver)));
  }

  Value eval_function(const Value& dot, const Node& ident, const Node* cmd, const std::optional<Value>& final) {
    at(ident);
    const Function* fn = t_.find(ident.text);
    if (fn == nullptr) errorf("\"" + ident.text + "\" is not a defined function");
    return eval_call(dot, *fn, cmd != nullptr ? *cmd : ident, ident.text, cmd, final);
  }

  Value eval_call(const Value& dot, const Function& fn, const Node& node, const std::string& name, const Node* cmd,
                  const std::optional<Value>& final) {
    std::vector<const Node*> args;
    if (cmd != nullptr)
      for (std::size_t i = 1; i < cmd->nodes.size(); ++i) args.push_back(cmd->nodes[i].get());
    const std::size_t num_in = args.size() + (final ? 1 : 0);
    std::size_t num_fixed = args.size();
    if (fn.variadic) {
      num_fixed = fn.params.size() - 1;
      if (num_in < num_fixed)
        errorf("wrong number of args for " + name + ": want at least " + std::to_string(num_fixed) + " got " +
               std::to_string(args.size()));
    } else if (num_in != fn.params.size()) {
      errorf("wrong number of args for " + name + ": want " + std::to_string(fn.params.size()) + " got " +
             std::to_string(num_in));
    }
    auto param = [&](std::size_t i) {
      return i < fn.params.size() - (fn.variadic ? 1 : 0) ? fn.params[i] : fn.params.back();
    };
    const bool builtin_logic = (name == "and" || name == "or") && t_.funcs.find(name) == t_.funcs.end();
    if (builtin_logic) {
      Value v = Value::none();
      for (const Node* a : args) {
        v = eval_arg(dot, Arg::Value, *a);
        if (is_true(v) == (name == "or")) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Value> argv;
    for (std::size_t i = 0; i < args.size(); ++i) argv.push_back(eval_arg(dot, param(i), *args[i]));
    if (final) argv.push_back(validate(*final, param(num_in - 1)));
    try {
      return fn.call(argv);
    } catch (const CallError& e) {
      at(node);
      errorf("error calling " + name + ": " + e.what());
    }
  }

  /// Go's validateType: the value as a parameter of type `type` (nullopt: untyped).
  Value validate(const Value& v, std::optional<Arg> type) {
    if (!type) return v;
    if (!v.valid || (v.data.is_null() && *type != Arg::Any && *type != Arg::Value)) {
      if (!v.valid) {
        if (*type == Arg::Value) return v;
        if (*type == Arg::Any || *type == Arg::List) return Value{nullptr, true};
        errorf(std::string("invalid value; expected ") + tt_arg_name(*type));
      }
      errorf(std::string("wrong type for value; expected ") + tt_arg_name(*type) + "; got interface {}");
    }
    const auto& d = v.data;
    bool ok = true;
    switch (*type) {
      case Arg::Any:
      case Arg::Value:
        break;
      case Arg::String:
        ok = d.is_string();
        break;
      case Arg::Int:
        ok = d.is_number_integer();
        break;
      case Arg::Float:
        ok = d.is_number_float();
        break;
      case Arg::Bool:
        ok = d.is_boolean();
        break;
      case Arg::List:
        ok = d.is_array();
        break;
    }
    if (!ok) errorf(std::string("wrong type for value; expected ") + tt_arg_name(*type) + "; got " + type_name(v));
    return v;
  }

  Value eval_arg(const Value& dot, std::optional<Arg> type, const Node& n) {
    at(n);
    switch (n.type) {
      case NodeType::Dot:
        return validate(dot, type);
      case NodeType::Nil:
        if (!type || *type == Arg::Any || *type == Arg::List) return Value{nullptr, true};
        if (*type == Arg::Value) return Value::none();
        errorf(std::string("cannot assign nil to ") + tt_arg_name(*type));
      case NodeType::Field:
        return validate(eval_field_chain(dot, dot, n, n.ident, nullptr, std::nullopt), type);
      case NodeType::Variable:
        return validate(eval_variable(dot, n, nullptr, std::nullopt), type);
      case NodeType::Pipe:
        return validate(eval_pipeline(dot, &n), type);
      case NodeType::Identifier: {
        const Function* fn = t_.find(n.text);
        if (fn == nullptr) errorf("\"" + n.text + "\" is not a defined function");
        return validate(eval_call(dot, *fn, n, n.text, nullptr, std::nullopt), type);
      }
      case NodeType::Chain:
        return validate(eval_chain(dot, n, nullptr, std::nullopt), type);
      default:
        break;
    }
    const Arg t = type.value_or(Arg::Any);
    switch (t) {
      case Arg::Bool:
        if (n.type == NodeType::Bool) return Value{n.boolean, true};
        errorf("expected bool; found " + n.str());
      case Arg::String:
        if (n.type == NodeType::String) return Value{n.text, true};
        errorf("expected string; found " + n.str());
      case Arg::Int:
        if (n.type == NodeType::Number && n.is_int) return Value{static_cast<long long>(n.int_value), true};
        errorf("expected integer; found " + n.str());
      case Arg::Float:
        if (n.type == NodeType::Number && n.is_float) return Value{n.float_value, true};
        errorf("expected float; found " + n.str());
      case Arg::Any:
      case Arg::Value:
        if (n.type == NodeType::Bool) return Value{n.boolean, true};
        if (n.type == NodeType::Number) return ideal_constant(n);
        if (n.type == NodeType::String) return Value{n.text, true};
        errorf("can't handle assignment of " + n.str() + " to empty interface argument");
      case Arg::List:
        break;
    }
    errorf("can't handle " + n.str() + " for arg of type " + tt_arg_name(t));
  }
};

std::vector<std::string> tt_func_names(const FuncMap& funcs) {
  std::vector<std::string> names;
  for (const auto& [k, v] : builtin_funcs()) names.push_back(k);
  for (const auto& [k, v] : funcs) names.push_back(k);
  return names;
}

}  // namespace

Template::Template(std::string name, FuncMap funcs) : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->funcs = std::move(funcs);
}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

void Template::parse(const std::string& text) {
  auto trees = tmpl_tree::parse(impl_->name, text, tt_func_names(impl_->funcs));
  for (auto& [name, tree] : trees) {
    auto it = impl_->trees.find(name);
    const bool empty = std::all_of(tree->root->nodes.begin(), tree->root->nodes.end(), [](const auto& n) {
      return n->type == NodeType::Text && n->text.find_first_not_of(" \t\r\n") == std::string::npos;
    });
    if (it != impl_->trees.end() && empty) continue;
    impl_->trees[name] = tree;
  }
}

std::string Template::execute(const Value& data, const std::string& name) const {
  const std::string& which = name.empty() ? impl_->name : name;
  auto it = impl_->trees.find(which);
  if (it == impl_->trees.end())
    throw std::runtime_error("template: " + which + ": \"" + which + "\" is an incomplete or empty template");
  std::string out;
  Exec(*impl_, it->second.get(), out, 0).run(data);
  return out;
}

void Template::set_struct_type(std::string type) { impl_->struct_type = std::move(type); }

}  // namespace berth::gocompat::tmpl
