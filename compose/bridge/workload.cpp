// A service → the object that runs it: a Deployment (compose bridge's answer: replicas,
// `strategy: Recreate` when the pod has volumes, the project/service/network labels), a
// DaemonSet for `deploy.mode: global`, or a Job for a one-shot service. The container gets what
// the model says (container.cpp); the pod its volumes (volumes.cpp), and for `depends_on` with
// `service_healthy` / `service_completed_successfully` an init container that waits for the
// dependency's Service, or its Job, as compose's start order would.
#include <algorithm>

#include "compose/bridge/workload_detail.hpp"

namespace berth::bridge {

namespace {

/// The image init containers wait with: busybox's nc for a port, kubectl for a Job.
constexpr const char* kWaitPortImage = "busybox:1.36";
constexpr const char* kWaitJobImage = "registry.k8s.io/kubectl:v1.32.0";

/// Whether `svc` waits for a one-shot dependency (an init container running `kubectl wait`).
bool waits_for_job(const Context& ctx, const model::Service& svc) {
  return std::any_of(svc.depends_on.begin(), svc.depends_on.end(), [&](const auto& dep) {
    return dep.second.condition == "service_completed_successfully" && ctx.services.count(dep.first) &&
           is_one_shot(ctx, dep.first);
  });
}

/// The ServiceAccount (and its Role and RoleBinding) that may read the project's Jobs, for the
/// init containers that wait for one, and the NetworkPolicy that lets those pods reach the API
/// server (on an `internal` network they could not otherwise). The same objects whichever
/// service asks: convert() keeps one of each.
std::vector<Resource> job_reader_resources(const Context& ctx) {
  std::string name = ctx.ns + "-job-reader";
  Json labels{{"com.docker.compose.project", ctx.project.name}};
  Json waiting = Json::array();
  for (const auto& s : ctx.services)
    if (waits_for_job(ctx, ctx.project.services.at(s))) waiting.push_back(s);
  Json policy = ctx.object("networking.k8s.io/v1", "NetworkPolicy", name + "-network-policy", labels);
  policy["spec"] =
      Json{{"podSelector",
            {{"matchLabels", {{"com.docker.compose.project", ctx.project.name}}},
             {"matchExpressions",
              Json::array({Json{{"key", "com.docker.compose.service"}, {"operator", "In"}, {"values", waiting}}})}}},
           {"policyTypes", Json::array({"Egress"})},
           {"egress", Json::array({Json{{"ports", Json::array({Json{{"protocol", "TCP"}, {"port", 443}},
                                                               Json{{"protocol", "TCP"}, {"port", 6443}}})}}})}};
  Json account = ctx.object("v1", "ServiceAccount", name, labels);
  Json role = ctx.object("rbac.authorization.k8s.io/v1", "Role", name, labels);
  role["rules"] = Json::array({Json{{"apiGroups", Json::array({"batch"})},
                                    {"resources", Json::array({"jobs"})},
                                    {"verbs", Json::array({"get", "list", "watch"})}}});
  Json binding = ctx.object("rbac.authorization.k8s.io/v1", "RoleBinding", name, labels);
  binding["roleRef"] = Json{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", name}};
  binding["subjects"] =
      Json::array({Json{{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ctx.namespace_value()}}});
  return {Resource{ctx.project.name + "-job-reader-serviceaccount.yaml", std::move(account), std::nullopt},
          Resource{ctx.project.name + "-job-reader-role.yaml", std::move(role), std::nullopt},
          Resource{ctx.project.name + "-job-reader-rolebinding.yaml", std::move(binding), std::nullopt},
          Resource{ctx.project.name + "-job-reader-network-policy.yaml", std::move(policy), std::nullopt}};
}

/// Init containers for the dependencies the service must wait for; `job_reader` set when one
/// of them waits for a Job.
Json wait_containers(const Context& ctx, const model::Service& svc, bool& job_reader) {
  Json out = Json::array();
  for (const auto& [dep, d] : svc.depends_on) {
    if (!ctx.services.count(dep)) continue;
    const model::Service& target = ctx.project.services.at(dep);
    std::string name = safe_name(dep);
    if (d.condition == "service_completed_successfully") {
      if (!is_one_shot(ctx, dep)) {
        ctx.warn(svc.name, "depends_on." + dep,
                 "service_completed_successfully: " + dep +
                     " is a Deployment on Kubernetes (it restarts, or others wait for it otherwise); not "
                     "waited for");
        continue;
      }
      job_reader = true;
      out.push_back(Json{{"name", "wait-for-" + name},
                         {"image", kWaitJobImage},
                         {"args", Json::array({"wait", "--for=condition=complete", "--timeout=-1s", "job/" + name})}});
    } else if (d.condition == "service_healthy") {
      auto ports = container_ports(ctx, target);
      auto tcp = std::find_if(ports.begin(), ports.end(), [](const ContainerPort& p) { return p.protocol == "TCP"; });
      if (tcp == ports.end() || !target.network_mode.empty()) {
        ctx.warn(svc.name, "depends_on." + dep,
                 "service_healthy: " + dep + " has no TCP port (ports or expose) to wait on; not waited for");
        continue;
      }
      // The Service routes only to ready pods (the healthcheck is the readiness probe): a
      // connection succeeds once the dependency is healthy.
      std::string port = std::to_string(tcp->port);
      out.push_back(Json{{"name", "wait-for-" + name},
                         {"image", kWaitPortImage},
                         {"command", Json::array({"sh", "-c",
                                                  "until nc -z -w 2 " + name + " " + port + "; do echo waiting for " +
                                                      dep + "; sleep 2; done"})}});
    }
  }
  return out;
}

/// The pod template's labels: the service's, and one per compose network it joins.
Json pod_labels(const Context& ctx, const model::Service& svc) {
  Json labels = ctx.service_selector(svc.name);
  if (svc.network_mode.empty())
    for (const auto& [net, cfg] : svc.networks) {
      std::string key = "com.docker.compose.network." + net;
      if (key.size() > 63)  // a label key without a prefix is a name of at most 63 characters
        ctx.warn(svc.name, "networks." + net,
                 "the label " + key + " is longer than Kubernetes' 63 characters: the cluster refuses the pod");
      labels[key] = "true";
    }
  return labels;
}

std::string workload_kind(const Context& ctx, const model::Service& svc) {
  std::string mode = svc.deploy ? svc.deploy->mode : "";
  if (is_one_shot(ctx, svc.name) || mode == "replicated-job" || mode == "global-job") return "Job";
  if (mode == "global") return "DaemonSet";
  return "Deployment";
}

}  // namespace

bool is_one_shot(const Context& ctx, const std::string& service) {
  const model::Service& svc = ctx.project.services.at(service);
  if (!svc.restart.empty() && svc.restart != "no") return false;  // compose's default is "no"
  bool completed = false;
  for (const auto& name : ctx.services)
    for (const auto& [dep, d] : ctx.project.services.at(name).depends_on) {
      if (dep != service) continue;
      if (d.condition != "service_completed_successfully") return false;
      completed = true;
    }
  return completed;
}

std::vector<Resource> workload_resources(const Context& ctx, const model::Service& svc) {
  std::vector<Resource> out;
  std::string kind = workload_kind(ctx, svc);
  PodVolumes volumes = pod_volumes(ctx, svc);
  Json container = main_container(ctx, svc, kind);
  if (!volumes.mounts.empty()) container["volumeMounts"] = volumes.mounts;

  Json pod = Json::object();
  bool job_reader = false;
  Json waits = wait_containers(ctx, svc, job_reader);
  if (!waits.empty()) pod["initContainers"] = std::move(waits);
  if (job_reader) pod["serviceAccountName"] = ctx.ns + "-job-reader";
  pod["containers"] = Json::array({std::move(container)});
  if (!volumes.volumes.empty()) pod["volumes"] = volumes.volumes;
  add_pod_settings(ctx, svc, kind, pod);

  Json annotations = Json::object();
  for (const auto& [k, v] : svc.labels) annotations[k] = v;
  for (const auto& [k, v] : svc.annotations) annotations[k] = v;
  Json template_metadata{{"labels", pod_labels(ctx, svc)}};
  if (!annotations.empty()) template_metadata["annotations"] = std::move(annotations);
  Json pod_template{{"metadata", std::move(template_metadata)}, {"spec", std::move(pod)}};

  std::string name = safe_name(svc.name);
  Json spec = Json::object();
  std::string api = kind == "Job" ? "batch/v1" : "apps/v1";
  if (kind == "Deployment") {
    std::optional<std::int64_t> replicas = svc.scale;
    if (svc.deploy && svc.deploy->replicas) replicas = svc.deploy->replicas;
    spec["replicas"] = replicas ? Json(*replicas) : ctx.value(".Values.deployment.defaultReplicas", 1);
  }
  if (kind != "Job") spec["selector"] = Json{{"matchLabels", ctx.service_selector(svc.name)}};
  if (kind == "Deployment" && !volumes.volumes.empty())
    spec["strategy"] = Json{{"type", ctx.value(".Values.deployment.strategy", "Recreate")}};
  if (kind == "Job") spec["backoffLimit"] = 0;
  spec["template"] = std::move(pod_template);
  Json object = ctx.object(api, kind, name, ctx.service_labels(svc.name));
  object["spec"] = std::move(spec);
  std::string file = svc.name + (kind == "Job"         ? "-job.yaml"
                                 : kind == "DaemonSet" ? "-daemonset.yaml"
                                                       : "-deployment.yaml");
  out.push_back(Resource{file, std::move(object), std::nullopt});
  if (job_reader)
    for (auto& r : job_reader_resources(ctx)) out.push_back(std::move(r));
  return out;
}

}  // namespace berth::bridge
