// berth-dns control. berth-dns daemonizes after binding and prints a readiness line, like the
// shim; its pid file is the handle. We check /proc/<pid>/exe before signalling so a stale pid
// file never makes us signal an unrelated process.
// A container's compose `dns` servers become its `upstreams` in the records: its resolv.conf
// keeps berth-dns (service names must resolve) and berth-dns forwards its other queries there,
// as Docker's embedded resolver does with a container's "ExtServers".
#include "compose/runtime/dns.hpp"

#include <arpa/inet.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/dns_process.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::runtime {

namespace fs = std::filesystem;

bool dns_available() {
  try {
    state::dns_binary();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

namespace {

/// The servers of compose `dns` berth-dns can use: IP addresses (compose and Docker take
/// nothing else there). Anything else is left out rather than making the whole records file,
/// and so every container's name resolution, invalid.
std::vector<std::string> upstreams(const std::vector<std::string>& dns) {
  std::vector<std::string> out;
  unsigned char buf[16];
  for (const auto& s : dns)
    if (::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1) out.push_back(s);
  return out;
}

}  // namespace

namespace {
/// RFC 1035 names as berth-dns takes them: labels of 1–63 letters, digits, '-' or '_', 253 in all.
bool is_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    if (++label > 63) return false;
  }
  return label > 0;
}
}  // namespace

namespace {
/// docker compose's getLinks: `links: ["db:database"]` on container number N gives it the
/// aliases `database`, `db-N` and `<project>-db-N` for every container of service db (N is the
/// linking container's number, as compose has it). berth-dns shows them to this container only.
nlohmann::json link_aliases(const state::ProjectState& state, const state::ContainerRecord& c) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& link : c.links) {
    const std::string service = link.substr(0, link.find(':'));
    const std::string alias = link.find(':') == std::string::npos ? service : link.substr(link.find(':') + 1);
    const std::string number = std::to_string(c.number);
    for (const auto& target : state.containers) {
      if (target.service != service || target.oneoff || !is_dns_name(target.name)) continue;
      for (const std::string& name : {alias, service + "-" + number, state.name + "-" + service + "-" + number})
        if (is_dns_name(name)) out.push_back({{"name", name}, {"container", target.name}});
    }
  }
  return out;
}
}  // namespace

nlohmann::json dns_records(const state::ProjectState& state, std::vector<std::string>* skipped) {
  nlohmann::json nets = nlohmann::json::array(), ctrs = nlohmann::json::array();
  for (const auto& n : state.networks)
    if (!n.gateway.empty()) nets.push_back({{"id", n.id}, {"gateway", n.gateway}});
  auto served = [&](const std::string& network_id) {  // not the default bridge: it has no DNS
    return std::any_of(state.networks.begin(), state.networks.end(), [&](const auto& n) { return n.id == network_id; });
  };
  for (const auto& c : state.containers) {
    nlohmann::json eps = nlohmann::json::array();
    for (const auto& e : c.endpoints)
      if (!e.address.empty() && served(e.network_id)) {
        std::vector<std::string> names;
        for (const auto& n : e.names) {
          if (is_dns_name(n))
            names.push_back(n);
          else if (skipped && std::find(skipped->begin(), skipped->end(), n) == skipped->end())
            skipped->push_back(n);
        }
        eps.push_back({{"network", e.network_id}, {"address", e.address}, {"names", names}});
      }
    if (eps.empty()) continue;
    nlohmann::json ctr = {{"id", c.id}, {"name", c.name}, {"service", c.service}, {"endpoints", eps}};
    if (auto servers = upstreams(c.dns); !servers.empty()) ctr["upstreams"] = servers;
    if (auto links = link_aliases(state, c); !links.empty()) ctr["links"] = std::move(links);
    ctrs.push_back(std::move(ctr));
  }
  return {{"ttl", 5}, {"networks", nets}, {"containers", ctrs}};
}

std::vector<std::string> sync_dns(const state::Paths& paths, const state::ProjectState& state) {
  std::vector<std::string> skipped;
  nlohmann::json records = dns_records(state, &skipped);
  if (records["containers"].empty() || records["networks"].empty()) {
    stop_dns(paths, state.name);
    return skipped;
  }
  if (!dns_available()) return skipped;
  std::string dir = paths.project_run_dir(state.name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const UniqueFd lock = lock_dns_dir(dir);  // a shim may be restarting it (dns_process.hpp)
  std::string text = records.dump(2) + "\n";
  std::string path = dir + "/dns.json";
  int pid = live_dns_pid(dir);
  if (pid && fs::exists(path)) {
    try {
      if (read_file(path) == text) return skipped;  // nothing changed: no reload
    } catch (const std::exception&) {
    }
  }
  write_file_atomic(path, text);
  if (pid)
    ::kill(pid, SIGHUP);
  else
    start_dns_process(state::dns_binary(), dir);
  return skipped;
}

bool dns_down(const state::Paths& paths, const std::string& project) {
  const std::string dir = paths.project_run_dir(project);
  std::error_code ec;
  return fs::exists(dir + "/dns.json", ec) && live_dns_pid(dir) == 0;
}

void stop_dns(const state::Paths& paths, const std::string& project) {
  std::string dir = paths.project_run_dir(project);
  const UniqueFd lock = lock_dns_dir(dir);
  std::error_code ec;
  fs::remove(dir + "/dns.json", ec);  // not wanted any more: no shim starts it again
  if (int pid = live_dns_pid(dir)) {
    ::kill(pid, SIGTERM);
    // live_dns_pid() turns 0 once the process has exited, zombie or not (its exe link is gone).
    for (int i = 0; i < 400 && live_dns_pid(dir) == pid; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (live_dns_pid(dir) == pid) ::kill(pid, SIGKILL);
  }
  fs::remove_all(dir, ec);
}

}  // namespace berth::runtime
