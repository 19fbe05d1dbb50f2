// `berth push [SERVICE...]` (docker compose push: -q, --ignore-push-failures, --include-deps)
// and `berth image push [-q] NAME[:TAG]` (docker push's output: "The push refers to
// repository [...]", a line per layer status, "<tag>: digest: sha256:... size: N").
#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/image_push.hpp"
#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/progress/progress.hpp"
#include "compose/registry/push.hpp"

namespace berth::cli {

namespace {

struct PushFlags {
  bool quiet = false, ignore_failures = false, include_deps = false;
  std::vector<std::string> services;
};

void run_push(const GlobalOptions& g, const PushFlags& f) {
  loader::Project project = loader::load_project(load_options(g, f.services));
  progress::Progress progress(progress::progress_mode(g.progress), std::cerr, false);
  for (const auto& w : project.warnings) progress.warning(w);
  engine::ImagePushOptions o;
  o.services = f.services;
  if (f.include_deps && !f.services.empty()) {
    auto all = model::with_dependencies(model::dependency_map(project.model), f.services);
    o.services.assign(all.begin(), all.end());
  }
  o.ignore_failures = f.ignore_failures;
  o.quiet = f.quiet;
  o.environment = load_options(g).os_environment;
  if (g.dry_run) return;
  image::ImageStore store(g.root);
  engine::push_images(project.model, store, progress, o);
}

struct ImagePushArgs {
  std::string name;
  bool quiet = false;
};

/// `image push`: docker push's lines on stdout, as it prints them when stdout is not a terminal:
/// "Pushing" carries a progress bar there and is left out, as `image pull` leaves out
/// "Downloading". With -q only the pushed reference, at the end.
void push_image(const GlobalOptions& g, const ImagePushArgs& a) {
  const image::Reference ref = image::parse_reference(a.name);
  const std::map<std::string, std::string> env = load_options(g).os_environment;
  image::ImageStore store(g.root);
  registry::Pusher pusher(store, registry::load_config(env),
                          registry::CredentialStore(registry::docker_config_path(env)));
  registry::PushOptions po;
  po.on_event = [&](const registry::PushEvent& e) {
    if (a.quiet || e.status == "Pushing") return;
    std::cout << (e.id.empty() ? e.status : e.id + ": " + e.status) << "\n" << std::flush;
  };
  pusher.push(ref, po);
  if (a.quiet) std::cout << ref.str() << "\n";
}

}  // namespace

void register_push(CLI::App& app, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<PushFlags>();
  auto* cmd = app.add_subcommand("push", "Push service images");
  cmd->add_flag("-q,--quiet", f->quiet, "Push without printing progress information");
  cmd->add_flag("--ignore-push-failures", f->ignore_failures, "Push what it can and ignores images with push failures");
  cmd->add_flag("--include-deps", f->include_deps, "Also push images of services declared as dependencies");
  cmd->add_option("services", f->services, "Services to push (default: all)");
  cmd->callback([f, &g] { run_push(g, *f); });
}

void register_image_push(CLI::App& image, const GlobalOptions& g) {
  auto a = std::make_shared<ImagePushArgs>();
  auto* cmd = image.add_subcommand("push", "Upload an image to a registry");
  cmd->add_option("name", a->name, "NAME[:TAG]")->required();
  cmd->add_flag("-q,--quiet", a->quiet, "Suppress verbose output");
  cmd->callback([&g, a] { push_image(g, *a); });
}

}  // namespace berth::cli
