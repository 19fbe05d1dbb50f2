// Normalisation driver: services (see normalize_service.cpp and friends), then the top-level
// resources, then what compose-go's loader.Normalize adds on top of the canonical syntax:
//   - top-level networks/volumes/configs/secrets: null -> {}; the deprecated `external: {name: x}`
//     becomes `name: x` + `external: true` (a different `name` next to it is an error); labels and
//     driver_opts as string maps; `file` of configs/secrets and the `device` of a local volume with
//     `o: bind` made absolute;
//   - the implicit default network: a service with neither `networks` nor `network_mode` (or with an
//     empty `networks`) is attached to `default`, and `networks.default` is declared if any service
//     uses it and it is not declared already (a project whose services all set network_mode, like
//     compose-go's full example, gets none);
//   - implicit dependencies: `links`, `volumes_from` (not container:...) and network_mode/ipc/pid/uts/
//     cgroup "service:x" add x to depends_on (service_started, required; restart true except for
//     volumes_from) unless it is already there;
//   - resource names: a resource without `name` is named "<project>_<key>", or "<key>" when external.
#include "compose/loader/normalize.hpp"

#include <string>
#include <utility>

#include "compose/loader/normalize_detail.hpp"

namespace berth::loader {

namespace {

using detail::Context;
using detail::json;
using detail::member;

void normalize_resource(const std::string& kind, const std::string& key, json& res, const Context& ctx,
                        const Pointer& at) {
  if (res.is_null()) res = json::object();
  if (!res.is_object()) return;
  if (json* external = member(res, "external")) {
    if (external->is_string()) {
      if (auto b = detail::parse_go_bool(external->get<std::string>())) *external = *b;
    }
    if (external->is_object()) {
      json ext = *external;
      res["external"] = true;
      if (json* ext_name = member(ext, "name")) {
        json* name = member(res, "name");
        if (name != nullptr && *name != *ext_name) {
          ctx.error(at / "external" / "name", kind + " \"" + key + "\": name " + name->dump() + " and external.name " +
                                                  ext_name->dump() + " conflict; only use name");
        } else {
          res["name"] = *ext_name;
        }
      }
    }
  }
  detail::to_mapping(member(res, "labels"), detail::NullValues::Empty);
  detail::to_options(member(res, "driver_opts"));
  if (kind == "config" || kind == "secret") {
    if (json* file = member(res, "file"); file && file->is_string())
      *file = detail::abs_path(file->get<std::string>(), ctx.opts);
  }
  if (kind == "network") {
    if (json* ipam = member(res, "ipam"); ipam && ipam->is_object()) {
      if (json* pools = member(*ipam, "config"); pools && pools->is_array()) {
        for (auto& pool : *pools) {
          if (pool.is_object()) detail::to_mapping(member(pool, "aux_addresses"), detail::NullValues::Empty);
        }
      }
    }
  }
  if (kind == "volume" && res.value("driver", "") == "local") {
    json* opts = member(res, "driver_opts");
    if (opts && opts->value("o", "") == "bind") {
      if (json* device = member(*opts, "device"); device && device->is_string()) {
        *device = detail::abs_path(device->get<std::string>(), ctx.opts);
      }
    }
  }
}

/// compose-go's normalizeNetworks: attach network-less services to `default` and declare it if used.
void add_default_network(json& project) {
  json* services = member(project, "services");
  if (services == nullptr || !services->is_object()) return;
  bool uses_default = false;
  for (auto& [name, service] : services->items()) {
    if (!service.is_object() || service.contains("network_mode")) continue;
    json* networks = member(service, "networks");
    if (networks == nullptr || networks->is_null() || (networks->is_object() && networks->empty())) {
      service["networks"] = json{{"default", nullptr}};
      uses_default = true;
    } else if (networks->is_object() && networks->contains("default")) {
      uses_default = true;
    }
  }
  if (!uses_default) return;
  json& networks = project["networks"];
  if (!networks.is_object()) networks = json::object();
  if (!networks.contains("default")) networks["default"] = json::object();
}

void add_dependency(json& service, const std::string& name, bool restart) {
  if (name.empty()) return;
  json& depends_on = service["depends_on"];
  if (!depends_on.is_object()) depends_on = json::object();
  if (depends_on.contains(name)) return;
  depends_on[name] = {{"condition", "service_started"}, {"restart", restart}, {"required", true}};
}

/// compose-go's Normalize: links, volumes_from and service: namespaces imply depends_on entries.
void add_implicit_dependencies(json& service) {
  if (!service.is_object()) return;
  if (json* links = member(service, "links"); links && links->is_array()) {
    for (const auto& link : *links) {
      std::string l = detail::go_sprint(link);
      add_dependency(service, l.substr(0, l.find(':')), true);
    }
  }
  for (const char* key : {"network_mode", "ipc", "pid", "uts", "cgroup"}) {
    json* ref = member(service, key);
    if (ref == nullptr || !ref->is_string()) continue;
    const std::string value = ref->get<std::string>();
    if (value.rfind("service:", 0) == 0) add_dependency(service, value.substr(8), true);
  }
  if (json* from = member(service, "volumes_from"); from && from->is_array()) {
    for (const auto& vol : *from) {
      std::string v = detail::go_sprint(vol);
      if (v.rfind("container:", 0) == 0) continue;
      add_dependency(service, v.substr(0, v.find(':')), false);
    }
  }
}

void set_names(json& project, const std::string& project_name) {
  for (const char* kind : {"networks", "volumes", "configs", "secrets"}) {
    json* resources = member(project, kind);
    if (resources == nullptr || !resources->is_object()) continue;
    for (auto& [key, res] : resources->items()) {
      if (!res.is_object() || res.contains("name")) continue;
      bool external = res.value("external", json(false)) == json(true);
      res["name"] = external ? key : project_name + "_" + key;
    }
  }
}

}  // namespace

namespace detail {

bool Context::uninterpolated(const Pointer& at) const {
  if (!opts.keep_uninterpolated || original == nullptr || !original->contains(at)) return false;
  const json& written = original->at(at);
  return written.is_string() && written.get<std::string>().find('$') != std::string::npos;
}

}  // namespace detail

void normalize_project(nlohmann::json& project, const NormalizeOptions& opts, Diagnostics& diags) {
  if (!project.is_object()) return;
  const json original = opts.keep_uninterpolated ? project : json();
  const Context ctx{opts, diags, opts.keep_uninterpolated ? &original : nullptr};
  if (json* services = member(project, "services"); services && services->is_object()) {
    for (auto& [name, service] : services->items()) {
      detail::normalize_service(service, ctx, Pointer("/services") / name);
      if (opts.resolve_implied) add_implicit_dependencies(service);
    }
  }
  static const std::pair<const char*, const char*> kinds[] = {
      {"networks", "network"}, {"volumes", "volume"}, {"configs", "config"}, {"secrets", "secret"}};
  for (const auto& [section, kind] : kinds) {
    json* resources = member(project, section);
    if (resources == nullptr || !resources->is_object()) continue;
    for (auto& [key, res] : resources->items()) normalize_resource(kind, key, res, ctx, Pointer() / section / key);
  }
  if (!opts.resolve_implied) return;
  add_default_network(project);
  std::string project_name = opts.project_name;
  if (project_name.empty() && project.contains("name") && project["name"].is_string())
    project_name = project["name"].get<std::string>();
  set_names(project, project_name);
}

}  // namespace berth::loader
