// `berth wait SERVICE...` (docker compose wait): blocks until every container of the services
// (one-off containers included) has stopped, printing `container "<id>" exited with status code N`
// as each one does; the exit code is the last one's. --down-project then removes the project as
// `down --remove-orphans` does. A wait that fails exits 42, as docker compose's does.
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "compose/cli/commands.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::cli {

namespace {

struct WaitFlags {
  std::vector<std::string> services;
  bool down_project = false;
};

int run_wait(const GlobalOptions& g, const WaitFlags& f) {
  engine::Session session = engine::open_session(session_options(g, f.services, false, false));
  engine::Engine& eng = *session.engine;
  const auto containers = eng.observe(f.services, true);
  if (containers.empty()) throw std::runtime_error("no containers for project \"" + eng.project() + "\"");
  std::mutex mu;
  int status_code = 0;
  std::string failure;
  auto exited = [&](const std::string& id, int code) {
    std::lock_guard lk(mu);
    std::cout << "container \"" << id << "\" exited with status code " << code << "\n" << std::flush;
    status_code = code;
  };
  {
    std::vector<std::jthread> waiters;
    for (const auto& c : containers) {
      const std::string& s = c.status.status;
      if (s != "running" && s != "paused" && s != "restarting") {  // docker's wait returns at once
        exited(c.record.id, c.status.exit_code);
        continue;
      }
      waiters.emplace_back([&, id = c.record.id] {
        try {
          shim_protocol::Reply r = runtime::shim_call(eng.paths().shim_state_dir(id), {{"op", "wait"}});
          if (!r.ok()) throw std::runtime_error(r.error());
          exited(id, r.body.value("exit_code", 0));
        } catch (const std::exception& e) {
          std::lock_guard lk(mu);
          if (failure.empty()) failure = e.what();
        }
      });
    }
  }
  if (!failure.empty()) {
    std::cerr << "error: " << failure << "\n";
    return 42;
  }
  if (f.down_project) {
    eng.lock();
    eng.down(false, true, std::nullopt, "", false);
  }
  return status_code;
}

}  // namespace

void register_wait(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto f = std::make_shared<WaitFlags>();
  auto* cmd = app.add_subcommand("wait", "Block until containers of all (or specified) services stop.");
  cmd->add_flag("--down-project", f->down_project, "Drops project when the first container stops");
  cmd->add_option("services", f->services, "Services to wait for")->required();
  cmd->callback([&g, &result, f] { result.exit_code = run_wait(g, *f); });
}

}  // namespace berth::cli
