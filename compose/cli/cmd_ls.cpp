// `berth ls`: projects recorded under <root>/projects (running ones unless -a), as docker
// compose ls prints them: NAME STATUS CONFIG FILES with "running(2)" style statuses.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "compose/cli/commands.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/gocompat/table.hpp"

namespace berth::cli {

namespace {

struct LsFlags {
  bool all = false, quiet = false;
  std::string format = "table";
};

void run_ls(const GlobalOptions& g, const LsFlags& f) {
  state::Paths paths = state::Paths::for_root(g.root);
  auto projects = engine::project_summaries(paths);
  if (!f.all) std::erase_if(projects, [](const auto& p) { return p.running == 0; });
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
  cmd->callback([&g, f] { run_ls(g, *f); });
}

}  // namespace berth::cli
