// `berth create`: `up --no-start` under its own name, as docker compose has it.
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"

namespace berth::cli {

namespace {

struct CreateFlags {
  bool force_recreate = false, no_recreate = false, remove_orphans = false, build = false, no_build = false;
  bool quiet_pull = false, yes = false;
  std::vector<std::string> scale, services;
  std::string pull = "policy";
};

void run_create(const GlobalOptions& g, const CreateFlags& f) {
  auto options = session_options(g, f.services, true, true);
  for (const auto& s : f.scale) options.scale.insert(engine::parse_scale(s));
  options.pull = pull_options(g, f.pull, f.quiet_pull);
  options.build = build_options(g, f.build, f.no_build, f.quiet_pull);
  engine::Session session = engine::open_session(options);
  engine::Engine& eng = *session.engine;
  eng.lock();
  plan::Plan plan = eng.plan_up({f.services, false, f.force_recreate, f.no_recreate, true, f.remove_orphans});
  if (g.dry_run) {
    plan::print_dry_run(std::cerr, plan);
    return;
  }
  eng.warn_orphans(plan);
  eng.check_ports(plan);
  engine::ExecutorOptions exec;
  exec.wait_conditions = false;  // nothing is started, so no condition can be met
  eng.execute(plan, exec);
}

}  // namespace

void register_create(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<CreateFlags>();
  auto* cmd = app.add_subcommand("create", "Creates containers for a service");
  cmd->add_flag("--force-recreate", f->force_recreate,
                "Recreate containers even if their configuration hasn't changed");
  cmd->add_flag("--no-recreate", f->no_recreate, "If containers already exist, don't recreate them");
  cmd->add_flag("--remove-orphans", f->remove_orphans,
                "Remove containers for services not defined in the Compose file");
  cmd->add_flag("--build", f->build, "Build images before starting containers");
  cmd->add_flag("--no-build", f->no_build, "Don't build an image, even if it's policy");
  cmd->add_option("--pull", f->pull, "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")");
  cmd->add_flag("--quiet-pull", f->quiet_pull, "Pull without printing progress information");
  // as up's -y: Berth asks nothing while creating, so there is no prompt to answer
  cmd->add_flag("-y,--yes", f->yes, "Assume \"yes\" as answer to all prompts and run non-interactively");
  cmd->add_option("--scale", f->scale, "Scale SERVICE to NUM instances (SERVICE=NUM)")->allow_extra_args(false);
  cmd->add_option("services", f->services, "Services to create");
  cmd->callback([&g, f] { run_create(g, *f); });
}

}  // namespace berth::cli
