// `berth restart`: stop and start each container again (its configuration is not re-read, as docker
// compose), with the `depends_on: {restart: true}` dependants unless --no-deps.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_restart(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto services = std::make_shared<std::vector<std::string>>();
  auto timeout = std::make_shared<std::optional<int>>();
  auto no_deps = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("restart", "Restart service containers");
  cmd->add_option("-t,--timeout", *timeout, "Specify a shutdown timeout in seconds");
  cmd->add_flag("--no-deps", *no_deps, "Don't restart dependent services");
  cmd->add_option("services", *services, "Services to restart");
  cmd->callback([&g, services, timeout, no_deps] {
    auto session = engine::open_session(session_options(g, *services, false, false));
    session.engine->lock();
    session.engine->restart(*services, *timeout, *no_deps);
  });
}

}  // namespace berth::cli
