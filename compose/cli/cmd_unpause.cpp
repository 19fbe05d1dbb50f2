// `berth unpause`: thaw paused containers.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_unpause(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("unpause", "Unpause services");
  cmd->add_option("services", *services, "Services to unpause");
  cmd->callback([&g, services] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->pause(*services, false);
  });
}

}  // namespace berth::cli
