// docker's --format: the table/json/TEMPLATE forms around Go's text/template (text_template.hpp)
// with docker/cli's basic functions, over one row of named text fields.
#include "compose/gocompat/go_template.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "compose/gocompat/table.hpp"
#include "compose/gocompat/text_template.hpp"

namespace berth::gocompat {

namespace {

std::string fmt_case(std::string s, int (*f)(int)) {
  std::transform(s.begin(), s.end(), s.begin(), [f](unsigned char c) { return static_cast<char>(f(c)); });
  return s;
}

/// docker/cli's templates.basicFunctions: json, split, join, title, lower, upper, pad, truncate.
tmpl::FuncMap docker_format_funcs() {
  using tmpl::Arg;
  using tmpl::Value;
  tmpl::FuncMap f;
  f["json"] = {{Arg::Any}, false, [](std::vector<Value>& a) {
                 return Value{a[0].data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), true};
               }};
  f["upper"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                  return Value{fmt_case(a[0].data.get<std::string>(), ::toupper), true};
                }};
  f["lower"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                  return Value{fmt_case(a[0].data.get<std::string>(), ::tolower), true};
                }};
  f["title"] = {{Arg::String}, false, [](std::vector<Value>& a) {
                  std::string s = a[0].data.get<std::string>();
                  bool start = true;
                  for (char& c : s) {
                    if (start && std::islower(static_cast<unsigned char>(c)))
                      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    start = c == ' ' || c == '\t' || c == '\n';
                  }
                  return Value{s, true};
                }};
  f["split"] = {{Arg::String, Arg::String}, false, [](std::vector<Value>& a) {
                  std::string s = a[0].data.get<std::string>(), sep = a[1].data.get<std::string>();
                  nlohmann::json out = nlohmann::json::array();
                  if (sep.empty()) {
                    for (char c : s) out.push_back(std::string(1, c));
                    return Value{out, true};
                  }
                  std::size_t start = 0;
                  for (std::size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size())
                    out.push_back(s.substr(start, at - start));
                  out.push_back(s.substr(start));
                  return Value{out, true};
                }};
  f["join"] = {{Arg::List, Arg::String}, false, [](std::vector<Value>& a) {
                 std::string out;
                 bool first = true;
                 for (const auto& e : a[0].data) {
                   if (!e.is_string()) throw tmpl::CallError("join: elements must be strings");
                   out += (first ? "" : a[1].data.get<std::string>()) + e.get<std::string>();
                   first = false;
                 }
                 return Value{out, true};
               }};
  f["pad"] = {{Arg::String, Arg::Int, Arg::Int}, false, [](std::vector<Value>& a) {
                return Value{std::string(static_cast<std::size_t>(std::max(0LL, a[1].data.get<long long>())), ' ') +
                                 a[0].data.get<std::string>() +
                                 std::string(static_cast<std::size_t>(std::max(0LL, a[2].data.get<long long>())), ' '),
                             true};
              }};
  f["truncate"] = {{Arg::String, Arg::Int}, false, [](std::vector<Value>& a) {
                     std::string s = a[0].data.get<std::string>();
                     long long n = a[1].data.get<long long>();
                     if (n >= 0 && static_cast<std::size_t>(n) < s.size()) s.resize(static_cast<std::size_t>(n));
                     return Value{s, true};
                   }};
  return f;
}

}  // namespace

std::string render_template(const std::string& text, const TemplateFields& fields, const std::string& struct_type) {
  tmpl::Template t("", docker_format_funcs());
  if (!struct_type.empty()) t.set_struct_type(struct_type);
  t.parse(text);
  nlohmann::json data = nlohmann::json::object();
  for (const auto& [k, v] : fields) data[k] = v;
  return t.execute(tmpl::Value{data, true});
}

std::string format_rows(const std::string& format, const std::string& table_default, const TemplateFields& header,
                        const std::vector<TemplateFields>& rows, const std::string& struct_type) {
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
  if (table) out += render_template(text, header, struct_type) + "\n";
  for (const auto& row : rows) out += render_template(text, row, struct_type) + "\n";
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
