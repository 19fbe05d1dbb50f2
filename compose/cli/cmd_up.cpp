// `berth up`: load, plan, check, create/start, DNS, wait, attach (with the watcher under
// --watch) — each a stage call.
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "compose/cli/commands.hpp"
#include "compose/interactive/attach_logs.hpp"
#include "compose/logs/log_printer.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/plan/actions.hpp"
#include "compose/watch/watcher.hpp"

namespace berth::cli {

namespace {

struct UpFlags {
  bool detach = false, no_start = false, force_recreate = false, no_recreate = false, remove_orphans = false;
  bool no_deps = false, wait = false, build = false, no_build = false, abort_on_exit = false;
  bool quiet_pull = false, no_color = false, no_log_prefix = false, timestamps = false, renew_anon = false;
  bool abort_on_failure = false, always_recreate_deps = false, attach_dependencies = false, yes = false;
  bool menu = false, quiet_build = false, watch = false;
  std::vector<std::string> attach, no_attach;
  int wait_timeout = 0;
  std::optional<int> timeout;
  std::vector<std::string> scale;
  std::string pull = "policy", exit_code_from;
  std::vector<std::string> services;
};

/// docker compose's validateFlags: combinations it refuses before loading anything.
void check_up_flags(UpFlags& f) {
  if (!f.exit_code_from.empty() && !f.abort_on_failure) f.abort_on_exit = true;
  if (f.abort_on_exit && f.abort_on_failure)
    throw std::runtime_error("--abort-on-container-failure cannot be combined with --abort-on-container-exit");
  if (f.wait) {
    if (f.attach_dependencies || f.abort_on_exit || !f.attach.empty())
      throw std::runtime_error(
          "--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies");
    f.detach = true;
  }
  if (f.build && f.no_build) throw std::runtime_error("--build and --no-build are incompatible");
  if (f.detach && (f.attach_dependencies || f.abort_on_exit || f.abort_on_failure || !f.attach.empty() || f.watch))
    throw std::runtime_error(
        "--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, "
        "--attach-dependencies or --watch");
  if (f.renew_anon && f.no_recreate)
    throw std::runtime_error("--no-recreate and --renew-anon-volumes are incompatible");
  if (f.force_recreate && f.no_recreate)
    throw std::runtime_error("--force-recreate and --no-recreate are incompatible");
  if (f.always_recreate_deps && f.no_recreate)
    throw std::runtime_error("--always-recreate-deps and --no-recreate are incompatible");
  if (f.no_build && f.watch) throw std::runtime_error("--no-build and --watch are incompatible");
  if (!f.attach.empty() && f.attach_dependencies)
    throw std::runtime_error("cannot combine --attach and --attach-dependencies");
}

/// `up --watch`: docker compose's NewWatcher refuses a project where no service of this `up`
/// has develop.watch.
void check_watchable(engine::Engine& eng) {
  for (const auto& [name, svc] : eng.context()->loaded.model.services)
    if (svc.develop && !svc.develop->watch.empty()) return;
  throw std::runtime_error(
      "none of the selected services is configured for watch, see https://docs.docker.com/compose/how-tos/file-watch/");
}

/// `up --watch`: the watcher runs beside the attached logs, printing through their printer
/// ("⦿ Watch enabled"), until the attach ends.
std::function<std::shared_ptr<void>(logs::LogPrinter&)> start_watch(const GlobalOptions& g, engine::Session& session,
                                                                    const UpFlags& f) {
  return [&g, &session, &f](logs::LogPrinter& printer) -> std::shared_ptr<void> {
    struct Running {
      std::atomic<bool> stop{false};
      std::unique_ptr<watch::Watcher> watcher;
      std::thread thread;
      ~Running() {
        stop = true;
        if (thread.joinable()) thread.join();
      }
    };
    auto running = std::make_shared<Running>();
    const size_t source = printer.add_watch();
    watch::WatchOptions wo;
    wo.services = f.services;
    wo.quiet = f.quiet_build;
    wo.parallel = g.parallel;
    wo.environment = session_options(g, f.services, true, true).load.os_environment;
    wo.log = [&printer, source](const std::string& text) { printer.line(source, text); };
    wo.stop = [r = running.get()] { return r->stop.load(); };
    running->watcher =
        std::make_unique<watch::Watcher>(session.paths, session.engine->context()->loaded,
                                         progress::progress_mode(g.progress), engine::progress_color(g.ansi), wo);
    running->watcher->start();
    running->thread = std::thread([r = running.get(), &printer, source] {
      try {
        r->watcher->run();
      } catch (const std::exception& e) {
        printer.line(source, std::string("Watch disabled with errors: ") + e.what());
      }
    });
    return running;
  };
}

/// The services an attached `up` prints the logs of, as docker compose picks them: --attach as
/// given (each must be part of this `up`), else the services named (with their dependencies
/// under --attach-dependencies; all when none) but those with `attach: false`; less --no-attach.
std::set<std::string> attached_services(engine::Engine& eng, const UpFlags& f) {
  const project::ProjectContext* ctx = eng.context();
  std::set<std::string> in_up;  // the services of this `up`: named ones and (unless --no-deps) dependencies
  if (f.services.empty()) {
    for (const auto& [name, svc] : ctx->loaded.model.services) in_up.insert(name);
  } else if (f.no_deps) {
    in_up.insert(f.services.begin(), f.services.end());
  } else {
    in_up = model::with_dependencies(eng.dependencies(), f.services);
  }
  std::set<std::string> out;
  if (!f.attach.empty()) {
    std::string unexpected;
    for (const auto& s : std::set<std::string>(f.attach.begin(), f.attach.end()))
      if (!in_up.count(s)) unexpected += (unexpected.empty() ? "" : ", ") + s;
    if (!unexpected.empty()) throw std::runtime_error("cannot attach to services not included in up: " + unexpected);
    out.insert(f.attach.begin(), f.attach.end());
  } else {
    std::set<std::string> candidates = in_up;
    if (!f.services.empty())
      candidates =
          f.attach_dependencies && !f.no_deps ? in_up : std::set<std::string>(f.services.begin(), f.services.end());
    for (const auto& name : candidates)
      if (auto it = ctx->loaded.model.services.find(name);
          it != ctx->loaded.model.services.end() && it->second.attach.value_or(true))
        out.insert(name);
  }
  for (const auto& s : f.no_attach) out.erase(s);
  return out;
}

int run_up(const GlobalOptions& g, UpFlags f) {
  check_up_flags(f);
  const std::int64_t started_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto options = session_options(g, f.services, true, true);
  for (const auto& s : f.scale) options.scale.insert(engine::parse_scale(s));
  options.pull = pull_options(g, f.pull, f.quiet_pull);
  options.pull_dependencies = !f.no_deps;
  options.build = build_options(g, f.build, f.no_build, f.quiet_pull || f.quiet_build);
  engine::Session session = engine::open_session(options);
  engine::Engine& eng = *session.engine;
  eng.lock();
  // COMPOSE_REMOVE_ORPHANS (environment or .env) stands for --remove-orphans, as in docker compose.
  bool remove_orphans = f.remove_orphans;
  if (const project::ProjectContext* ctx = eng.context())
    if (auto it = ctx->loaded.environment.find("COMPOSE_REMOVE_ORPHANS"); it != ctx->loaded.environment.end())
      remove_orphans =
          remove_orphans || it->second == "1" || it->second == "true" || it->second == "TRUE" || it->second == "True";
  plan::UpOptions opts{f.services, f.no_deps,      f.force_recreate,      f.no_recreate,
                       f.no_start, remove_orphans, f.always_recreate_deps};
  plan::Plan plan = eng.plan_up(opts);
  if (f.watch) check_watchable(eng);
  std::set<std::string> attach;
  if (!f.detach && !f.no_start) attach = attached_services(eng, f);
  if (g.dry_run) {
    plan::print_dry_run(std::cerr, plan);
    return 0;
  }
  eng.warn_orphans(plan);
  eng.check_ports(plan);
  engine::ExecutorOptions exec;
  exec.timeout = f.timeout;
  exec.wait_conditions = !f.no_start;
  // --no-deps: as docker compose's WithSelectedServices(IgnoreDependencies), the services named
  // lose their dependencies on services left out, so nothing waits for those's conditions.
  plan::DependencyMap deps = eng.dependencies();
  if (f.no_deps && !f.services.empty()) {
    const std::set<std::string> named(f.services.begin(), f.services.end());
    for (auto& [service, edges] : deps)
      std::erase_if(edges, [&](const auto& edge) { return !named.count(edge.first); });
  }
  eng.execute(plan, exec, deps);
  eng.sync_dns();
  session.progress->finish();
  if (f.no_start) return 0;
  if (f.wait) eng.wait_running(f.services, f.wait_timeout);
  if (f.detach || f.wait) return 0;
  logs::PrinterOptions printer{logs::use_color(f.no_color, g.ansi, 1), !f.no_log_prefix, f.timestamps};
  interactive::AttachOptions attach_options;
  attach_options.services = f.services;
  attach_options.abort_on_container_exit = f.abort_on_exit;
  attach_options.exit_code_from = f.exit_code_from;
  attach_options.timeout = f.timeout;
  attach_options.since_ns = started_ns;
  attach_options.attach = attach;
  attach_options.abort_on_container_failure = f.abort_on_failure;
  if (f.watch) attach_options.on_printer = start_watch(g, session, f);
  return interactive::attach_with_logs(eng, attach_options, printer);
}

}  // namespace

void register_up(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto f = std::make_shared<UpFlags>();
  auto* cmd = app.add_subcommand("up", "Create and start containers");
  cmd->add_flag("-d,--detach", f->detach, "Detached mode: run containers in the background");
  cmd->add_flag("--no-start", f->no_start, "Don't start the services after creating them");
  cmd->add_flag("--force-recreate", f->force_recreate,
                "Recreate containers even if their configuration hasn't changed");
  cmd->add_flag("--no-recreate", f->no_recreate, "If containers already exist, don't recreate them");
  cmd->add_flag("--remove-orphans", f->remove_orphans,
                "Remove containers for services not defined in the Compose file");
  cmd->add_flag("--no-deps", f->no_deps, "Don't start linked services");
  cmd->add_flag("--wait", f->wait, "Wait for services to be running|healthy. Implies detached mode");
  cmd->add_option("--wait-timeout", f->wait_timeout,
                  "Maximum duration in seconds to wait for the project to be running|healthy");
  cmd->add_option("--scale", f->scale, "Scale SERVICE to NUM instances (SERVICE=NUM)")->allow_extra_args(false);
  cmd->add_option("-t,--timeout", f->timeout, "Use this timeout in seconds for container shutdown");
  cmd->add_flag("--build", f->build, "Build images before starting containers");
  cmd->add_flag("--no-build", f->no_build, "Don't build an image, even if it's policy");
  cmd->add_option("--pull", f->pull, "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")");
  cmd->add_flag("--quiet-pull", f->quiet_pull, "Pull without printing progress information");
  cmd->add_flag("--quiet-build", f->quiet_build, "Suppress the build output");
  cmd->add_flag("--abort-on-container-exit", f->abort_on_exit,
                "Stops all containers if any container was stopped. Incompatible with -d");
  cmd->add_flag("--abort-on-container-failure", f->abort_on_failure,
                "Stops all containers if any container exited with failure. Incompatible with -d");
  cmd->add_flag("--always-recreate-deps", f->always_recreate_deps,
                "Recreate dependent containers. Incompatible with --no-recreate.");
  cmd->add_option("--attach", f->attach,
                  "Restrict attaching to the specified services. Incompatible with --attach-dependencies.")
      ->allow_extra_args(false);
  cmd->add_flag("--attach-dependencies", f->attach_dependencies,
                "Automatically attach to log output of dependent services");
  cmd->add_option("--no-attach", f->no_attach, "Do not attach (stream logs) to the specified services")
      ->allow_extra_args(false);
  cmd->add_flag("--menu", f->menu,
                "Enable interactive shortcuts when running attached. Incompatible with --detach. Can also be "
                "enable/disable by setting COMPOSE_MENU environment var.");
  cmd->add_flag("-w,--watch", f->watch, "Watch source code and rebuild/refresh containers when files are updated.");
  cmd->add_flag("-y,--yes", f->yes, "Assume \"yes\" as answer to all prompts and run non-interactively");
  cmd->add_option("--exit-code-from", f->exit_code_from, "Return the exit code of the selected service container");
  cmd->add_flag("--no-color", f->no_color, "Produce monochrome output");
  cmd->add_flag("--no-log-prefix", f->no_log_prefix, "Don't print prefix in logs");
  cmd->add_flag("--timestamps", f->timestamps, "Show timestamps");
  cmd->add_flag("-V,--renew-anon-volumes", f->renew_anon,
                "Recreate anonymous volumes instead of retrieving data from the previous containers");
  cmd->add_option("services", f->services, "Services to start (and their dependencies)");
  cmd->callback([&g, &result, f] { result.exit_code = run_up(g, *f); });
}

}  // namespace berth::cli
