// `berth push [SERVICE...]` (docker compose push: -q, --ignore-push-failures, --include-deps)
// and `berth image push [-q] [-a] NAME[:TAG]` (docker push's output: "The push refers to
// repository [...]", a line per layer status, "<tag>: digest: sha256:... size: N"; with
// --all-tags every tag of the repository, in name order, stopping at the first failure).
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string_view>

#include "compose/cli/commands.hpp"
#include "compose/engine/image_push.hpp"
#include "compose/image/platform.hpp"
#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/progress/json_message.hpp"
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
  std::string platform;
  bool quiet = false;
  bool all_tags = false;
};

/// Whether `text` names a repository only, no tag or digest (docker's reference.IsNameOnly):
/// parse_reference() fills in "latest", so the text itself is looked at.
bool names_repository_only(std::string_view text) {
  if (text.find('@') != std::string_view::npos) return false;
  const auto slash = text.rfind('/');
  return text.find(':', slash == std::string_view::npos ? 0 : slash + 1) == std::string_view::npos;
}

/// `--all-tags`: every tag of `repo`'s repository in the store, sorted as docker's reference
/// store lists them. Throws docker's error when there is none.
std::vector<image::Reference> repository_tags(const image::ImageStore& store, const image::Reference& repo) {
  std::vector<image::Reference> tags;
  for (const auto& row : store.list())
    if (row.name && !row.name->digest && row.name->name() == repo.name()) tags.push_back(*row.name);
  if (tags.empty()) throw std::runtime_error("An image does not exist locally with the tag: " + repo.familiar_name());
  std::sort(tags.begin(), tags.end(), [](const auto& a, const auto& b) { return a.str() < b.str(); });
  return tags;
}

/// `image push --platform`: the store keeps one platform's manifest per name, so that image is what
/// goes up; one of another platform is refused with docker's words.
void check_platform(const image::ImageStore& store, const image::Reference& ref, const image::Platform& wanted) {
  const std::optional<image::ImageRecord> image = store.resolve(ref);
  if (!image) return;  // the push names what is missing
  const nlohmann::json& c = image->config;
  const nlohmann::json descriptor = {{"platform",
                                      {{"os", c.value("os", "")},
                                       {"architecture", c.value("architecture", "")},
                                       {"variant", c.value("variant", "")}}}};
  if (image::platform_matches(descriptor, wanted)) return;
  const image::Platform actual{c.value("os", ""), c.value("architecture", ""), c.value("variant", "")};
  throw std::runtime_error("image with reference " + ref.familiar() +
                           " was found but does not match the specified platform: wanted " + wanted.str() +
                           ", actual: " + actual.str());
}

/// `image push`: docker push's lines on stdout; on a terminal each layer's line is live, with its
/// "Pushing" bar (left out otherwise, as docker does). With -q only the pushed reference, at the end.
void push_image(const GlobalOptions& g, const ImagePushArgs& a) {
  const image::Reference ref = image::parse_reference(a.name);
  if (a.all_tags && !names_repository_only(a.name)) throw std::runtime_error("tag can't be used with --all-tags/-a");
  const std::map<std::string, std::string> env = load_options(g).os_environment;
  image::ImageStore store(g.root);
  const std::vector<image::Reference> refs = a.all_tags ? repository_tags(store, ref) : std::vector{ref};
  registry::Pusher pusher(store, registry::load_config(env),
                          registry::CredentialStore(registry::docker_config_path(env)));
  registry::PushOptions po;
  bool named_repository = false;
  progress::JsonMessageDisplay display(std::cout, ::isatty(STDOUT_FILENO) == 1,
                                       progress::terminal_width(STDOUT_FILENO));
  po.on_event = [&](const registry::PushEvent& e) {
    if (a.quiet) return;
    if (e.id.empty() && e.status.rfind("The push refers to repository", 0) == 0) {
      if (named_repository) return;  // docker says it once for all the tags
      named_repository = true;
    }
    display.show(e.id, e.status, e.current, e.total);
  };
  const std::optional<image::Platform> wanted =
      a.platform.empty() ? std::nullopt : std::optional(image::parse_platform(a.platform));
  for (const auto& r : refs) {
    if (wanted) check_platform(store, r, *wanted);
    pusher.push(r, po);
  }
  if (a.quiet) std::cout << (a.all_tags ? ref.name() : ref.str()) << "\n";
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
  cmd->add_flag("-a,--all-tags", a->all_tags, "Push all tags of an image to the repository");
  cmd->add_option(
      "--platform", a->platform,
      "Push a platform-specific manifest as a single-platform image to the registry ('os[/arch[/variant]]')");
  cmd->add_flag("-q,--quiet", a->quiet, "Suppress verbose output");
  cmd->callback([&g, a] { push_image(g, *a); });
}

}  // namespace berth::cli
