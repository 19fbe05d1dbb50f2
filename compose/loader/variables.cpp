// compose-go's ExtractVariables over the loader's JSON model. Each string value is scanned with the
// interpolation pattern (interpolate.hpp); for a braced match, the name ends at the first character
// that cannot be in one and the operator right after it decides what the rest is; the text after
// the first balanced `}` of a greedy match is scanned again, and so are the default, presence
// value and error message, whose own references are variables too.
#include "compose/loader/variables.hpp"

#include <vector>

#include "compose/loader/interpolate.hpp"

namespace berth::loader {

namespace {

bool variable_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void variables_in(std::string_view text, std::vector<Variable>& out) {
  for (const TemplateReference& ref : template_references(text)) {
    if (ref.kind == TemplateReference::Kind::escaped) continue;
    std::string_view value = ref.group;
    if (ref.kind != TemplateReference::Kind::named) {
      size_t close = first_brace_closing_index(ref.text);
      if (close != std::string_view::npos && close > 0) {
        value = ref.text.substr(2, close - 2);
        variables_in(ref.text.substr(close + 1), out);
      }
    }
    Variable v;
    v.name = std::string(value);
    std::string required_message;
    size_t op = 0;
    while (op < value.size() && variable_name_char(value[op])) ++op;
    if (op > 0 && op < value.size()) {
      v.name = std::string(value.substr(0, op));
      std::string_view rest = value.substr(op);
      auto starts = [&](std::string_view p) { return rest.substr(0, p.size()) == p; };
      if (starts(":?")) {
        v.required = true;
        required_message = rest.substr(2);
      } else if (starts("?")) {
        v.required = true;
        required_message = rest.substr(1);
      } else if (starts(":-")) {
        v.default_value = rest.substr(2);
      } else if (starts("-")) {
        v.default_value = rest.substr(1);
      } else if (starts(":+")) {
        v.presence_value = rest.substr(2);
      } else if (starts("+")) {
        v.presence_value = rest.substr(1);
      }
    }
    const std::string nested[] = {v.default_value, v.presence_value, required_message};
    out.push_back(std::move(v));
    for (const std::string& n : nested)
      if (!n.empty()) variables_in(n, out);
  }
}

void combine_variable(std::map<std::string, Variable>& all, const Variable& v) {
  auto [it, fresh] = all.emplace(v.name, v);
  if (fresh) return;
  Variable& existing = it->second;
  existing.required = existing.required || v.required;
  if (existing.default_value.empty()) existing.default_value = v.default_value;
  if (existing.presence_value.empty()) existing.presence_value = v.presence_value;
}

void extract_from(const nlohmann::json& value, std::map<std::string, Variable>& all) {
  if (value.is_string()) {
    std::vector<Variable> found;
    variables_in(value.get_ref<const std::string&>(), found);
    for (const auto& v : found) combine_variable(all, v);
  } else if (value.is_object() || value.is_array()) {
    for (const auto& element : value) extract_from(element, all);
  }
}

}  // namespace

std::map<std::string, Variable> extract_variables(const nlohmann::json& model) {
  std::map<std::string, Variable> all;
  extract_from(model, all);
  return all;
}

}  // namespace berth::loader
