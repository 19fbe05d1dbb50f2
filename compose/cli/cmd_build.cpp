// `berth build [SERVICE...]` (docker compose build: --build-arg, --no-cache, --pull, -q,
// --with-dependencies, and the BuildKit-only flags accepted with a note) and `berth builder
// prune` (the step cache, cache mounts and the build network).
#include <iostream>
#include <memory>

#include "compose/build/builder.hpp"
#include "compose/cli/commands.hpp"
#include "compose/engine/image_build.hpp"
#include "compose/engine/image_push.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/progress/progress.hpp"
#include "compose/state/paths.hpp"

namespace berth::cli {

namespace {

struct BuildFlags {
  std::vector<std::string> build_args, services;
  bool no_cache = false, pull = false, quiet = false, with_deps = false, push = false, check = false, print = false;
  std::string builder, provenance, sbom, ssh, memory;
};

void run_build(const GlobalOptions& g, const BuildFlags& f) {
  loader::Project project = loader::load_project(load_options(g, f.services));
  progress::Progress progress(progress::progress_mode(g.progress), std::cerr, false);
  for (const auto& w : project.warnings) progress.warning(w);
  for (const auto& s : f.services)
    if (!project.model.services.count(s)) throw std::runtime_error("no such service: " + s);
  if (!f.builder.empty() || !f.provenance.empty() || !f.sbom.empty() || !f.ssh.empty() || !f.memory.empty())
    progress.warning("--builder, --memory, --provenance, --sbom and --ssh do not apply to Berth's builder: ignored");
  if (f.print || f.check)
    throw std::runtime_error(
        "build: --print and --check need BuildKit's bake and lint frontends, which Berth does not have");
  engine::ImageBuildOptions o;
  o.services = f.services;
  if (f.with_deps && !f.services.empty()) {
    auto all = model::with_dependencies(model::dependency_map(project.model), f.services);
    o.services.assign(all.begin(), all.end());
  }
  o.no_cache = f.no_cache;
  o.pull = f.pull;
  o.quiet = f.quiet;
  o.environment = load_options(g).os_environment;
  for (const auto& a : f.build_args) {
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      o.build_args[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (auto it = o.environment.find(a); it != o.environment.end()) {
      o.build_args[a] = it->second;  // --build-arg KEY: the value from the environment, as docker
    }
  }
  state::Paths paths = state::Paths::for_root(g.root);
  o.root = paths.root;
  o.run = paths.run;
  o.parallel = g.parallel;
  if (g.dry_run) return;
  build::BuildProgress output(std::cerr, f.quiet || g.progress == "quiet");
  std::vector<std::string> built = engine::build_images(project.model, progress, output, o);
  if (f.push && !built.empty()) {
    engine::ImagePushOptions push;
    push.services = built;
    push.quiet = f.quiet;
    push.environment = o.environment;
    image::ImageStore store(paths.root);
    engine::push_images(project.model, store, progress, push);
  }
  progress.finish();
}

}  // namespace

void register_build(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<BuildFlags>();
  auto* cmd = app.add_subcommand("build", "Build or rebuild services");
  cmd->add_option("--build-arg", f->build_args, "Set build-time variables for services");
  cmd->add_option("--builder", f->builder, "Set builder to use");
  cmd->add_flag("--check", f->check, "Check build configuration");
  cmd->add_option("-m,--memory", f->memory, "Set memory limit for the build container. Not supported by BuildKit.");
  cmd->add_flag("--no-cache", f->no_cache, "Do not use cache when building the image");
  cmd->add_flag("--print", f->print, "Print equivalent bake file");
  cmd->add_option("--provenance", f->provenance, "Add a provenance attestation");
  cmd->add_flag("--pull", f->pull, "Always attempt to pull a newer version of the image");
  cmd->add_flag("--push", f->push, "Push service images");
  cmd->add_flag("-q,--quiet", f->quiet, "Suppress the build output");
  cmd->add_option("--sbom", f->sbom, "Add a SBOM attestation");
  cmd->add_option("--ssh", f->ssh, "Set SSH authentications used when building service images");
  cmd->add_flag("--with-dependencies", f->with_deps, "Also build dependencies (transitively)");
  cmd->add_option("services", f->services, "Services to build (default: all with a build section)");
  cmd->callback([f, &g] { run_build(g, *f); });
}

void register_builder(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto* builder = app.add_subcommand("builder", "Manage Berth's build cache");
  builder->require_subcommand(1);
  auto* prune = builder->add_subcommand("prune", "Remove the build cache");
  auto flags = std::make_shared<std::pair<bool, bool>>();
  prune->add_flag("-f,--force", flags->first, "Do not prompt for confirmation (there is no prompt)");
  prune->add_flag("-a,--all", flags->second, "Remove all build cache (the default here)");
  prune->callback([&g, flags] {
    state::Paths paths = state::Paths::for_root(g.root);
    std::uint64_t freed = build::prune_build_cache({paths.root, paths.run, {}});
    std::cout << "Total:\t" << gocompat::human_size(freed) << "\n";
  });
}

}  // namespace berth::cli
