// `berth kill`: send a signal (SIGKILL by default) to running containers.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_kill(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto signal = std::make_shared<std::string>("SIGKILL");
  auto remove_orphans = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("kill", "Force stop service containers");
  cmd->add_option("-s,--signal", *signal, "SIGNAL to send to the container");
  cmd->add_flag("--remove-orphans", *remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_option("services", *services, "Services to kill");
  // remove_orphans is captured to keep it alive: CLI11 writes the parsed flag into it.
  cmd->callback([&g, services, signal, remove_orphans] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->kill(*services, *signal);
  });
}

}  // namespace berth::cli
