// `berth top [SERVICE...]`: each running container's processes, `ps -ef` style, under its name.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/exec_target.hpp"
#include "compose/engine/session.hpp"
#include "compose/engine/status_text.hpp"
#include "compose/gocompat/table.hpp"
#include "compose/interactive/exec_procs.hpp"

namespace berth::cli {

namespace {

void run_top(const GlobalOptions& g, const std::vector<std::string>& services) {
  engine::SessionOptions so = session_options(g, services, false, false);
  engine::Session session = engine::open_session(so);
  for (const auto& c : engine::select_containers(*session.engine, services)) {
    if (c.status.status != "running" && c.status.status != "paused") continue;
    std::vector<std::vector<std::string>> rows{interactive::process_header()};
    for (auto& row : interactive::container_processes(session.paths, c.record.id)) rows.push_back(std::move(row));
    std::cout << c.record.name << "\n" << gocompat::format_table(rows) << "\n";
  }
}

}  // namespace

void register_top(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("top", "Display the running processes");
  cmd->add_option("services", *services, "Services");
  cmd->callback([&g, services] { run_top(g, *services); });
}

}  // namespace berth::cli
