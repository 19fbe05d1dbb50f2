#pragma once
// `berth push [SERVICE...]`: the images of a project's services into their registries, as
// `docker compose push` does: only services that are built and named (`build:` and `image:`;
// the others are "Skipped"), each `image:` and `build.tags` name pushed once, all in parallel.
// Progress is docker compose's: one line per layer, "Pushing <image>: <layer>  Pushed".
#include <map>
#include <string>
#include <vector>

#include "compose/image/store.hpp"
#include "compose/model/project.hpp"
#include "compose/progress/progress.hpp"

namespace berth::engine {

struct ImagePushOptions {
  std::vector<std::string> services;               ///< the services to push for (empty = all)
  bool ignore_failures = false;                    ///< --ignore-push-failures: report and go on
  bool quiet = false;                              ///< -q: no progress
  std::map<std::string, std::string> environment;  ///< for the registry config and credentials
};

/// One name to push, and the (first) service that has it.
struct PushJob {
  std::string service;
  image::Reference ref;
};

/// The names `berth push` pushes, in service order, each once; `skipped` gets the services that
/// have none (no `build:` or no `image:`). Throws std::runtime_error naming the service for a
/// name that is not a valid reference.
std::vector<PushJob> push_jobs(const model::Project& project, const std::vector<std::string>& services,
                               std::vector<std::string>& skipped);

/// Pushes the images of `project`'s services as the options say. Throws std::runtime_error with
/// the first failure (unless ignore_failures: then each is reported and the rest still pushed).
void push_images(const model::Project& project, image::ImageStore& store, progress::Progress& progress,
                 const ImagePushOptions& options);

}  // namespace berth::engine
