// `berth alpha generate [OPTIONS] CONTAINERS...`: a compose file from existing containers, as
// docker compose's Generate (pkg/compose/generate.go) makes one from `docker inspect` — here from
// Berth's own records: each project's state (service, image, ports, networks) and each
// container's bundle (environment, healthcheck, mounts, labels). Containers are named as docker's
// filters name them: a part of the name, or the start of the id.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "common/atomic_file.hpp"
#include "compose/cli/commands.hpp"
#include "compose/model/json_emit.hpp"
#include "compose/model/json_io.hpp"
#include "compose/model/yaml_emit.hpp"
#include "compose/state/state_store.hpp"

namespace berth::cli {

namespace {

struct GenerateFlags {
  std::string format = "yaml";
  std::string name;
  std::string project_dir;
  std::vector<std::string> containers;
};

/// "0.0.0.0:8080->80/tcp" → the port (HostPortBinding's fields).
std::optional<model::ServicePort> port_from(const std::string& text) {
  const auto arrow = text.find("->");
  const auto slash = text.rfind('/');
  if (arrow == std::string::npos || slash == std::string::npos || slash < arrow) return std::nullopt;
  const std::string host = text.substr(0, arrow);
  const auto colon = host.rfind(':');
  model::ServicePort p;
  p.host_ip = colon == std::string::npos ? "" : host.substr(0, colon);
  p.published = colon == std::string::npos ? host : host.substr(colon + 1);
  try {
    p.target = static_cast<std::uint32_t>(std::stoul(text.substr(arrow + 2, slash - arrow - 2)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  p.protocol = text.substr(slash + 1);
  return p;
}

/// Mounts the container's configuration asked for: binds and volumes, not the ones every
/// container has (/proc, /dev, /sys, the /etc files Berth writes, ...).
bool user_mount(const nlohmann::json& m, const std::string& bundle_dir) {
  static const std::set<std::string> system = {
      "/proc", "/dev",           "/dev/pts",   "/dev/shm",         "/dev/mqueue",
      "/sys",  "/sys/fs/cgroup", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"};
  const std::string dest = m.value("destination", "");
  const std::string source = m.value("source", "");
  return m.value("type", "") == "bind" && !system.count(dest) && source.rfind(bundle_dir, 0) != 0 &&
         source.rfind("/proc/", 0) != 0;
}

/// docker compose's extractComposeConfiguration from a container's bundle.
void from_bundle(model::Project& out, model::Service& svc, const std::string& config_path, const std::string& root) {
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(read_file(config_path));
  } catch (const std::exception&) {
    return;  // as docker compose when the inspect fails: the service as the listing gives it
  }
  for (const auto& e : config["process"].value("env", nlohmann::json::array())) {
    const std::string kv = e.get<std::string>();
    const auto eq = kv.find('=');
    svc.environment[kv.substr(0, eq)] = eq == std::string::npos ? std::nullopt : std::optional(kv.substr(eq + 1));
  }
  const nlohmann::json ann = config.value("annotations", nlohmann::json::object());
  for (const auto& [k, v] : ann.items())
    if (k.rfind("com.docker.compose.", 0) != 0 && k.rfind("desktop.docker.io", 0) != 0 && k.rfind("org.berth.", 0) != 0)
      svc.labels[k] = v.get<std::string>();
  if (ann.contains("org.berth.healthcheck")) {
    const nlohmann::json h = nlohmann::json::parse(ann["org.berth.healthcheck"].get<std::string>());
    model::Healthcheck hc;
    hc.test = h.value("test", std::vector<std::string>{});
    auto duration = [&](const char* key) -> std::optional<model::Duration> {
      if (!h.contains(key)) return std::nullopt;
      return model::Duration{h[key].get<std::int64_t>()};
    };
    hc.timeout = duration("timeout_ns");
    hc.interval = duration("interval_ns");
    hc.start_period = duration("start_period_ns");
    hc.start_interval = duration("start_interval_ns");
    if (h.contains("retries")) hc.retries = h["retries"].get<std::uint64_t>();
    svc.healthcheck = hc;
  }
  const std::string bundle_dir = std::filesystem::path(config_path).parent_path().string();
  const std::string volumes_dir = root + "/volumes/";
  for (const auto& m : config.value("mounts", nlohmann::json::array())) {
    if (!user_mount(m, bundle_dir)) continue;
    model::ServiceVolume v;
    v.source = m.value("source", "");
    v.target = m.value("destination", "");
    for (const auto& o : m.value("options", nlohmann::json::array()))
      if (o == "ro") v.read_only = true;
    if (v.source.rfind(volumes_dir, 0) == 0) {  // <root>/volumes/<name>/_data: a named volume
      v.type = "volume";
      v.source = v.source.substr(volumes_dir.size());
      v.source = v.source.substr(0, v.source.find('/'));
      out.volumes[v.source];
    } else if (v.target.rfind("/run/secrets", 0) == 0) {
      const std::string name = v.target.substr(v.target.rfind('/') + 1);
      out.secrets[name].file = v.source;
      model::FileReference s;
      s.source = name;
      s.target = v.target;
      svc.secrets.push_back(s);
      continue;
    } else {
      v.type = "bind";
    }
    svc.volumes.push_back(v);
  }
}

model::Project generate(const GlobalOptions& g, const GenerateFlags& f) {
  const state::Paths paths = state::Paths::for_root(g.root);
  model::Project out;
  out.name = f.name;
  bool found = false;
  for (const auto& project : state::list_projects(paths)) {
    const std::optional<state::ProjectState> st = state::read_project_state(paths, project);
    if (!st) continue;
    for (const auto& c : st->containers) {
      const bool wanted = std::any_of(f.containers.begin(), f.containers.end(), [&](const std::string& w) {
        return c.name.find(w) != std::string::npos || c.id.rfind(w, 0) == 0;
      });
      if (!wanted) continue;
      found = true;
      model::Service& svc = out.services[c.service];
      if (svc.image.empty()) svc.image = c.image;
      svc.scale = svc.scale.value_or(0) + 1;
      for (const auto& p : c.ports)
        if (auto port = port_from(p)) svc.ports.push_back(*port);
      for (const auto& ep : c.endpoints) {
        std::string network = ep.network;
        for (const auto& n : st->networks)
          if (n.key == ep.network) network = n.name;
        model::ServiceNetwork sn;
        sn.aliases = ep.names;
        svc.networks[network] = sn;
        out.networks[network];
      }
      from_bundle(out, svc, paths.bundle_dir(c.id) + "/config.json", g.root);
    }
  }
  if (!found) {
    std::string names;
    for (const auto& c : f.containers) names += (names.empty() ? "" : ",") + c;
    throw std::runtime_error("no container(s) found with the following name(s): " + names);
  }
  return out;
}

}  // namespace

void register_generate(CLI::App& alpha, const GlobalOptions& g, CommandResult&) {
  auto f = std::make_shared<GenerateFlags>();
  auto* cmd = alpha.add_subcommand("generate", "EXPERIMENTAL - Generate a Compose file from existing containers");
  cmd->add_option("--name", f->name, "Project name to set in the Compose file");
  cmd->add_option("--project-dir", f->project_dir, "Directory to use for the project");
  cmd->add_option("--format", f->format, "Format the output. Values: [yaml | json]")->capture_default_str();
  cmd->add_option("containers", f->containers, "Containers to generate the services from");
  cmd->callback([&g, f] {
    std::cerr << "generate command is EXPERIMENTAL\n";
    if (f->containers.empty()) throw std::runtime_error("at least one container must be specified");
    if (f->format != "yaml" && f->format != "json")
      throw std::runtime_error("unsupported format \"" + f->format + "\"");
    const model::Project project = generate(g, *f);
    if (f->format == "json")
      std::cout << model::to_json_text(model::project_to_json(project, model::Flavor::Json)) << "\n";
    else
      std::cout << model::to_yaml(model::project_to_json(project, model::Flavor::Yaml)) << "\n";
  });
}

}  // namespace berth::cli
