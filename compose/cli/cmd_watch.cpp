// `berth watch [SERVICE...]`: as docker compose's runWatch — unless --no-up, an `up` of the
// services (detached; those with `build:` and `develop:` rebuilt), then the watch loop
// (compose/watch) until Ctrl+C or SIGTERM. The containers stay as they are when watching ends.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/interactive/attach_signals.hpp"
#include "compose/plan/actions.hpp"
#include "compose/watch/watcher.hpp"

namespace berth::cli {

namespace {

struct WatchFlags {
  bool no_up = false, prune = true, quiet = false;
  std::vector<std::string> services;
};

int run_watch(const GlobalOptions& g, const WatchFlags& f) {
  auto options = session_options(g, f.services, true, !f.no_up);
  if (!f.no_up) {
    options.pull = pull_options(g, "policy", f.quiet);
    options.build = build_options(g, false, false, f.quiet);
    options.build_watched = true;
  }
  engine::Session session = engine::open_session(options);
  engine::Engine& eng = *session.engine;
  if (!f.no_up) {
    eng.lock();
    plan::UpOptions up;
    up.services = f.services;
    plan::Plan plan = eng.plan_up(up);
    if (g.dry_run) {
      plan::print_dry_run(std::cerr, plan);
      return 0;
    }
    eng.check_ports(plan);
    eng.execute(plan, engine::ExecutorOptions{});
    eng.sync_dns();
    session.progress->finish();
    eng.unlock();
  }
  interactive::InterruptWatch interrupts;
  watch::WatchOptions wo;
  wo.services = f.services;
  wo.prune = f.prune;
  wo.quiet = f.quiet;
  wo.parallel = g.parallel;
  wo.environment = options.load.os_environment;
  wo.stop = [&interrupts] { return interrupts.count() > 0; };
  watch::Watcher watcher(session.paths, eng.context()->loaded, progress::progress_mode(g.progress),
                         engine::progress_color(g.ansi), wo);
  watcher.start();
  watcher.run();
  return 0;
}

}  // namespace

void register_watch(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto f = std::make_shared<WatchFlags>();
  auto* cmd = app.add_subcommand(
      "watch", "Watch build context for service and rebuild/refresh containers when files are updated");
  cmd->add_flag("--no-up", f->no_up, "Do not build & start services before watching");
  cmd->add_flag("--prune", f->prune, "Prune dangling images on rebuild");
  cmd->add_flag("--quiet", f->quiet, "hide build output");
  cmd->add_option("services", f->services, "Services to watch (and their dependencies)");
  cmd->callback([&g, &result, f] { result.exit_code = run_watch(g, *f); });
}

}  // namespace berth::cli
