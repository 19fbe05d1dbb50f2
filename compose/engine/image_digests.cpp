// Pinning images to digests: one manifest request per distinct image, through the same endpoints
// (mirrors first), credentials and errors as a pull.
#include "compose/engine/image_digests.hpp"

#include <stdexcept>

#include "compose/image/reference.hpp"
#include "compose/registry/pull.hpp"

namespace berth::engine {

std::map<std::string, std::string> resolve_image_digests(const model::Project& project,
                                                         const std::map<std::string, std::string>& environment) {
  const registry::Config config = registry::load_config(environment);
  const registry::CredentialStore credentials(registry::docker_config_path(environment));
  std::map<std::string, std::string> pinned, by_image;
  for (const auto& [name, svc] : project.services) {
    if (svc.image.empty()) continue;
    if (auto known = by_image.find(svc.image); known != by_image.end()) {
      pinned[name] = known->second;
      continue;
    }
    try {
      image::Reference ref = image::parse_reference(svc.image);
      if (!ref.digest) ref.digest = registry::resolve_digest(ref, config, credentials);
      pinned[name] = by_image[svc.image] = ref.str();
    } catch (const std::exception& e) {
      throw std::runtime_error("service \"" + name + "\": resolve image digest: " + e.what());
    }
  }
  return pinned;
}

}  // namespace berth::engine
