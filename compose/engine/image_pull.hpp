#pragma once
// Getting a project's images from their registries before anything is created: `berth pull`,
// and `up`/`create`/`run`, which pull what the policy asks for first (so a failed pull leaves
// nothing of the project made). The policy is `--pull` when given, else each service's
// `pull_policy`: always | missing (default; also if_not_present) | never | build | daily |
// weekly | every_<duration>; the periodic ones compare with the time of the last pull, kept in
// <root>/image-pulls.json. Services share pulls of the same image, and different images are
// pulled in parallel. Progress is docker compose's: "web Pulling", its layers, "web Pulled".
#include <map>
#include <string>
#include <vector>

#include "compose/image/store.hpp"
#include "compose/model/project.hpp"
#include "compose/progress/progress.hpp"

namespace berth::engine {

struct ImagePullOptions {
  std::string policy;                              ///< --pull ("" = each service's pull_policy)
  std::vector<std::string> services;               ///< the services to pull for (empty = all)
  bool ignore_failures = false;                    ///< --ignore-pull-failures: warn and go on
  bool ignore_buildable = false;                   ///< --ignore-buildable: skip services with `build:`
  bool explicit_pull = false;                      ///< `berth pull`: "missing" means pull anyway (docker compose pull)
  bool quiet = false;                              ///< --quiet-pull / pull -q: no progress
  int parallel = -1;                               ///< --parallel: at most this many pulls at once (<= 0: all)
  std::map<std::string, std::string> environment;  ///< for the registry config and credentials
};

/// Pulls the images of `project`'s services as the options say. Throws std::runtime_error naming
/// the service and the registry's answer for the first failure (unless ignore_failures).
void pull_images(const model::Project& project, image::ImageStore& store, progress::Progress& progress,
                 const ImagePullOptions& options);

/// True when `policy` ("" counts as missing) says to pull `image` now. `last_pull` is the unix
/// time of its last pull (0 = never), `present` whether the store has it. Throws
/// std::invalid_argument for an unknown policy.
bool pull_needed(const std::string& policy, bool present, long long last_pull, long long now);

}  // namespace berth::engine
