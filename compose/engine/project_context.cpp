// From a loaded project to what the planner and executor need. The config hash is docker
// compose's (model::service_config_hash) plus the image id, so a re-tagged image also
// recreates the service, as `docker compose up` does after a pull.
#include "compose/engine/project_context.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "compose/gofmt/sha256.hpp"
#include "compose/model/config_hash.hpp"
#include "compose/model/json_io.hpp"
#include "compose/plan/graph.hpp"

namespace berth::engine {

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

DependencyMap dependency_map(const nlohmann::json& model_json, const model::Project& model) {
  plan::Graph graph = plan::Graph::from_model(model_json);
  DependencyMap deps;
  const std::vector<std::string> in_graph = graph.services();
  for (const auto& [name, svc] : model.services) {
    auto& mine = deps[name];
    if (std::find(in_graph.begin(), in_graph.end(), name) != in_graph.end())
      for (const auto& dep : graph.dependencies(name)) mine[dep] = plan::Dependency{};
    for (const auto& [dep, d] : svc.depends_on) {
      if (!model.services.count(dep)) continue;
      mine[dep] = plan::Dependency{d.condition.empty() ? "service_started" : d.condition, d.restart, d.required};
    }
    // Joining x's namespaces makes the planner recreate this service whenever x's containers
    // are replaced (docker compose resolves `service:x` to x's container id, so its config
    // hash changes with it). Berth honours only network_mode today; ipc/pid count the same.
    for (const auto& [kind, mode] : {std::pair{"network", &svc.network_mode}, {"ipc", &svc.ipc}, {"pid", &svc.pid}}) {
      if (mode->rfind("service:", 0) != 0) continue;
      const std::string owner = mode->substr(8);
      if (model.services.count(owner) && owner != name) mine[owner].namespaces.insert(kind);
    }
  }
  return deps;
}

ProjectContext make_context(loader::Project loaded, const image::ImageStore& images,
                            const std::map<std::string, int>& scale, const std::vector<std::string>& services,
                            bool require_images) {
  ProjectContext ctx;
  ctx.model = model::project_from_json(loaded.model);
  plan::Graph graph = plan::Graph::from_model(loaded.model);
  if (auto cycle = graph.find_cycle())
    throw std::runtime_error("dependency cycle detected: " + plan::format_cycle(*cycle));
  ctx.dependencies = dependency_map(loaded.model, ctx.model);
  ctx.desired.project = loaded.name;

  for (const auto& [key, n] : ctx.model.networks)
    if (!n.external) ctx.desired.networks.push_back(key);
  for (const auto& [key, v] : ctx.model.volumes)
    if (!v.external) ctx.desired.volumes.push_back(key);
  for (const auto& [name, n] : scale)
    if (!ctx.model.services.count(name)) throw std::runtime_error("no such service: " + name);

  plan::UpOptions sel;
  sel.services = services;
  for (const auto& [name, svc] : ctx.model.services) {
    plan::DesiredService d;
    d.name = name;
    d.replicas = replicas(svc, scale);
    d.container_name = svc.container_name;
    d.dependencies = ctx.dependencies[name];
    ctx.desired.services[name] = d;
  }
  // Networks only services use: docker compose creates every network the selected services
  // join, not unused ones.
  std::set<std::string> used;
  for (const auto& [name, svc] : ctx.model.services)
    if (uses_bridge_networks(svc))
      for (const auto& key : network_order(svc)) used.insert(key);
  std::erase_if(ctx.desired.networks, [&](const std::string& k) { return !used.count(k); });

  const std::set<std::string> selected = plan::selected_services(ctx.desired, sel);
  for (const auto& [name, svc] : ctx.model.services) {
    if (!selected.count(name)) continue;
    if (!require_images) {
      std::optional<image::ImageRecord> record;
      if (auto ref = image::try_parse_reference(svc.image)) record = images.resolve(*ref);
      if (record) ctx.images.emplace(name, std::move(*record));
      continue;
    }
    if (svc.image.empty())
      throw std::runtime_error("service \"" + name + "\" has no image: building is not implemented yet");
    std::optional<image::ImageRecord> record;
    if (auto ref = image::try_parse_reference(svc.image)) record = images.resolve(*ref);
    if (!record) record = images.find(svc.image);
    if (!record)
      throw std::runtime_error(
          "service \"" + name + "\": pull access denied for " + svc.image +
          ", repository does not exist or may require 'docker login' (the image is not in the "
          "local store; pulling is not implemented yet: use `berth image load` or `berth image import`)");
    ctx.desired.services[name].config_hash =
        gofmt::sha256_hex(model::service_config_hash(ctx.model, name) + record->config_digest.str());
    ctx.images.emplace(name, std::move(*record));
  }
  ctx.loaded = std::move(loaded);
  return ctx;
}

}  // namespace berth::engine
