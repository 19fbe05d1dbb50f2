// `berth pause`: freeze running containers (cgroup freezer).
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_pause(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("pause", "Pause services");
  cmd->add_option("services", *services, "Services to pause");
  cmd->callback([&g, services] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->pause(*services, true);
  });
}

}  // namespace berth::cli
