// `berth stop`: stop running containers, dependants first, without removing them.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_stop(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto timeout = std::make_shared<std::optional<int>>();
  auto* cmd = app.add_subcommand("stop", "Stop services");
  cmd->add_option("-t,--timeout", *timeout, "Specify a shutdown timeout in seconds");
  cmd->add_option("services", *services, "Services to stop");
  cmd->callback([&g, services, timeout] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->stop(*services, *timeout);
  });
}

}  // namespace berth::cli
