// A small text/template runner for docker's --format strings. An action is a pipeline of
// commands separated by `|`; a command is an operand (`.` or `.Field`) or a function (json, upper,
// lower) with one operand; in a pipeline, the value so far is the next function's operand, as in
// Go. Anything else is refused with Go's own error wording, so a script sees the message it knows.
#include "compose/gocompat/go_template.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "compose/gocompat/table.hpp"

namespace berth::gocompat {

namespace {

/// A value in a pipeline: one field's text, or the whole row (the dot).
struct TemplateValue {
  bool dot = false;
  std::string text;
};

std::string template_json(const TemplateValue& v, const TemplateFields& fields) {
  if (!v.dot) return nlohmann::json(v.text).dump();
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [k, text] : fields) object[k] = text;
  return object.dump();
}

std::vector<std::string> template_words(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TemplateValue template_operand(const std::string& word, const TemplateFields& fields) {
  if (word == ".") return {true, ""};
  if (word.size() > 1 && word[0] == '.') {
    auto it = fields.find(word.substr(1));
    if (it == fields.end())
      throw std::runtime_error("template: :1: executing \"\" at <" + word + ">: can't evaluate field " +
                               word.substr(1));
    return {false, it->second};
  }
  throw std::runtime_error("template: :1: function \"" + word + "\" not defined");
}

TemplateValue template_call(const std::string& fn, const TemplateValue& arg, const TemplateFields& fields) {
  if (fn == "json") return {false, template_json(arg, fields)};
  std::string text = arg.dot ? template_json(arg, fields) : arg.text;
  if (fn == "upper") {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return {false, text};
  }
  if (fn == "lower") {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return {false, text};
  }
  throw std::runtime_error("template: :1: function \"" + fn + "\" not defined");
}

std::string run_action(const std::string& action, const TemplateFields& fields) {
  std::optional<TemplateValue> value;
  std::stringstream pipeline(action);
  for (std::string command; std::getline(pipeline, command, '|');) {
    std::vector<std::string> words = template_words(command);
    if (words.empty()) throw std::runtime_error("template: :1: missing value for command");
    if (words[0][0] == '.') {
      if (words.size() > 1 || value)
        throw std::runtime_error("template: :1: can't give argument to non-function " + words[0]);
      value = template_operand(words[0], fields);
      continue;
    }
    if (words.size() > 2 || (words.size() == 2 && value))
      throw std::runtime_error("template: :1: wrong number of args for " + words[0] + ": want 1 got " +
                               std::to_string(words.size() - 1 + (value ? 1 : 0)));
    TemplateValue arg;
    if (words.size() == 2) {
      arg = template_operand(words[1], fields);
    } else if (value) {
      arg = *value;
    } else {
      throw std::runtime_error("template: :1: wrong number of args for " + words[0] + ": want 1 got 0");
    }
    value = template_call(words[0], arg, fields);
  }
  if (!value) throw std::runtime_error("template: :1: missing value for command");
  return value->dot ? template_json(*value, fields) : value->text;
}

bool template_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string render_template(const std::string& text, const TemplateFields& fields) {
  std::string out;
  size_t pos = 0;
  bool trim_next = false;
  while (pos <= text.size()) {
    size_t open = text.find("{{", pos);
    std::string literal = text.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    if (trim_next) literal.erase(0, std::find_if_not(literal.begin(), literal.end(), template_space) - literal.begin());
    if (open == std::string::npos) {
      out += literal;
      break;
    }
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw std::runtime_error("template: :1: unclosed action");
    std::string action = text.substr(open + 2, close - open - 2);
    if (action.size() >= 2 && action[0] == '-' && template_space(action[1])) {  // "{{- " trims before
      while (!literal.empty() && template_space(literal.back())) literal.pop_back();
      action.erase(0, 1);
    }
    trim_next = action.size() >= 2 && action.back() == '-' && template_space(action[action.size() - 2]);
    if (trim_next) action.pop_back();
    out += literal;
    out += run_action(action, fields);
    pos = close + 2;
  }
  return out;
}

std::string format_rows(const std::string& format, const std::string& table_default, const TemplateFields& header,
                        const std::vector<TemplateFields>& rows) {
  std::string text = format.empty() || format == "table" ? table_default : format;
  const bool table = text.rfind("table", 0) == 0;
  if (table) {
    text.erase(0, 5);
  } else if (text == "json") {
    text = "{{json .}}";
  }
  auto blank = [](char c) { return c == ' '; };
  while (!text.empty() && blank(text.front())) text.erase(0, 1);
  while (!text.empty() && blank(text.back())) text.pop_back();
  for (auto [from, to] : {std::pair<const char*, const char*>{"\\t", "\t"}, {"\\n", "\n"}})
    for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += 1) text.replace(at, 2, to);

  std::string out;
  if (table) out += render_template(text, header) + "\n";
  for (const auto& row : rows) out += render_template(text, row) + "\n";
  if (!table) return out;
  // tabwriter (minwidth 10, padding 3) over the tab-separated cells of every line
  std::vector<std::vector<std::string>> cells;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> row;
    std::stringstream split(line);
    for (std::string cell; std::getline(split, cell, '\t');) row.push_back(cell);
    if (!line.empty() && line.back() == '\t') row.emplace_back();
    cells.push_back(std::move(row));
  }
  return format_table(cells, 10);
}

}  // namespace berth::gocompat
