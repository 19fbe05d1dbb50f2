#pragma once
// Building a project's images, as `docker compose build` and `up` do: every service with
// `build:` becomes a build request (context, dockerfile or dockerfile_inline, args, target,
// labels, tags, network, no_cache, pull, extra_hosts, shm_size, secrets, platforms), named by its
// `image:` or `<project>-<service>`; services are built in parallel, each image once when
// several services share it. `up`/`create`/`run` build only what is missing (or everything with
// --build, or `pull_policy: build`), before the project context is made, so the containers get
// the new image and its config hash.
#include <map>
#include <string>
#include <vector>

#include "compose/build/build_progress.hpp"
#include "compose/model/project.hpp"
#include "compose/progress/progress.hpp"

namespace berth::engine {

struct ImageBuildOptions {
  std::vector<std::string> services;  ///< empty = every service with `build:`
  bool only_missing = false;          ///< up/create/run: only images the store lacks (or pull_policy build)
  bool no_cache = false;
  bool pull = false;
  bool quiet = false;
  int parallel = -1;                               ///< --parallel: at most this many builds at once (<= 0: all at once)
  std::map<std::string, std::string> build_args;   ///< --build-arg KEY=VAL (KEY alone: from the environment)
  std::map<std::string, std::string> environment;  ///< the process environment (args, registry settings)
  std::string root;
  std::string run;
};

/// Builds as the options say. Returns the services built. Throws std::runtime_error naming the
/// service ("service \"web\": Dockerfile:3: ...") for the first failure; the other builds finish
/// (or fail) first.
std::vector<std::string> build_images(const model::Project& project, progress::Progress& progress,
                                      build::BuildProgress& output, const ImageBuildOptions& options);

}  // namespace berth::engine
