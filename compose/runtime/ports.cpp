// Host port checks. Docker reports a taken port when its proxy fails to bind; Berth has no
// proxy (kernel NAT only), so `up` tests each fixed host port with a bind of its own and looks
// through the recorded ports of every Berth container under the same root.
#include "compose/runtime/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <stdexcept>

#include "common/unique_fd.hpp"
#include "compose/state/state_store.hpp"

namespace berth::runtime {

namespace {

/// 0 when the port could be bound, else errno. `port` 0 picks one: returned through `port`.
int try_bind(const std::string& host_ip, uint16_t& port, const std::string& proto) {
  UniqueFd fd(::socket(AF_INET, (proto == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!fd) return errno;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (host_ip.empty() || ::inet_pton(AF_INET, host_ip.c_str(), &addr.sin_addr) != 1) addr.sin_addr.s_addr = INADDR_ANY;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return errno;
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return 0;
}

uint16_t parse_port(const std::string& text, const std::string& service) {
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used == text.size() && v > 0 && v < 65536) return static_cast<uint16_t>(v);
  } catch (const std::exception&) {
  }
  throw std::runtime_error("service \"" + service + "\": invalid published port \"" + text + "\"");
}

std::string shown_ip(const std::string& ip) { return ip.empty() ? "0.0.0.0" : ip; }

}  // namespace

std::string port_text(const std::string& host_ip, unsigned host_port, unsigned target, const std::string& proto) {
  return shown_ip(host_ip) + ":" + std::to_string(host_port) + "->" + std::to_string(target) + "/" +
         (proto.empty() ? "tcp" : proto);
}

network::PortMapping parse_port_text(const std::string& text) {
  const auto arrow = text.find("->");
  const auto colon = arrow == std::string::npos ? std::string::npos : text.rfind(':', arrow);
  const auto slash = text.find('/', arrow == std::string::npos ? 0 : arrow);
  network::PortMapping p;
  try {
    if (colon == std::string::npos || slash == std::string::npos) throw std::invalid_argument(text);
    p.host_ip = text.substr(0, colon);
    p.host_port = static_cast<uint16_t>(std::stoul(text.substr(colon + 1, arrow - colon - 1)));
    p.container_port = static_cast<uint16_t>(std::stoul(text.substr(arrow + 2, slash - arrow - 2)));
    p.protocol = text.substr(slash + 1);
  } catch (const std::exception&) {
    throw std::runtime_error("recorded port \"" + text + "\" is not of the form IP:PORT->PORT/PROTO");
  }
  if (p.host_ip == "0.0.0.0") p.host_ip.clear();
  return p;
}

std::vector<std::string> exposed_only(const std::vector<std::string>& expose,
                                      const std::vector<std::string>& image_exposed,
                                      const std::vector<network::PortMapping>& published) {
  std::set<std::pair<unsigned, std::string>> ports;
  auto add = [&](const std::string& spec) {
    std::string proto = "tcp", range = spec;
    if (auto slash = spec.find('/'); slash != std::string::npos) {
      proto = spec.substr(slash + 1);
      range = spec.substr(0, slash);
    }
    try {
      auto dash = range.find('-');
      unsigned first = static_cast<unsigned>(std::stoul(range.substr(0, dash)));
      unsigned last = dash == std::string::npos ? first : static_cast<unsigned>(std::stoul(range.substr(dash + 1)));
      for (unsigned p = first; p <= last && p <= 65535; ++p) ports.emplace(p, proto);
    } catch (const std::exception&) {  // the loader validated `expose`; an odd image EXPOSE is skipped
    }
  };
  for (const auto& e : expose) add(e);
  for (const auto& e : image_exposed) add(e);
  for (const auto& m : published) ports.erase({m.container_port, m.protocol.empty() ? "tcp" : m.protocol});
  std::vector<std::string> out;
  for (const auto& [port, proto] : ports) out.push_back(std::to_string(port) + "/" + proto);
  return out;
}

std::vector<network::PortMapping> publish_ports(const model::Service& svc) {
  std::vector<network::PortMapping> out;
  for (const auto& p : svc.ports) {
    network::PortMapping m;
    m.host_ip = p.host_ip == "0.0.0.0" ? "" : p.host_ip;
    m.container_port = static_cast<uint16_t>(p.target);
    m.protocol = p.protocol.empty() ? "tcp" : p.protocol;
    if (m.host_ip.find(':') != std::string::npos) continue;  // IPv6 host addresses: not supported (IPv4 NAT only)
    uint16_t port = 0;
    if (auto dash = p.published.find('-'); dash != std::string::npos) {
      uint16_t lo = parse_port(p.published.substr(0, dash), svc.name);
      uint16_t hi = parse_port(p.published.substr(dash + 1), svc.name);
      for (uint16_t c = lo; c <= hi && !port; ++c) {
        uint16_t probe = c;
        if (try_bind(m.host_ip, probe, m.protocol) == 0) port = c;
      }
      if (!port)
        throw std::runtime_error("Bind for " + shown_ip(m.host_ip) + ":" + p.published +
                                 " failed: port is already allocated");
    } else if (!p.published.empty()) {
      port = parse_port(p.published, svc.name);
    } else {
      try_bind(m.host_ip, port, m.protocol);  // ephemeral: the kernel picks a free port
    }
    m.host_port = port;
    out.push_back(m);
  }
  return out;
}

void check_ports_free(const state::Paths& paths, const model::Service& svc,
                      const std::vector<std::string>& except_ids) {
  std::vector<std::string> recorded;
  for (const auto& project : state::list_projects(paths)) {
    auto state = state::read_project_state(paths, project);
    if (!state) continue;
    for (const auto& c : state->containers) {
      if (std::find(except_ids.begin(), except_ids.end(), c.id) != except_ids.end()) continue;
      recorded.insert(recorded.end(), c.ports.begin(), c.ports.end());
    }
  }
  for (const auto& p : svc.ports) {
    if (p.published.empty() || p.published.find('-') != std::string::npos) continue;
    std::string ip = p.host_ip == "0.0.0.0" ? "" : p.host_ip;
    std::string proto = p.protocol.empty() ? "tcp" : p.protocol;
    uint16_t port = parse_port(p.published, svc.name);
    const std::string taken = "Bind for " + shown_ip(ip) + ":" + p.published + " failed: port is already allocated";
    const std::string suffix = ":" + p.published + "->";
    for (const auto& r : recorded) {
      auto at = r.find(suffix);
      if (at == std::string::npos || r.substr(r.size() - proto.size()) != proto) continue;
      std::string rip = r.substr(0, at);
      if (rip == "0.0.0.0" || shown_ip(ip) == "0.0.0.0" || rip == shown_ip(ip)) throw std::runtime_error(taken);
    }
    uint16_t probe = port;
    if (int err = try_bind(ip, probe, proto); err == EADDRINUSE) throw std::runtime_error(taken);
  }
}

}  // namespace berth::runtime
