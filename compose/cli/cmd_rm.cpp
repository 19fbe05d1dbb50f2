// `berth rm`: remove stopped service containers (-s stops them first); asks unless -f when
// standard input is a terminal, as docker compose does.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

namespace {

struct RmFlags {
  bool force = false, stop = false, volumes = false;
  std::vector<std::string> services;
};

void run_rm(const GlobalOptions& g, const RmFlags& f) {
  auto session = engine::open_session(session_options(g, f.services, false, false));
  engine::Engine& eng = *session.engine;
  eng.lock();
  std::vector<std::string> names;
  for (const auto& o : eng.observe(f.services, true)) {
    bool running = o.status.status == "running" || o.status.status == "paused" || o.status.status == "restarting";
    if (f.stop || !running) names.push_back(o.record.name);
  }
  if (names.empty()) {
    std::cerr << "No stopped containers\n";
    return;
  }
  if (!f.force && ::isatty(0)) {
    std::cerr << "Going to remove";
    for (const auto& n : names) std::cerr << " " << n;
    std::cerr << "\n? Are you sure? (y/N) " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") return;
  }
  eng.rm(f.services, f.stop, f.volumes);
}

}  // namespace

void register_rm(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<RmFlags>();
  auto* cmd = app.add_subcommand("rm", "Removes stopped service containers");
  cmd->add_flag("-f,--force", f->force, "Don't ask to confirm removal");
  cmd->add_flag("-s,--stop", f->stop, "Stop the containers, if required, before removing");
  cmd->add_flag("-v,--volumes", f->volumes, "Remove any anonymous volumes attached to containers");
  cmd->add_option("services", f->services, "Services to remove");
  cmd->callback([&g, f] { run_rm(g, *f); });
}

}  // namespace berth::cli
