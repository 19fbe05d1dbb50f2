// `berth pull [SERVICE...]`: the project's images from their registries, all services in
// parallel, as `docker compose pull` (-q, --ignore-pull-failures, --include-deps, --policy,
// --ignore-buildable).
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/image_pull.hpp"
#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/progress/progress.hpp"

namespace berth::cli {

namespace {

struct PullFlags {
  bool quiet = false, ignore_failures = false, include_deps = false, ignore_buildable = false;
  std::string policy;  ///< --policy: missing | always; none = pull every image (docker compose pull)
  std::vector<std::string> services;
};

void run_pull(const GlobalOptions& g, const PullFlags& f) {
  if (!f.policy.empty() && f.policy != "missing" && f.policy != "always")
    throw std::runtime_error("invalid --policy value \"" + f.policy + "\": expected missing or always");
  loader::Project project = loader::load_project(load_options(g, f.services));
  progress::Progress progress(progress::progress_mode(g.progress), std::cerr, false);
  for (const auto& w : project.warnings) progress.warning(w);
  engine::ImagePullOptions o;
  o.policy = f.policy;                 // --policy overrides every service's pull_policy
  o.explicit_pull = f.policy.empty();  // else: pull_policy missing/if_not_present pull anyway
  o.services = f.services;
  if (f.include_deps && !f.services.empty()) {
    auto all = model::with_dependencies(model::dependency_map(project.model), f.services);
    o.services.assign(all.begin(), all.end());
  }
  o.ignore_failures = f.ignore_failures;
  o.ignore_buildable = f.ignore_buildable;
  o.quiet = f.quiet;
  o.parallel = g.parallel;
  o.environment = load_options(g).os_environment;
  if (g.dry_run) return;
  image::ImageStore store(g.root);
  engine::pull_images(project.model, store, progress, o);
}

}  // namespace

void register_pull(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<PullFlags>();
  auto* cmd = app.add_subcommand("pull", "Pull service images");
  cmd->add_flag("-q,--quiet", f->quiet, "Pull without printing progress information");
  cmd->add_flag("--ignore-pull-failures", f->ignore_failures, "Pull what it can and ignores images with pull failures");
  cmd->add_flag("--include-deps", f->include_deps, "Also pull services declared as dependencies");
  cmd->add_flag("--ignore-buildable", f->ignore_buildable, "Ignore images that can be built");
  cmd->add_option("--policy", f->policy, "Apply pull policy (\"missing\"|\"always\")");
  cmd->add_option("services", f->services, "Services to pull (default: all)");
  cmd->callback([f, &g] { run_pull(g, *f); });
}

}  // namespace berth::cli
