// Walking a CLI11 app into a CommandSpec. CLI11 keeps choices only in a check's description
// ("TEXT:{never,always,auto}"), so they are read back from the type name it builds.
#include "compose/cli/cli_spec.hpp"

#include <algorithm>
#include <cctype>

namespace berth::cli {

namespace {

using shell::ValueKind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The parts of CLI11's type name: "TEXT:{a,b}" → {"TEXT", "{a,b}"}.
std::vector<std::string> type_parts(const CLI::Option& o) {
  std::vector<std::string> parts;
  std::string t = o.get_type_name();
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= t.size(); ++i) {
    if (i < t.size() && t[i] == '{') ++depth;
    if (i < t.size() && t[i] == '}') --depth;
    if (i == t.size() || (t[i] == ':' && depth == 0)) {
      parts.push_back(t.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::vector<std::string> choices_of(const std::vector<std::string>& parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) {
    if (p.size() < 2 || p.front() != '{' || p.back() != '}') continue;
    std::string list = p.substr(1, p.size() - 2), item;
    for (char c : list + ",") {
      if (c == ',') {
        if (!item.empty()) out.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
  }
  return out;
}

ValueKind kind_of(const std::vector<std::string>& parts, const std::vector<std::string>& choices) {
  if (!choices.empty()) return ValueKind::Choice;
  for (const auto& p : parts) {
    if (p == "FILE") return ValueKind::File;
    if (p == "DIR") return ValueKind::Dir;
    if (p == "SERVICE") return ValueKind::Service;
    if (p == "PROJECT") return ValueKind::Project;
    if (p == "COMMAND") return ValueKind::Command;
  }
  return ValueKind::Any;
}

shell::FlagSpec flag_of(const CLI::Option& o) {
  shell::FlagSpec f;
  f.longs = o.get_lnames();
  f.shorts = o.get_snames();
  f.takes_value = o.get_items_expected_min() > 0;
  f.description = o.get_description();
  f.default_value = o.get_default_str();
  f.repeatable = o.get_expected_max() > 1;
  if (f.takes_value) {
    auto parts = type_parts(o);
    f.value_name = parts.empty() ? "" : parts.front();
    f.choices = choices_of(parts);
    f.kind = kind_of(parts, f.choices);
  }
  return f;
}

shell::PositionalSpec positional_of(const CLI::Option& o) {
  shell::PositionalSpec p;
  p.name = o.get_name(true);
  p.description = o.get_description();
  p.required = o.get_required();
  p.repeatable = o.get_expected_max() > 1;
  auto parts = type_parts(o);
  p.choices = choices_of(parts);
  p.kind = kind_of(parts, p.choices);
  if (p.kind == ValueKind::Any && lower(p.name).rfind("service", 0) == 0) p.kind = ValueKind::Service;
  return p;
}

shell::CommandSpec describe(const CLI::App& app, std::vector<std::string> path) {
  shell::CommandSpec c;
  c.path = path;
  c.aliases = app.get_aliases();
  c.description = app.get_description();
  c.takes_command_line = app.get_prefix_command();
  c.requires_subcommand = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    if (o->get_lnames().empty() && o->get_snames().empty())
      c.positionals.push_back(positional_of(*o));
    else
      c.flags.push_back(flag_of(*o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    if (sub->get_name().empty()) continue;
    std::vector<std::string> sub_path = path;
    sub_path.push_back(sub->get_name());
    c.subcommands.push_back(describe(*sub, sub_path));
  }
  return c;
}

}  // namespace

shell::CommandSpec describe_cli(const CLI::App& app) { return describe(app, {}); }

}  // namespace berth::cli
