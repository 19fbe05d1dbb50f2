// `berth start`: start existing containers (in dependency order, waiting for dependency conditions).
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_start(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("start", "Start services");
  cmd->add_option("services", *services, "Services to start");
  cmd->callback([&g, services] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->start(*services);
  });
}

}  // namespace berth::cli
