// Session setup shared by the project commands (up, down, ps, stop, ...).
#include "compose/engine/session.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "compose/image/store.hpp"
#include "compose/loader/diagnostics.hpp"
#include "compose/model/dependencies.hpp"

namespace berth::engine {

std::pair<std::string, int> parse_scale(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::runtime_error("invalid --scale value \"" + text + "\": expected SERVICE=NUM");
  try {
    size_t used = 0;
    int n = std::stoi(text.substr(eq + 1), &used);
    if (used == text.size() - eq - 1 && n >= 0) return {text.substr(0, eq), n};
  } catch (const std::exception&) {
  }
  throw std::runtime_error("invalid --scale value \"" + text + "\": expected SERVICE=NUM");
}

bool progress_color(const std::string& ansi) {
  const char* no_color = std::getenv("NO_COLOR");
  return ansi == "always" || (ansi == "auto" && ::isatty(2) && !(no_color && *no_color));
}

Session open_session(const SessionOptions& options) {
  Session s;
  s.paths = state::Paths::for_root(options.root);
  s.progress = std::make_unique<progress::Progress>(progress::progress_mode(options.progress), std::cerr,
                                                    progress_color(options.ansi));
  std::unique_ptr<project::ProjectContext> ctx;
  std::string project;
  try {
    loader::Project loaded = loader::load_project(options.load);
    for (const auto& w : loaded.warnings) s.progress->warning(w);
    if (options.build_watched)
      for (auto& [name, svc] : loaded.model.services)
        if (svc.build && svc.develop) svc.pull_policy = "build";
    project = loaded.name;
    std::vector<std::string> services = options.services;
    if (!services.empty() && options.pull_dependencies) {
      auto wanted = model::with_dependencies(model::dependency_map(loaded.model), options.services);
      services.assign(wanted.begin(), wanted.end());
    }
    if (options.pull) {
      ImagePullOptions pull = *options.pull;
      pull.services = services;
      pull.environment = options.load.os_environment;
      pull.parallel = options.parallel;
      // Images of services with `build:` are built when missing, not pulled (docker compose).
      pull.ignore_buildable = pull.ignore_buildable || options.build.has_value();
      image::ImageStore store(s.paths.root);
      pull_images(loaded.model, store, *s.progress, pull);
    }
    if (options.build) {
      ImageBuildOptions build = *options.build;
      build.services = services;
      build.environment = options.load.os_environment;
      build.root = s.paths.root;
      build.run = s.paths.run;
      build.parallel = options.parallel;
      build::BuildProgress output(std::cerr, build.quiet || options.progress == "quiet");
      build_images(loaded.model, *s.progress, output, build);
    }
    ctx = std::make_unique<project::ProjectContext>(
        project::make_context(std::move(loaded), image::ImageStore(s.paths.root), options.scale, options.services,
                              options.require_images, options.all_resources));
    if (options.compatibility) ctx->desired.separator = "_";
  } catch (const loader::LoadError&) {
    // No compose file: work from the recorded state of the project named by -p or, as docker
    // compose does, COMPOSE_PROJECT_NAME.
    std::optional<std::string> name = options.load.project_name;
    if (auto env = options.load.os_environment.find("COMPOSE_PROJECT_NAME");
        !name && env != options.load.os_environment.end() && !env->second.empty())
      name = env->second;
    if (options.require_model || !name || !options.load.files.empty()) throw;
    project = *name;
  }
  s.engine = std::make_unique<Engine>(s.paths, project, *s.progress, std::move(ctx));
  s.engine->set_parallel(options.parallel);
  return s;
}

}  // namespace berth::engine
