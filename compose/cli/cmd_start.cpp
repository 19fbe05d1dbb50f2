// `berth start`: start existing containers (in dependency order, waiting for dependency conditions),
// with --wait until they run or are healthy, as `up --wait`.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

void register_start(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  struct StartFlags {
    std::vector<std::string> services;
    bool wait = false;
    int wait_timeout = 0;
  };
  auto f = std::make_shared<StartFlags>();
  auto* cmd = app.add_subcommand("start", "Start services");
  cmd->add_flag("--wait", f->wait, "Wait for services to be running|healthy. Implies detached mode");
  cmd->add_option("--wait-timeout", f->wait_timeout,
                  "Maximum duration in seconds to wait for the project to be running|healthy");
  cmd->add_option("services", f->services, "Services to start");
  cmd->callback([&g, f] {
    auto session = engine::open_session(session_options(g, f->services, false, false));
    session.engine->lock();
    session.engine->start(f->services);
    // as docker compose's Start with Wait: the services named (else all) running, healthy or done
    if (f->wait) session.engine->wait_running(f->services, f->wait_timeout);
  });
}

}  // namespace berth::cli
