#pragma once
// The project as the engine works on it: the loaded model, each service's image record and
// config hash, the desired state for the planner and the dependency map for the executor.
// Built before anything is created, so a missing image or a dependency cycle fails `up` with
// nothing made.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/image/store.hpp"
#include "compose/loader/load.hpp"
#include "compose/model/project.hpp"
#include "compose/plan/diff.hpp"

namespace berth::project {

struct ProjectContext {
  loader::Project loaded;                            ///< the loader's output: the typed model and where it came from
  std::map<std::string, image::ImageRecord> images;  ///< by service
  plan::DesiredState desired;
  plan::DependencyMap dependencies;
};

/// Builds the context. `scale` overrides replica counts (--scale svc=n). Images are resolved
/// for `services` (empty = all) in the store (up/create/run have pulled before); a missing one
/// throws "service \"x\": no such image: ..." (unless !require_images: stop, down, ps need none).
/// Networks and volumes no service uses are left out of the desired state, as docker compose
/// leaves them out of the project, unless `all_resources` (--all-resources).
/// Throws on a dependency cycle ("a -> b -> a").
ProjectContext make_context(loader::Project loaded, const image::ImageStore& images,
                            const std::map<std::string, int>& scale = {}, const std::vector<std::string>& services = {},
                            bool require_images = true, bool all_resources = false);

/// The replica count of a service: --scale, else deploy.replicas, else scale, else 1.
int replicas(const model::Service& svc, const std::map<std::string, int>& scale);

/// The service's networks in attach order (priority high to low, then name) — eth0, eth1, ...
std::vector<std::string> network_order(const model::Service& svc);

/// True when the service gets a network namespace of its own wired to bridges.
bool uses_bridge_networks(const model::Service& svc);

}  // namespace berth::project
