// The default bridge and its legacy links (see default_bridge.hpp).
#include "compose/runtime/default_bridge.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include "common/atomic_file.hpp"

namespace berth::runtime {

network::NetworkConfig default_bridge_config() {
  network::NetworkConfig c;
  c.name = "berth-default";
  c.labels = {{"org.berth.purpose", "default-bridge"}};
  return c;
}

namespace {

struct LinkPort {
  unsigned number = 0;
  std::string proto;
};

/// The container ports a linked container exposes (Docker's Config.ExposedPorts: EXPOSE,
/// `expose:` and published targets), from its record ("80/tcp", "0.0.0.0:8080->80/tcp"),
/// ordered as moby's withTCPPriority: tcp first, then by number.
std::vector<LinkPort> link_ports(const state::ContainerRecord& c) {
  std::vector<LinkPort> out;
  auto add = [&](std::string text) {
    if (auto arrow = text.find("->"); arrow != std::string::npos) text.erase(0, arrow + 2);
    const auto slash = text.find('/');
    if (slash == std::string::npos || slash == 0) return;
    LinkPort p{static_cast<unsigned>(std::stoul(text.substr(0, slash))), text.substr(slash + 1)};
    if (std::none_of(out.begin(), out.end(),
                     [&](const LinkPort& q) { return q.number == p.number && q.proto == p.proto; }))
      out.push_back(p);
  };
  for (const auto& t : c.exposed) add(t);
  for (const auto& t : c.ports) add(t);
  std::sort(out.begin(), out.end(), [](const LinkPort& a, const LinkPort& b) {
    return std::make_tuple(a.proto != "tcp", a.proto, a.number) < std::make_tuple(b.proto != "tcp", b.proto, b.number);
  });
  return out;
}

std::string upper_proto(const std::string& proto) {
  std::string up = proto;
  for (char& ch : up) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return up;
}

/// moby's links.(*Link).ToEnv for link `name` ("/<parent>/<alias>") to a container at `ip`.
void link_env(std::vector<std::string>& env, const std::string& name, const std::string& ip,
              const std::vector<LinkPort>& ports, const std::vector<std::string>& child_env) {
  std::string alias = name.substr(name.rfind('/') + 1);
  for (char& ch : alias) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto url = [&](const LinkPort& p) { return p.proto + "://" + ip + ":" + std::to_string(p.number); };
  auto prefix_of = [&](const LinkPort& p) {
    return alias + "_PORT_" + std::to_string(p.number) + "_" + upper_proto(p.proto);
  };
  LinkPort start, end;
  for (size_t i = 0; i < ports.size(); ++i) {
    const LinkPort& p = ports[i];
    if (i == 0) {
      start = end = p;
      env.push_back(alias + "_PORT=" + url(p));
    }
    const std::string prefix = prefix_of(p);
    env.push_back(prefix + "=" + url(p));
    env.push_back(prefix + "_ADDR=" + ip);
    env.push_back(prefix + "_PORT=" + std::to_string(p.number));
    env.push_back(prefix + "_PROTO=" + p.proto);
    if (p.number == end.number + 1 && p.proto == end.proto) {  // part of a range
      end = p;
      if (i + 1 < ports.size()) continue;
    }
    if (end.number != start.number || end.proto != start.proto) {
      const std::string range = prefix_of(start);
      env.push_back(range + "_START=" + url(start));
      env.push_back(range + "_PORT_START=" + std::to_string(start.number));
      env.push_back(range + "_END=" + url(end));
      env.push_back(range + "_PORT_END=" + std::to_string(end.number));
    }
    start = end = p;
  }
  env.push_back(alias + "_NAME=" + name);
  for (const auto& v : child_env) {
    const auto eq = v.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = v.substr(0, eq);
    // moby skips HOME and PATH; HOSTNAME is in Berth's process env but not in Docker's Config.Env.
    if (key == "HOME" || key == "PATH" || key == "HOSTNAME") continue;
    env.push_back(alias + "_ENV_" + v);
  }
}

}  // namespace

LegacyLinks legacy_links(const state::Paths& paths, const state::ProjectState& state,
                         const state::ContainerRecord& rec) {
  LegacyLinks out;
  for (const auto& link : rec.links) {
    const auto colon = link.find(':');
    const std::string service = link.substr(0, colon);
    const std::string alias = colon == std::string::npos ? service : link.substr(colon + 1);
    const std::string number = std::to_string(rec.number);
    for (const auto& child : state.containers) {
      if (child.service != service || child.oneoff || child.status == "creating") continue;
      auto ep = std::find_if(child.endpoints.begin(), child.endpoints.end(),
                             [](const auto& e) { return e.network == kDefaultBridgeKey && !e.address.empty(); });
      if (ep == child.endpoints.end())
        throw std::runtime_error("Error response from daemon: container " + child.id +
                                 " not attached to default bridge network");
      const nlohmann::json config = nlohmann::json::parse(read_file(paths.bundle_dir(child.id) + "/config.json"));
      const std::string hostname = config.value("hostname", "");
      const auto child_env = config.at("process").value("env", std::vector<std::string>{});
      const std::vector<LinkPort> ports = link_ports(child);
      for (const std::string& name : {alias, service + "-" + number, state.name + "-" + service + "-" + number}) {
        bundle::HostsEntry h{ep->address, {name}};
        if (!hostname.empty()) h.names.push_back(hostname);
        if (name != child.name) h.names.push_back(child.name);
        out.hosts.push_back(std::move(h));
        link_env(out.env, "/" + rec.name + "/" + name, ep->address, ports, child_env);
      }
    }
  }
  return out;
}

}  // namespace berth::runtime
