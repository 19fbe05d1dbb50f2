// `berth down`: stop and remove containers, networks, (with -v) volumes, (with --rmi) images.
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

namespace {

struct DownFlags {
  bool volumes = false, remove_orphans = false;
  std::optional<int> timeout;
  std::string rmi;
  std::vector<std::string> services;
};

void run_down(const GlobalOptions& g, const DownFlags& f) {
  engine::Session session = engine::open_session(session_options(g, {}, false, false));
  engine::Engine& eng = *session.engine;
  eng.lock();
  eng.down(f.volumes, f.remove_orphans, f.timeout, f.rmi, g.dry_run, f.services);
}

}  // namespace

void register_down(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<DownFlags>();
  auto* cmd = app.add_subcommand("down", "Stop and remove containers, networks");
  cmd->add_flag("-v,--volumes", f->volumes,
                "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes "
                "attached to containers");
  cmd->add_flag("--remove-orphans", f->remove_orphans,
                "Remove containers for services not defined in the Compose file");
  cmd->add_option("-t,--timeout", f->timeout, "Specify a shutdown timeout in seconds");
  cmd->add_option("--rmi", f->rmi,
                  "Remove images used by services. \"local\" remove only images that don't have a custom tag "
                  "(\"local\"|\"all\")")
      ->check(CLI::IsMember({"local", "all"}));
  cmd->add_option("services", f->services, "SERVICE...");
  cmd->callback([&g, f] { run_down(g, *f); });
}

}  // namespace berth::cli
