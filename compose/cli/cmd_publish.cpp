// `berth publish [OPTIONS] REPOSITORY[:TAG]` (and `alpha publish`): the compose application as an
// OCI artifact, as docker compose publishes it — its refusals and prompts first
// (compose/engine/compose_publish), the services' built images pushed, then the artifact
// (compose/registry/compose_artifact). A declined prompt ends it with exit code 130, as docker
// compose's "canceled"; without a terminal the prompt reads one line of standard input (none, or
// not a yes, declines), as its pipe prompt does; -y answers yes. --app also copies every service's
// image into the repository, under an index whose subject is the artifact.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "compose/cli/commands.hpp"
#include "compose/engine/compose_publish.hpp"
#include "compose/engine/image_digests.hpp"
#include "compose/engine/image_push.hpp"
#include "compose/image/store.hpp"
#include "compose/progress/progress.hpp"
#include "compose/registry/compose_artifact.hpp"

namespace berth::cli {

namespace {

struct PublishFlags {
  bool resolve_image_digests = false, with_env = false, yes = false, app = false;
  std::string oci_version;
  std::string repository;
};

/// docker compose's utils.StringToBool: "y", or what strconv.ParseBool takes as true.
bool answer_is_yes(std::string answer) {
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
  while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.front()))) answer.erase(0, 1);
  for (auto& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "1" || answer == "t" || answer == "true";
}

/// The question on standard output, one line of standard input as the answer (default no).
bool confirm(const std::string& message) {
  if (::isatty(STDIN_FILENO) == 1)
    std::cout << "? " << message << " (y/N) " << std::flush;
  else
    std::cout << message << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (::isatty(STDIN_FILENO) != 1) std::cout << "\n";
  return answer_is_yes(answer);
}

int run_publish(const GlobalOptions& g, const PublishFlags& f) {
  if (!f.oci_version.empty() && f.oci_version != "1.0" && f.oci_version != "1.1")
    throw std::runtime_error("unsupported OCI version: " + f.oci_version);
  const image::Reference ref = image::parse_reference(f.repository);
  loader::LoadOptions lo = load_options(g);
  lo.profiles.push_back("*");  // every service is published, whatever its profiles
  loader::Project project = loader::load_project(lo);
  if (engine::has_local_include(project.config_files))
    throw std::runtime_error("cannot publish compose file with local includes");
  if (std::string refusal = engine::build_only_refusal(project.model); !refusal.empty())
    throw std::runtime_error(refusal);
  for (const auto& message : engine::publish_prompts(project, f.with_env))
    if (!f.yes && !confirm(message)) return 130;

  progress::Progress progress(progress::progress_mode(g.progress), std::cerr, false);
  for (const auto& w : project.warnings) progress.warning(w);
  if (!g.dry_run) {  // the images the application names and builds, as `push` pushes them
    image::ImageStore store(g.root);
    engine::ImagePushOptions po;
    po.ignore_failures = true;
    po.environment = lo.os_environment;
    engine::push_images(project.model, store, progress, po);
  }
  std::map<std::string, std::string> pinned;
  if (f.resolve_image_digests || f.app) pinned = engine::resolve_image_digests(project.model, lo.os_environment);
  const std::vector<registry::ArtifactLayer> layers = engine::publish_layers(project, f.with_env, pinned);
  progress.event("", f.repository, "publishing");
  if (!g.dry_run) {
    const registry::Config config = registry::load_config(lo.os_environment);
    const registry::CredentialStore credentials(registry::docker_config_path(lo.os_environment));
    const registry::ArtifactPushResult pushed =
        registry::push_compose_artifact(ref, layers, f.oci_version, config, credentials);
    if (f.app) {  // the services' images beside it, under an index whose subject is the artifact
      std::vector<image::Reference> images;
      for (const auto& [name, svc] : project.model.services) images.push_back(image::parse_reference(svc.image));
      registry::push_application_index(ref, pushed, images, config, credentials);
    }
  }
  progress.event("", f.repository, "published");
  return 0;
}

}  // namespace

void register_publish(CLI::App& app, const GlobalOptions& g, CommandResult& result) {
  auto f = std::make_shared<PublishFlags>();
  auto* cmd = app.add_subcommand("publish", "Publish compose application");
  cmd->add_option("repository", f->repository, "REPOSITORY[:TAG]")->required();
  cmd->add_flag("--resolve-image-digests", f->resolve_image_digests, "Pin image tags to digests");
  cmd->add_option("--oci-version", f->oci_version,
                  "OCI image/artifact specification version (automatically determined by default)");
  cmd->add_flag("--with-env", f->with_env, "Include environment variables in the published OCI artifact");
  cmd->add_flag("-y,--yes", f->yes, "Assume \"yes\" as answer to all prompts");
  cmd->add_flag("--app", f->app, "Published compose application (includes referenced images)");
  cmd->callback([&g, &result, f] { result.exit_code = run_publish(g, *f); });
}

}  // namespace berth::cli
