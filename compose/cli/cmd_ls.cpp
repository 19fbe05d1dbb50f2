// `berth ls`: projects recorded under <root>/projects (running ones unless -a), as docker
// compose ls prints them: NAME STATUS CONFIG FILES with "running(2)" style statuses.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

#include "compose/cli/commands.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/gocompat/table.hpp"

namespace berth::cli {

namespace {

struct LsFlags {
  bool all = false, quiet = false;
  std::string format = "table";
  std::vector<std::string> filters;
};

/// docker's filters.ParseFlag + Validate({"name"}): each --filter is KEY=VALUE (key trimmed and
/// lowercased, value trimmed); ls knows `name` only. The values given are kept.
std::vector<std::string> ls_name_filters(const std::vector<std::string>& given) {
  std::vector<std::string> names;
  auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t\n\r"), e = s.find_last_not_of(" \t\n\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  for (const auto& arg : given) {
    if (arg.empty()) continue;
    const auto eq = arg.find('=');
    if (eq == std::string::npos) throw std::runtime_error("bad format of filter (expected name=value)");
    std::string key = trim(arg.substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key != "name") throw std::runtime_error("invalid filter '" + key + "'");
    names.push_back(trim(arg.substr(eq + 1)));
  }
  return names;
}

/// docker's filters.Args.Match: a value matches when equal, or as an (unanchored) regular
/// expression; one that is no valid expression matches nothing more.
bool ls_name_matches(const std::vector<std::string>& names, const std::string& project) {
  if (names.empty()) return true;
  for (const auto& n : names) {
    if (n == project) return true;
    try {
      if (std::regex_search(project, std::regex(n))) return true;
    } catch (const std::regex_error&) {
    }
  }
  return false;
}

void run_ls(const GlobalOptions& g, const LsFlags& f) {
  const std::vector<std::string> names = ls_name_filters(f.filters);
  state::Paths paths = state::Paths::for_root(g.root);
  auto projects = engine::project_summaries(paths);
  if (!f.all) std::erase_if(projects, [](const auto& p) { return p.running == 0; });
  std::erase_if(projects, [&](const auto& p) { return !ls_name_matches(names, p.name); });
  for (const auto& p : projects)
    if (p.dns_down) std::cerr << engine::dns_down_warning(paths, p.name);
  if (f.quiet) {
    for (const auto& p : projects) std::cout << p.name << "\n";
    return;
  }
  if (f.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : projects)
      out.push_back({{"Name", p.name}, {"Status", p.status}, {"ConfigFiles", p.config_files}});
    std::cout << out.dump() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATUS", "CONFIG FILES"}};
  for (const auto& p : projects) rows.push_back({p.name, p.status, p.config_files});
  std::cout << gocompat::format_table(rows, 20);  // compose formatter.PrintPrettySection: minwidth 20
}

}  // namespace

void register_ls(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<LsFlags>();
  auto* cmd = app.add_subcommand("ls", "List running compose projects");
  cmd->add_flag("-a,--all", f->all, "Show all stopped Compose projects");
  cmd->add_flag("-q,--quiet", f->quiet, "Only display project names");
  cmd->add_option("--format", f->format, "Format the output: table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--filter", f->filters, "Filter output based on conditions provided (name=...)")
      ->allow_extra_args(false);
  cmd->callback([&g, f] { run_ls(g, *f); });
}

}  // namespace berth::cli
