// The project-level objects and a service's Services: the Namespace, one ConfigMap for every
// config, a Secret per secret, a NetworkPolicy per compose network, a PersistentVolumeClaim per
// named volume, and per service a ClusterIP Service for its ports (`-expose`) and one for its
// published ports (`-published`, a LoadBalancer in the desktop overlay), as compose bridge's
// default transformation writes them.
//
// Beyond compose bridge: a network that is not `internal` lets its pods reach anything outside
// the cluster (compose bridge's policies allow no egress but to the network's own pods, which
// is what `internal: true` means), and one more policy lets every pod of the project ask the
// cluster's DNS (without it no service name resolves where policies are enforced).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "compose/bridge/resources.hpp"
#include "compose/gocompat/base64.hpp"

namespace berth::bridge {

namespace {

/// The pods on compose network `net`.
Json network_selector(const std::string& net) {
  return Json{{"matchLabels", {{"com.docker.compose.network." + net, "true"}}}};
}

/// The networks the converted services join (those with a network_mode join none).
std::set<std::string> used_networks(const Context& ctx) {
  std::set<std::string> out;
  for (const auto& name : ctx.services) {
    const auto& svc = ctx.project.services.at(name);
    if (!svc.network_mode.empty()) continue;
    for (const auto& [net, cfg] : svc.networks) out.insert(net);
  }
  return out;
}

template <class Member>
std::set<std::string> used_objects(const Context& ctx, Member member) {
  std::set<std::string> out;
  for (const auto& name : ctx.services)
    for (const auto& ref : ctx.project.services.at(name).*member) out.insert(ref.source);
  return out;
}

}  // namespace

std::string file_object_content(const Context& ctx, const model::FileObject& object, const char* kind) {
  if (!object.file.empty()) {
    std::ifstream in(object.file, std::ios::binary);
    if (!in)
      throw std::runtime_error(std::string("read ") + kind + " \"" + object.name + "\" file `" + object.file +
                               "`: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  if (!object.environment.empty() && object.content.empty()) {  // the loader may have resolved it
    auto it = ctx.options.environment.find(object.environment);
    if (it == ctx.options.environment.end())
      throw std::runtime_error(std::string(kind) + " \"" + object.name + "\": environment variable " +
                               object.environment + " is not set");
    return it->second;
  }
  return object.content;
}

Resource namespace_resource(const Context& ctx) {
  Json ns{
      {"apiVersion", "v1"},
      {"kind", "Namespace"},
      {"metadata", {{"name", ctx.namespace_value()}, {"labels", {{"com.docker.compose.project", ctx.project.name}}}}}};
  return Resource{"0-" + ctx.project.name + "-namespace.yaml", std::move(ns), std::nullopt};
}

std::optional<Resource> configmap_resource(const Context& ctx) {
  Json data = Json::object(), binary = Json::object();
  for (const auto& name : used_objects(ctx, &model::Service::configs)) {
    auto it = ctx.project.configs.find(name);
    if (it == ctx.project.configs.end() || it->second.external) continue;  // external: see workload.cpp
    std::string content = file_object_content(ctx, it->second, "config");
    if (content.find('\0') != std::string::npos)
      binary[name] = gocompat::base64_encode(content);
    else
      data[name] = content;
  }
  if (data.empty() && binary.empty()) return std::nullopt;
  Json cm = ctx.object("v1", "ConfigMap", "", Json{{"com.docker.compose.project", ctx.project.name}});
  cm["metadata"]["name"] = ctx.value(".Values.projectName", ctx.ns);
  if (!data.empty()) cm["data"] = std::move(data);
  if (!binary.empty()) cm["binaryData"] = std::move(binary);
  return Resource{ctx.project.name + "-configs.yaml", std::move(cm), std::nullopt};
}

std::vector<Resource> secret_resources(const Context& ctx) {
  std::vector<Resource> out;
  for (const auto& name : used_objects(ctx, &model::Service::secrets)) {
    auto it = ctx.project.secrets.find(name);
    if (it == ctx.project.secrets.end() || it->second.external) continue;
    Json secret =
        ctx.object("v1", "Secret", safe_name(name),
                   Json{{"com.docker.compose.project", ctx.project.name}, {"com.docker.compose.secret", name}});
    secret["data"] = Json{{name, gocompat::base64_encode(file_object_content(ctx, it->second, "secret"))}};
    secret["type"] = "Opaque";
    out.push_back(Resource{name + "-secret.yaml", std::move(secret), std::nullopt});
  }
  return out;
}

std::vector<Resource> network_policy_resources(const Context& ctx) {
  std::vector<Resource> out;
  auto networks = used_networks(ctx);
  for (const auto& net : networks) {
    Json policy = ctx.object("networking.k8s.io/v1", "NetworkPolicy", safe_name(net) + "-network-policy");
    Json egress = Json::array({Json{{"to", Json::array({Json{{"podSelector", network_selector(net)}}})}}});
    auto it = ctx.project.networks.find(net);
    bool internal = it != ctx.project.networks.end() && it->second.internal;
    if (!internal)
      egress.push_back(Json{
          {"to", Json::array({Json{{"ipBlock", {{"cidr", "0.0.0.0/0"}}}}, Json{{"ipBlock", {{"cidr", "::/0"}}}}})}});
    policy["spec"] =
        Json{{"podSelector", network_selector(net)},
             {"policyTypes", Json::array({"Ingress", "Egress"})},
             {"ingress", Json::array({Json{{"from", Json::array({Json{{"podSelector", network_selector(net)}}})}}})},
             {"egress", std::move(egress)}};
    out.push_back(Resource{net + "-network-policy.yaml", std::move(policy), std::nullopt});
  }
  if (!networks.empty()) {
    Json dns = ctx.object("networking.k8s.io/v1", "NetworkPolicy", ctx.ns + "-dns-network-policy");
    Json to = Json::array(
        {Json{{"namespaceSelector", Json::object()}, {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}});
    Json ports = Json::array({Json{{"protocol", "UDP"}, {"port", 53}}, Json{{"protocol", "TCP"}, {"port", 53}}});
    dns["spec"] = Json{{"podSelector", {{"matchLabels", {{"com.docker.compose.project", ctx.project.name}}}}},
                       {"policyTypes", Json::array({"Egress"})},
                       {"egress", Json::array({Json{{"to", std::move(to)}, {"ports", std::move(ports)}}})}};
    out.push_back(Resource{ctx.project.name + "-dns-network-policy.yaml", std::move(dns), std::nullopt});
  }
  return out;
}

std::vector<Resource> service_resources(const Context& ctx, const model::Service& svc) {
  std::vector<Resource> out;
  if (!svc.network_mode.empty()) return out;  // no ports of its own (workload.cpp warns)
  std::string name = safe_name(svc.name);
  auto ports = container_ports(ctx, svc);
  if (ports.empty() && !is_one_shot(ctx, svc.name)) {
    // Containers reach each other on any port; pods only through a Service, which needs the port.
    for (const auto& other : ctx.services) {
      const auto& o = ctx.project.services.at(other);
      bool links = std::any_of(o.links.begin(), o.links.end(),
                               [&](const std::string& l) { return l.substr(0, l.find(':')) == svc.name; });
      auto dep = o.depends_on.find(svc.name);
      if ((dep != o.depends_on.end() && dep->second.condition != "service_completed_successfully") || links) {
        ctx.warn(svc.name, "expose",
                 "no ports or expose: no Service is made for it, so " + other +
                     " cannot reach it by name on Kubernetes; list the ports it listens on in expose");
        break;
      }
    }
  }
  if (!ports.empty()) {
    Json list = Json::array();
    for (const auto& p : ports) {
      Json port{{"name", port_name(svc.name, p.port, p.protocol)}, {"port", p.port}};
      if (p.protocol != "TCP") port["protocol"] = p.protocol;
      port["targetPort"] = port_name(svc.name, p.port, p.protocol);
      list.push_back(std::move(port));
    }
    Json service = ctx.object("v1", "Service", name, ctx.service_labels(svc.name));
    service["spec"] = Json{{"selector", ctx.service_selector(svc.name)}, {"ports", std::move(list)}};
    out.push_back(Resource{svc.name + "-expose.yaml", std::move(service), std::nullopt});
  }
  Json published = Json::array();
  std::set<std::pair<std::uint32_t, std::string>> seen;
  for (const auto& p : svc.ports) {
    std::string protocol = k8s_protocol(p.protocol);
    if (!p.host_ip.empty() && p.host_ip != "0.0.0.0" && p.host_ip != "::")
      ctx.warn(svc.name, "ports",
               "host_ip " + p.host_ip + " has no Kubernetes meaning: the published Service listens on every address");
    // "8080", "8080-8081" (with as many targets), or empty: the target itself.
    std::uint32_t lo = p.target, hi = p.target;
    if (!p.published.empty()) {
      auto dash = p.published.find('-');
      lo = static_cast<std::uint32_t>(std::stoul(p.published.substr(0, dash)));
      hi = dash == std::string::npos ? lo : static_cast<std::uint32_t>(std::stoul(p.published.substr(dash + 1)));
    }
    for (std::uint32_t port = lo; port <= hi; ++port) {
      if (!seen.insert({port, protocol}).second) continue;
      std::uint32_t target = p.target + (port - lo);
      published.push_back(Json{{"name", port_name(svc.name, port, protocol)},
                               {"port", port},
                               {"protocol", protocol},
                               {"targetPort", port_name(svc.name, target, protocol)}});
    }
  }
  if (!published.empty()) {
    Json service = ctx.object("v1", "Service", name + "-published", ctx.service_labels(svc.name));
    Json spec = Json::object();
    if (ctx.helm()) spec["type"] = ctx.value(".Values.service.type", "LoadBalancer");
    spec["selector"] = ctx.service_selector(svc.name);
    spec["ports"] = std::move(published);
    service["spec"] = std::move(spec);
    Json patch{{"apiVersion", "v1"},
               {"kind", "Service"},
               {"metadata", {{"name", name + "-published"}, {"namespace", ctx.ns}}},
               {"spec", {{"type", "LoadBalancer"}}}};
    out.push_back(Resource{svc.name + "-service.yaml", std::move(service), std::move(patch)});
  }
  return out;
}

std::vector<Resource> volume_claim_resources(const Context& ctx) {
  std::set<std::string> used;
  for (const auto& name : ctx.services)
    for (const auto& v : ctx.project.services.at(name).volumes)
      if (v.type == "volume" && !v.source.empty()) used.insert(v.source);
  std::vector<Resource> out;
  for (const auto& key : used) {
    auto it = ctx.project.volumes.find(key);
    if (it != ctx.project.volumes.end() && it->second.external) continue;  // workload.cpp warns
    if (it != ctx.project.volumes.end() && !it->second.driver.empty() && it->second.driver != "local")
      ctx.warnings.push_back("volume \"" + key + "\": driver: " + it->second.driver +
                             " has no Kubernetes meaning: the claim uses the cluster's storage class");
    Json claim = ctx.object("v1", "PersistentVolumeClaim", safe_name(key),
                            Json{{"com.docker.compose.project", ctx.project.name}, {"com.docker.compose.volume", key}});
    Json spec{{"accessModes", Json::array({ctx.value(".Values.storage.defaultAccessMode", "ReadWriteOnce")})},
              {"volumeMode", "Filesystem"}};
    if (ctx.helm()) spec["storageClassName"] = ctx.value(".Values.storage.defaultStorageClass", "");
    spec["resources"] = Json{{"requests", {{"storage", ctx.value(".Values.storage.defaultSize", "100Mi")}}}};
    claim["spec"] = std::move(spec);
    Json patch{{"apiVersion", "v1"},
               {"kind", "PersistentVolumeClaim"},
               {"metadata", {{"name", safe_name(key)}, {"namespace", ctx.ns}}},
               {"spec", {{"storageClassName", "hostpath"}}}};
    out.push_back(Resource{key + "-persistentVolumeClaim.yaml", std::move(claim), std::move(patch)});
  }
  return out;
}

}  // namespace berth::bridge
