#pragma once
// Go's text/template in C++: the same template language (text, actions, pipelines, variables,
// if/else if/range/with/define/template/block/break/continue, comments, `{{-`/`-}}` trims), the
// same builtins (and, or, not, len, index, slice, print, printf, println, html, js, urlquery, eq,
// ne, lt, le, gt, ge; not `call`: the data holds no functions)
// and the same wording for parse and execution errors, over data as Go sees YAML or JSON decoded
// into `any`: nil, bool, int, float64, string, []interface {}, map[string]interface {}.
//
// Used by `bridge convert --templates` (compose bridge's transformer templates) and by the
// --format options (docker's formatter). Functions are registered with their Go parameter types,
// so a call with a wrong argument fails as Go's reflect-based call does.
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace berth::gocompat::tmpl {

/// A value in a template: `data` (JSON null is Go's nil interface; integers are Go ints, other
/// numbers float64), or no value at all (`valid` false: reflect's zero Value, what a missing map
/// key gives; it prints as "<no value>").
struct Value {
  nlohmann::json data;
  bool valid = true;
  /// Held in an interface{} (an element of a map or list of the data) until a pipeline unwraps
  /// it, as reflect sees it: Go names such a value's type "interface {}" in errors.
  bool boxed = false;
  static Value none() { return Value{nullptr, false}; }
};

/// Go's name of a value's dynamic type ("string", "int", "float64", "[]interface {}", ...).
std::string type_name(const Value& v);

/// What fmt.Sprint prints for a value (`<nil>`, `[a b]`, `map[a:1]`, floats as %v).
std::string sprint_value(const Value& v);

/// fmt.Sprintf over template values: the verbs %v %s %d %q %t %f %g %e %x %X %c %%, flags,
/// width and precision, and Go's `%!d(string=x)` / `%!s(MISSING)` / `%!(EXTRA ...)` forms.
std::string sprintf(const std::string& format, const std::vector<Value>& args);

/// Go's truth: false, 0, "", nil, an empty list or map and no value are false.
bool is_true(const Value& v);

/// A parameter's Go type, checked before the call as text/template checks it.
enum class Arg {
  Any,    ///< interface{}: anything (no value becomes nil)
  Value,  ///< reflect.Value: passed as is, even no value
  String,
  Int,
  Float,
  Bool,
  List,  ///< []interface {}
};

/// A function's error; execution reports it as Go does: "error calling NAME: MESSAGE".
class CallError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Function {
  std::vector<Arg> params;
  bool variadic = false;  ///< the last parameter repeats (Go's `...T`)
  std::function<Value(std::vector<Value>& args)> call;
};
using FuncMap = std::map<std::string, Function>;

/// A set of templates parsed together, as Go's *template.Template: `parse` may be called more
/// than once; `{{define}}` and `{{block}}` add named templates.
class Template {
 public:
  /// `name` is the template the top level of parsed text defines (Go: template.New(name)).
  explicit Template(std::string name, FuncMap funcs = {});
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  /// Parses `text`. Throws std::runtime_error with Go's message: "template: NAME:LINE: ...".
  void parse(const std::string& text);

  /// Runs the template `name` (default: the one given to the constructor) on `data`. Throws
  /// std::runtime_error with Go's message: `template: NAME:LINE:COL: executing "NAME" at <...>: ...`.
  std::string execute(const Value& data, const std::string& name = "") const;

  /// When set, `data` is a Go struct of this type (docker's formatter contexts): a field it lacks
  /// is "can't evaluate field X in type TYPE" rather than no value.
  void set_struct_type(std::string type);

  struct Impl;  ///< the parsed trees and functions (text_template_exec.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::gocompat::tmpl
