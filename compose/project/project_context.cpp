// From a loaded project to what the planner and executor need. The config hash is docker
// compose's (model::service_config_hash) plus the image id, so a re-tagged image also
// recreates the service, as `docker compose up` does after a pull.
#include "compose/project/project_context.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "compose/gocompat/sha256.hpp"
#include "compose/model/config_hash.hpp"
#include "compose/model/dependencies.hpp"
#include "compose/model/service_image.hpp"

namespace berth::project {

int replicas(const model::Service& svc, const std::map<std::string, int>& scale) {
  if (auto it = scale.find(svc.name); it != scale.end()) return it->second;
  if (svc.deploy && svc.deploy->replicas) return static_cast<int>(*svc.deploy->replicas);
  if (svc.scale) return static_cast<int>(*svc.scale);
  return 1;
}

std::vector<std::string> network_order(const model::Service& svc) {
  std::vector<std::pair<std::int64_t, std::string>> nets;
  for (const auto& [key, cfg] : svc.networks) nets.emplace_back(cfg ? cfg->priority : 0, key);
  std::sort(nets.begin(), nets.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::vector<std::string> out;
  for (auto& [p, key] : nets) out.push_back(key);
  return out;
}

bool uses_bridge_networks(const model::Service& svc) {
  const auto& nm = svc.network_mode;
  return nm.empty() || nm == "bridge" || nm == "default";
}

ProjectContext make_context(loader::Project loaded, const image::ImageStore& images,
                            const std::map<std::string, int>& scale, const std::vector<std::string>& services,
                            bool require_images, bool all_resources) {
  ProjectContext ctx;
  ctx.loaded = std::move(loaded);
  const model::Project& typed = ctx.loaded.model;
  ctx.dependencies = model::dependency_map(typed);
  if (auto cycle = model::find_cycle(ctx.dependencies))
    throw std::runtime_error("dependency cycle detected: " + model::format_cycle(*cycle));
  ctx.desired.project = ctx.loaded.name;

  for (const auto& [key, n] : typed.networks)
    if (!n.external) {
      ctx.desired.networks.push_back(key);
      ctx.desired.network_hashes[key] = model::network_config_hash(typed, key);
    }
  for (const auto& [key, v] : typed.volumes)
    if (!v.external) ctx.desired.volumes.push_back(key);
  for (const auto& [name, n] : scale)
    if (!typed.services.count(name)) throw std::runtime_error("no such service: " + name);

  plan::UpOptions sel;
  sel.services = services;
  for (const auto& [name, svc] : typed.services) {
    plan::DesiredService d;
    d.name = name;
    d.replicas = replicas(svc, scale);
    d.container_name = svc.container_name;
    if (uses_bridge_networks(svc))
      for (const auto& key : network_order(svc)) d.networks.insert(key);
    d.dependencies = ctx.dependencies[name];
    ctx.desired.services[name] = d;
  }
  // Networks and volumes services use: docker compose leaves the others out of the project
  // (compose-go's WithoutUnnecessaryResources) unless --all-resources.
  std::set<std::string> used, used_volumes;
  for (const auto& [name, svc] : typed.services) {
    if (uses_bridge_networks(svc))
      for (const auto& key : network_order(svc)) used.insert(key);
    for (const auto& v : svc.volumes)
      if (v.type == "volume" && !v.source.empty()) used_volumes.insert(v.source);
  }
  if (!all_resources) {
    std::erase_if(ctx.desired.networks, [&](const std::string& k) { return !used.count(k); });
    std::erase_if(ctx.desired.volumes, [&](const std::string& k) { return !used_volumes.count(k); });
  }

  const std::set<std::string> selected = plan::selected_services(ctx.desired, sel);
  for (const auto& [name, svc] : typed.services) {
    if (!selected.count(name)) continue;
    if (!require_images) {
      std::optional<image::ImageRecord> record;
      if (auto ref = image::try_parse_reference(model::service_image(typed, name))) record = images.resolve(*ref);
      if (record) ctx.images.emplace(name, std::move(*record));
      continue;
    }
    const std::string wanted = model::service_image(typed, name);
    std::optional<image::ImageRecord> record;
    if (auto ref = image::try_parse_reference(wanted)) record = images.resolve(*ref);
    if (!record) record = images.find(wanted);
    if (!record && svc.build)  // up/create/run built what was missing unless --no-build
      throw std::runtime_error("service \"" + name + "\": no such image: " + wanted +
                               " (it has not been built: `berth build`, or `up` without --no-build)");
    if (!record)  // up/create/run pulled what the policy allows: what is still missing may not be pulled
      throw std::runtime_error(
          "service \"" + name + "\": no such image: " + wanted +
          " (its pull policy does not allow pulling it: `berth pull`, or load it with `berth image load`)");
    ctx.desired.services[name].config_hash =
        gocompat::sha256_hex(model::service_config_hash(typed, name) + record->config_digest.str());
    ctx.images.emplace(name, std::move(*record));
  }
  return ctx;
}

}  // namespace berth::project
