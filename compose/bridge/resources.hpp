#pragma once
// What the stages of compose/bridge share (internal to the folder): the conversion context and
// the Kubernetes objects it collects before layout.cpp turns them into files.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/bridge/convert.hpp"

namespace berth::bridge {

using Json = nlohmann::ordered_json;

/// One Kubernetes object and the file it goes to (`serviceA-deployment.yaml`, as compose bridge
/// names them: the compose key, not the Kubernetes name).
struct Resource {
  std::string file;
  Json object;
  std::optional<Json> desktop_patch;  ///< the overlays/desktop patch of this object, if it has one
};

/// The project being converted and the choices every stage reads.
struct Context {
  const model::Project& project;
  const Options& options;
  std::set<std::string> services;  ///< the services converted
  std::string ns;                  ///< the namespace (the project name, made safe)
  std::vector<std::string>& warnings;

  bool helm() const { return options.format == Format::Helm; }

  /// `plain` for kubernetes; for helm the template expression `{{ expr }}` (layout.cpp unquotes it).
  Json value(const std::string& expr, Json plain) const { return helm() ? Json("{{ " + expr + " }}") : plain; }

  /// metadata.namespace of every namespaced object.
  Json namespace_value() const { return value(".Values.namespace", ns); }

  /// `service "web": key: text`.
  void warn(const std::string& service, const std::string& key, const std::string& text) const {
    warnings.push_back("service \"" + service + "\": " + key + ": " + text);
  }

  /// The labels compose bridge puts on a service's objects (and selects its pods by).
  Json service_selector(const std::string& service) const {
    return Json{{"com.docker.compose.project", project.name}, {"com.docker.compose.service", service}};
  }

  /// service_selector plus Helm's managed-by label in a chart, as compose bridge's chart has it.
  Json service_labels(const std::string& service) const {
    Json labels = service_selector(service);
    if (helm()) labels["app.kubernetes.io/managed-by"] = "Helm";
    return labels;
  }

  /// apiVersion, kind and metadata (name, namespace, labels when given) of a namespaced object.
  Json object(const std::string& api, const std::string& kind, const std::string& name, Json labels = nullptr) const {
    Json metadata{{"name", name}, {"namespace", namespace_value()}};
    if (!labels.is_null()) metadata["labels"] = std::move(labels);
    return Json{{"apiVersion", api}, {"kind", kind}, {"metadata", std::move(metadata)}};
  }
};

/// A container port a service listens on (from `ports` targets and `expose`).
struct ContainerPort {
  std::uint32_t port = 0;
  std::string protocol;  ///< TCP, UDP or SCTP
  auto operator<=>(const ContainerPort&) const = default;
};

/// The name of a container port, used by the Services' targetPort: `<service>-<port>` as compose
/// bridge writes it, `-udp`/`-sctp` appended for those, shortened to Kubernetes' 15 characters.
std::string port_name(const std::string& service, std::uint32_t port, const std::string& protocol);

/// The distinct container ports of a service, in order of first mention (ports, then expose).
std::vector<ContainerPort> container_ports(const Context& ctx, const model::Service& svc);

/// The Kubernetes protocol name of a compose one ("tcp" → "TCP"; empty is TCP).
std::string k8s_protocol(const std::string& protocol);

// objects.cpp
Resource namespace_resource(const Context& ctx);
std::optional<Resource> configmap_resource(const Context& ctx);
std::vector<Resource> secret_resources(const Context& ctx);
std::vector<Resource> network_policy_resources(const Context& ctx);
std::vector<Resource> service_resources(const Context& ctx, const model::Service& svc);
std::vector<Resource> volume_claim_resources(const Context& ctx);

/// The content of a config or secret (its file, inline content or environment variable).
std::string file_object_content(const Context& ctx, const model::FileObject& object, const char* kind);

// workload.cpp
/// The Deployment (DaemonSet for `deploy.mode: global`, Job for one-shot services) of a service,
/// and the objects its init containers need.
std::vector<Resource> workload_resources(const Context& ctx, const model::Service& svc);

/// Whether `service` runs once: `restart: "no"` (or unset, compose's default) and depended on only with
/// `service_completed_successfully` (by at least one converted service).
bool is_one_shot(const Context& ctx, const std::string& service);

// layout.cpp
std::vector<File> kubernetes_layout(const std::vector<Resource>& resources);
std::vector<File> helm_layout(const Context& ctx, const std::vector<Resource>& resources);

}  // namespace berth::bridge
