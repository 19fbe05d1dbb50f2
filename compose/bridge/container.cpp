// A service's container and its pod's settings, key by key from the model. compose `entrypoint`
// is Kubernetes' `command`, compose `command` its `args`; the healthcheck becomes the readiness
// and liveness probes (same command, interval, timeout, retries, start period); resources come
// from deploy.resources, mem_limit/cpus and mem_reservation; user, cap_add/cap_drop, privileged
// and read_only from the securityContext. Keys without a Kubernetes meaning are warnings.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "compose/bridge/workload_detail.hpp"
#include "compose/model/service_image.hpp"

namespace berth::bridge {

std::int64_t ceil_seconds(const model::Duration& d) { return (d.nanoseconds + 999'999'999) / 1'000'000'000; }

std::string byte_quantity(std::int64_t bytes) {
  static const std::pair<std::int64_t, const char*> units[] = {
      {1LL << 40, "Ti"}, {1LL << 30, "Gi"}, {1LL << 20, "Mi"}, {1LL << 10, "Ki"}};
  for (const auto& [size, suffix] : units)
    if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + suffix;
  return std::to_string(bytes);
}

namespace {

/// Kubernetes expands `$(VAR)` in command, args and env values; compose passes them as written.
std::string escape_references(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '(') out += '$';
    out += s[i];
  }
  return out;
}

Json string_list(const std::vector<std::string>& v) {
  Json out = Json::array();
  for (const auto& s : v) out.push_back(escape_references(s));
  return out;
}

std::string cpu_quantity(float cpus) {
  auto milli = static_cast<std::int64_t>(std::llround(static_cast<double>(cpus) * 1000));
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

std::string pull_policy(const Context& ctx, const model::Service& svc) {
  const std::string& p = svc.pull_policy;
  if (p == "always") return "Always";
  if (p == "never") return "Never";
  if (p.empty() || p == "missing" || p == "if_not_present" || p == "build") return "IfNotPresent";
  ctx.warn(svc.name, "pull_policy", "\"" + p + "\" has no Kubernetes meaning; IfNotPresent");
  return "IfNotPresent";
}

std::optional<Json> probe(const model::Service& svc) {
  if (!svc.healthcheck || svc.healthcheck->disable || svc.healthcheck->test.empty()) return std::nullopt;
  const model::Healthcheck& h = *svc.healthcheck;
  Json command;
  if (h.test[0] == "NONE") return std::nullopt;
  if (h.test[0] == "CMD-SHELL") {
    std::string joined;
    for (std::size_t i = 1; i < h.test.size(); ++i) joined += (i > 1 ? " " : "") + h.test[i];
    command = Json::array({"/bin/sh", "-c", joined});
  } else {
    command = Json::array();
    for (std::size_t i = h.test[0] == "CMD" ? 1 : 0; i < h.test.size(); ++i) command.push_back(h.test[i]);
  }
  // Docker's defaults: every 30s, 30s timeout, 3 retries, no start period.
  Json p{{"exec", {{"command", std::move(command)}}}};
  if (h.start_period && h.start_period->nanoseconds > 0) p["initialDelaySeconds"] = ceil_seconds(*h.start_period);
  p["periodSeconds"] = std::max<std::int64_t>(1, h.interval ? ceil_seconds(*h.interval) : 30);
  p["timeoutSeconds"] = std::max<std::int64_t>(1, h.timeout ? ceil_seconds(*h.timeout) : 30);
  p["failureThreshold"] = std::max<std::int64_t>(1, h.retries ? static_cast<std::int64_t>(*h.retries) : 3);
  return p;
}

Json resources(const Context& ctx, const model::Service& svc) {
  Json limits = Json::object(), requests = Json::object();
  const model::Resources* r = svc.deploy ? &svc.deploy->resources : nullptr;
  float cpu_limit = r && r->limits && r->limits->cpus > 0 ? r->limits->cpus : svc.cpus;
  std::int64_t mem_limit =
      r && r->limits && r->limits->memory.value > 0 ? r->limits->memory.value : svc.mem_limit.value;
  float cpu_request = r && r->reservations ? r->reservations->cpus : 0;
  std::int64_t mem_request = r && r->reservations && r->reservations->memory.value > 0 ? r->reservations->memory.value
                                                                                       : svc.mem_reservation.value;
  if (cpu_limit > 0)
    limits["cpu"] = cpu_quantity(cpu_limit);
  else if (ctx.helm())
    limits["cpu"] = ctx.value(".Values.resources.defaultCpuLimit", nullptr);
  if (mem_limit > 0)
    limits["memory"] = byte_quantity(mem_limit);
  else if (ctx.helm())
    limits["memory"] = ctx.value(".Values.resources.defaultMemoryLimit", nullptr);
  if (cpu_request > 0) requests["cpu"] = cpu_quantity(cpu_request);
  if (mem_request > 0) requests["memory"] = byte_quantity(mem_request);
  if (r && r->limits && r->limits->pids > 0)
    ctx.warn(svc.name, "deploy.resources.limits.pids", "has no Kubernetes meaning for one container; left out");
  if (r && ((r->reservations && !r->reservations->devices.empty()) || (r->limits && !r->limits->devices.empty())))
    ctx.warn(svc.name, "deploy.resources.reservations.devices",
             "devices are a device plugin's extended resources on Kubernetes; left out");
  Json out = Json::object();
  if (!limits.empty()) out["limits"] = std::move(limits);
  if (!requests.empty()) out["requests"] = std::move(requests);
  return out;
}

bool numeric(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

Json security_context(const Context& ctx, const model::Service& svc) {
  Json sc = Json::object();
  if (!svc.user.empty()) {
    auto colon = svc.user.find(':');
    std::string user = svc.user.substr(0, colon), group = colon == std::string::npos ? "" : svc.user.substr(colon + 1);
    if (numeric(user) && (group.empty() || numeric(group))) {
      sc["runAsUser"] = std::stoll(user);
      if (!group.empty()) sc["runAsGroup"] = std::stoll(group);
    } else {
      ctx.warn(svc.name, "user",
               "\"" + svc.user + "\" is not numeric: Kubernetes runs as a UID (runAsUser); the image's user is kept");
    }
  }
  if (!svc.cap_add.empty() || !svc.cap_drop.empty()) {
    auto names = [](const std::vector<std::string>& caps) {
      Json out = Json::array();
      for (const auto& c : caps) out.push_back(c.rfind("CAP_", 0) == 0 ? c.substr(4) : c);
      return out;
    };
    Json caps = Json::object();
    if (!svc.cap_add.empty()) caps["add"] = names(svc.cap_add);
    if (!svc.cap_drop.empty()) caps["drop"] = names(svc.cap_drop);
    sc["capabilities"] = std::move(caps);
  }
  if (svc.privileged) sc["privileged"] = true;
  if (svc.read_only) sc["readOnlyRootFilesystem"] = true;
  for (const auto& opt : svc.security_opt) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges:true" || opt == "no-new-privileges=true")
      sc["allowPrivilegeEscalation"] = false;
    else
      ctx.warn(svc.name, "security_opt", "\"" + opt + "\" has no Kubernetes meaning here; left out");
  }
  return sc;
}

std::optional<Json> hook(const Context& ctx, const model::Service& svc, const std::vector<model::ServiceHook>& hooks,
                         const std::string& key) {
  if (hooks.empty()) return std::nullopt;
  if (hooks.size() > 1 || !hooks[0].command)
    ctx.warn(svc.name, key, "Kubernetes runs one command per hook; only the first is kept");
  const model::ServiceHook& h = hooks[0];
  if (!h.user.empty() || h.privileged || !h.working_dir.empty() || !h.environment.empty())
    ctx.warn(svc.name, key, "user, privileged, working_dir and environment of a hook have no Kubernetes meaning");
  if (!h.command) return std::nullopt;
  return Json{{"exec", {{"command", string_list(*h.command)}}}};
}

}  // namespace

Json main_container(const Context& ctx, const model::Service& svc, const std::string& kind) {
  Json c{{"name", safe_name(svc.name)}};
  std::string image = model::service_image(ctx.project, svc.name);
  if (svc.build)
    ctx.warn(svc.name, "build",
             "the cluster pulls image \"" + image +
                 "\": build it and push it to a registry the cluster can reach "
                 "(berth build && berth push)");
  if (ctx.helm()) {
    // Go templates take `.Values.web.image`, but a name with '-' only through `index`.
    bool ident = std::all_of(svc.name.begin(), svc.name.end(),
                             [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }) &&
                 !std::isdigit(static_cast<unsigned char>(svc.name[0]));
    std::string values = ident ? ".Values." + svc.name : "(index .Values \"" + svc.name + "\")";
    c["image"] = ctx.value(values + ".image", nullptr);
    c["imagePullPolicy"] = ctx.value(values + ".imagePullPolicy", nullptr);
  } else {
    c["image"] = image;
    c["imagePullPolicy"] = pull_policy(ctx, svc);
  }
  if (svc.entrypoint && !svc.entrypoint->empty()) c["command"] = string_list(*svc.entrypoint);
  if (svc.command && !svc.command->empty()) c["args"] = string_list(*svc.command);
  if (!svc.working_dir.empty()) c["workingDir"] = svc.working_dir;
  Json env = Json::array();
  for (const auto& [k, v] : svc.environment)
    if (v) env.push_back(Json{{"name", k}, {"value", escape_references(*v)}});
  if (!env.empty()) c["env"] = std::move(env);
  if (Json r = resources(ctx, svc); !r.empty()) c["resources"] = std::move(r);
  if (svc.network_mode.empty()) {
    Json ports = Json::array();
    for (const auto& p : container_ports(ctx, svc)) {
      Json port{{"name", port_name(svc.name, p.port, p.protocol)}, {"containerPort", p.port}};
      if (p.protocol != "TCP") port["protocol"] = p.protocol;
      ports.push_back(std::move(port));
    }
    if (!ports.empty()) c["ports"] = std::move(ports);
  }
  if (auto p = probe(svc); p && kind != "Job") {
    c["readinessProbe"] = *p;
    c["livenessProbe"] = *p;
  } else if (p) {
    ctx.warn(svc.name, "healthcheck", "a Job's container has no probes; left out");
  }
  Json lifecycle = Json::object();
  if (auto h = hook(ctx, svc, svc.post_start, "post_start")) lifecycle["postStart"] = *h;
  if (auto h = hook(ctx, svc, svc.pre_stop, "pre_stop")) lifecycle["preStop"] = *h;
  if (!lifecycle.empty()) c["lifecycle"] = std::move(lifecycle);
  if (Json sc = security_context(ctx, svc); !sc.empty()) c["securityContext"] = std::move(sc);
  if (svc.tty) c["tty"] = true;
  if (svc.stdin_open) c["stdin"] = true;
  return c;
}

void add_pod_settings(const Context& ctx, const model::Service& svc, const std::string& kind, Json& pod) {
  auto warn = [&](const std::string& key, const std::string& text) { ctx.warn(svc.name, key, text); };
  auto no_meaning = [&](const std::string& key) { warn(key, "has no Kubernetes meaning; left out"); };
  if (kind == "Job") {
    pod["restartPolicy"] = svc.restart.rfind("on-failure", 0) == 0 ? "OnFailure" : "Never";
  } else if (svc.restart == "no" || svc.restart.rfind("on-failure", 0) == 0) {
    warn("restart", "\"" + svc.restart + "\": a " + kind + "'s containers are always restarted on Kubernetes");
  }
  if (svc.stop_grace_period) pod["terminationGracePeriodSeconds"] = ceil_seconds(*svc.stop_grace_period);
  if (!svc.hostname.empty()) {
    pod["hostname"] = safe_name(svc.hostname);
    if (safe_name(svc.hostname) != svc.hostname)
      warn("hostname", "\"" + svc.hostname + "\" is not a DNS label; \"" + safe_name(svc.hostname) + "\"");
  }
  if (!svc.domainname.empty()) no_meaning("domainname");
  if (!svc.extra_hosts.empty()) {
    // "host=ip" (the loader's form) or "host:ip"; one hostAliases entry per address.
    std::map<std::string, Json> by_ip;
    std::vector<std::string> order;
    for (const auto& entry : svc.extra_hosts) {
      auto sep = entry.find('=');
      if (sep == std::string::npos) sep = entry.find(':');
      if (sep == std::string::npos) continue;
      std::string host = entry.substr(0, sep), ip = entry.substr(sep + 1);
      if (ip == "host-gateway") {
        warn("extra_hosts", "\"" + entry + "\": host-gateway has no Kubernetes meaning; left out");
        continue;
      }
      if (!by_ip.count(ip)) order.push_back(ip);
      by_ip[ip].push_back(host);
    }
    Json aliases = Json::array();
    for (const auto& ip : order) aliases.push_back(Json{{"ip", ip}, {"hostnames", by_ip[ip]}});
    if (!aliases.empty()) pod["hostAliases"] = std::move(aliases);
  }
  if (!svc.dns.empty() || !svc.dns_search.empty() || !svc.dns_opt.empty()) {
    Json dns = Json::object();
    if (!svc.dns.empty()) dns["nameservers"] = svc.dns;
    if (!svc.dns_search.empty()) dns["searches"] = svc.dns_search;
    if (!svc.dns_opt.empty()) {
      Json opts = Json::array();
      for (const auto& o : svc.dns_opt) {
        auto colon = o.find(':');
        Json opt{{"name", o.substr(0, colon)}};
        if (colon != std::string::npos) opt["value"] = o.substr(colon + 1);
        opts.push_back(std::move(opt));
      }
      dns["options"] = std::move(opts);
    }
    pod["dnsConfig"] = std::move(dns);
  }
  Json pod_sc = Json::object();
  if (!svc.group_add.empty()) {
    Json groups = Json::array();
    for (const auto& g : svc.group_add)
      if (numeric(g))
        groups.push_back(std::stoll(g));
      else
        warn("group_add", "\"" + g + "\" is not numeric: Kubernetes takes group IDs; left out");
    if (!groups.empty()) pod_sc["supplementalGroups"] = std::move(groups);
  }
  if (!svc.sysctls.empty()) {
    Json sysctls = Json::array();
    for (const auto& [k, v] : svc.sysctls) sysctls.push_back(Json{{"name", k}, {"value", v}});
    pod_sc["sysctls"] = std::move(sysctls);
  }
  if (!pod_sc.empty()) pod["securityContext"] = std::move(pod_sc);
  if (!svc.platform.empty()) {
    // "linux/arm64[/v8]" → the well-known node labels.
    auto slash = svc.platform.find('/');
    Json selector{{"kubernetes.io/os", svc.platform.substr(0, slash)}};
    if (slash != std::string::npos)
      selector["kubernetes.io/arch"] = svc.platform.substr(slash + 1, svc.platform.find('/', slash + 1) - slash - 1);
    pod["nodeSelector"] = std::move(selector);
  }

  // What a pod cannot express.
  if (!svc.network_mode.empty())
    warn("network_mode",
         "\"" + svc.network_mode + "\" has no Kubernetes meaning (a pod has its own network); left out");
  if (!svc.ipc.empty()) no_meaning("ipc");
  if (!svc.pid.empty()) no_meaning("pid");
  if (!svc.uts.empty()) no_meaning("uts");
  if (!svc.userns_mode.empty()) no_meaning("userns_mode");
  if (!svc.cgroup.empty()) no_meaning("cgroup");
  if (!svc.cgroup_parent.empty()) no_meaning("cgroup_parent");
  if (!svc.devices.empty())
    warn("devices", "host devices have no Kubernetes meaning (a device plugin's job); left out");
  if (!svc.device_cgroup_rules.empty()) no_meaning("device_cgroup_rules");
  if (!svc.gpus.empty()) warn("gpus", "GPUs are a device plugin's extended resources on Kubernetes; left out");
  if (!svc.ulimits.empty()) no_meaning("ulimits");
  if (svc.pids_limit > 0) no_meaning("pids_limit");
  if (svc.logging) warn("logging", "the cluster collects container logs its own way; left out");
  if (!svc.stop_signal.empty()) warn("stop_signal", "Kubernetes stops containers with SIGTERM; left out");
  if (svc.init && *svc.init) no_meaning("init");
  if (!svc.container_name.empty()) warn("container_name", "Kubernetes names pods itself; left out");
  if (!svc.links.empty()) warn("links", "services are reached by their Service name; link aliases are left out");
  if (!svc.external_links.empty()) no_meaning("external_links");
  if (!svc.volumes_from.empty()) no_meaning("volumes_from");
  if (!svc.mac_address.empty()) no_meaning("mac_address");
  if (!svc.runtime.empty()) no_meaning("runtime");
  if (!svc.isolation.empty()) no_meaning("isolation");
  if (!svc.storage_opt.empty()) no_meaning("storage_opt");
  if (svc.blkio_config) no_meaning("blkio_config");
  if (!svc.cpuset.empty()) no_meaning("cpuset");
  if (svc.cpu_shares || svc.cpu_quota || svc.cpu_period || svc.cpu_count || svc.cpu_percent || svc.cpu_rt_period ||
      svc.cpu_rt_runtime)
    warn("cpu_shares/cpu_quota/cpu_period", "Kubernetes takes cpus as limits and requests only; left out");
  if (svc.memswap_limit.value || svc.mem_swappiness.value) no_meaning("memswap_limit/mem_swappiness");
  if (svc.oom_kill_disable) no_meaning("oom_kill_disable");
  if (svc.oom_score_adj) no_meaning("oom_score_adj");
  if (svc.credential_spec) no_meaning("credential_spec");
  if (svc.provider) no_meaning("provider");
  if (!svc.models.empty()) no_meaning("models");
  if (!svc.pre_start.empty()) warn("pre_start", "use an init container on Kubernetes; left out");
  if (svc.use_api_socket) no_meaning("use_api_socket");
  if (svc.healthcheck && svc.healthcheck->start_interval) no_meaning("healthcheck.start_interval");
  if (svc.deploy) {
    if (!svc.deploy->placement.constraints.empty() || !svc.deploy->placement.preferences.empty())
      warn("deploy.placement", "Swarm placement has no Kubernetes meaning (use nodeSelector or affinity); left out");
    if (!svc.deploy->endpoint_mode.empty()) no_meaning("deploy.endpoint_mode");
    if (svc.deploy->update_config || svc.deploy->rollback_config || svc.deploy->restart_policy)
      warn("deploy.update_config/rollback_config/restart_policy",
           "Swarm policies have no Kubernetes meaning; left out");
  }
  for (const auto& [net, cfg] : svc.networks) {
    if (!cfg || !svc.network_mode.empty()) continue;
    if (!cfg->aliases.empty())
      warn("networks." + net + ".aliases", "a pod is reached by its Service's name only; left out");
    if (!cfg->ipv4_address.empty() || !cfg->ipv6_address.empty())
      warn("networks." + net + ".ipv4_address", "pods get their addresses from the cluster; left out");
    if (!cfg->mac_address.empty()) no_meaning("networks." + net + ".mac_address");
  }
}

}  // namespace berth::bridge
