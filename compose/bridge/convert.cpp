// `bridge convert`: which services, the names Kubernetes accepts, and the order of the stages.
#include "compose/bridge/convert.hpp"

#include <algorithm>
#include <stdexcept>

#include "compose/bridge/resources.hpp"
#include "compose/model/dependencies.hpp"

namespace berth::bridge {

std::string safe_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
  }
  auto first = out.find_first_not_of('-');
  if (first == std::string::npos) return "x";
  out.erase(0, first);
  if (out.size() > 63) out.resize(63);
  while (out.back() == '-') out.pop_back();
  return out;
}

std::string port_name(const std::string& service, std::uint32_t port, const std::string& protocol) {
  std::string suffix = "-" + std::to_string(port);
  if (protocol == "UDP") suffix += "-udp";
  if (protocol == "SCTP") suffix += "-sctp";
  // An IANA service name: at most 15 characters, a-z 0-9 '-', no "--", a letter somewhere.
  std::string base;
  for (char c : safe_name(service))
    if (c != '-' || (!base.empty() && base.back() != '-')) base += c;
  if (base.size() + suffix.size() > 15) base.resize(15 - suffix.size());
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (std::none_of(base.begin(), base.end(), [](char c) { return c >= 'a' && c <= 'z'; })) base = "p";
  return base + suffix;
}

std::string k8s_protocol(const std::string& protocol) {
  if (protocol.empty()) return "TCP";
  std::string out = protocol;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<ContainerPort> container_ports(const Context& ctx, const model::Service& svc) {
  std::vector<ContainerPort> out;
  auto add = [&](std::uint32_t port, const std::string& protocol) {
    ContainerPort p{port, k8s_protocol(protocol)};
    if (port != 0 && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  for (const auto& p : svc.ports) add(p.target, p.protocol);
  for (const auto& e : svc.expose) {
    // "8080", "8080/udp", "8000-8002"
    auto slash = e.find('/');
    std::string range = e.substr(0, slash), protocol = slash == std::string::npos ? "" : e.substr(slash + 1);
    auto dash = range.find('-');
    try {
      unsigned long lo = std::stoul(range.substr(0, dash));
      unsigned long hi = dash == std::string::npos ? lo : std::stoul(range.substr(dash + 1));
      if (hi < lo || hi > 65535 || hi - lo > 1000) throw std::out_of_range(e);
      for (unsigned long p = lo; p <= hi; ++p) add(static_cast<std::uint32_t>(p), protocol);
    } catch (const std::logic_error&) {
      ctx.warn(svc.name, "expose", "\"" + e + "\" is not a port or a port range; left out");
    }
  }
  return out;
}

namespace {

std::set<std::string> selected_services(const model::Project& project, const Options& options) {
  std::set<std::string> out;
  if (options.services.empty()) {
    for (const auto& [name, svc] : project.services) out.insert(name);
    return out;
  }
  for (const auto& name : options.services)
    if (!project.services.count(name)) throw std::runtime_error("no such service: " + name);
  return model::with_dependencies(model::dependency_map(project), options.services);
}

}  // namespace

Output convert(const model::Project& project, const Options& options) {
  Output out;
  Context ctx{project, options, selected_services(project, options), safe_name(project.name), out.warnings};
  std::vector<Resource> resources;
  auto add = [&](std::vector<Resource> more) {
    for (auto& r : more) resources.push_back(std::move(r));
  };
  resources.push_back(namespace_resource(ctx));
  if (auto configs = configmap_resource(ctx)) resources.push_back(std::move(*configs));
  add(secret_resources(ctx));
  add(network_policy_resources(ctx));
  add(volume_claim_resources(ctx));
  for (const auto& name : ctx.services) {
    const model::Service& svc = project.services.at(name);
    add(workload_resources(ctx, svc));
    add(service_resources(ctx, svc));
  }
  // Objects several services need (the job reader's account) come once.
  std::stable_sort(resources.begin(), resources.end(),
                   [](const Resource& a, const Resource& b) { return a.file < b.file; });
  resources.erase(std::unique(resources.begin(), resources.end(),
                              [](const Resource& a, const Resource& b) { return a.file == b.file; }),
                  resources.end());
  out.files = ctx.helm() ? helm_layout(ctx, resources) : kubernetes_layout(resources);
  // A service's ports are read by its Services, its pod and the pods waiting for it: one warning each.
  std::set<std::string> seen;
  std::erase_if(out.warnings, [&](const std::string& w) { return !seen.insert(w).second; });
  std::sort(out.files.begin(), out.files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  return out;
}

}  // namespace berth::bridge
