// Firewall: runs the JSON that firewall_json.cpp builds through libnftables.
//
// Each public call is: [flock] → list (tables; then table inet berth and table ip filter when they
// exist) → build one transaction → nft_run_cmd_from_buffer. libnftables applies a JSON buffer as
// one netlink batch, so a call either changes everything it meant to or nothing. Errors come back
// in the context's error buffer; they are put into the exception with the operation.
//
// libnftables keeps global state (parser, caches) and its contexts are not thread-safe, so one
// process-wide mutex is held for the whole list+commit sequence; the host-wide flock (taken by
// the caller, or here with HostLock::take) keeps other processes out of the same window.
#include <fcntl.h>
#include <nftables/libnftables.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/network/firewall.hpp"

namespace berth::network {
namespace {

using nlohmann::json;

std::mutex g_nft_mutex;

/// One libnftables context with buffered JSON output and buffered errors.
class NftContext {
 public:
  NftContext() : m_ctx(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (m_ctx == nullptr) throw std::runtime_error("nft: cannot create a libnftables context");
    nft_ctx_output_set_flags(m_ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
    if (nft_ctx_buffer_output(m_ctx) != 0 || nft_ctx_buffer_error(m_ctx) != 0) {
      nft_ctx_free(m_ctx);
      throw std::runtime_error("nft: cannot buffer libnftables output");
    }
  }
  ~NftContext() { nft_ctx_free(m_ctx); }
  NftContext(const NftContext&) = delete;
  NftContext& operator=(const NftContext&) = delete;

  /// Runs `commands`; returns the parsed output (an empty object when nft printed nothing).
  json run(const json& commands, const std::string& what) {
    const std::string text = commands.dump();
    if (nft_run_cmd_from_buffer(m_ctx, text.c_str()) != 0) {
      std::string error = nft_ctx_get_error_buffer(m_ctx);
      while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
      throw std::runtime_error("nft: " + what + ": " + (error.empty() ? "failed" : error));
    }
    const char* out = nft_ctx_get_output_buffer(m_ctx);
    if (out == nullptr || *out == '\0') return json::object();
    try {
      return json::parse(out);
    } catch (const json::parse_error& e) {
      throw std::runtime_error("nft: " + what + ": unreadable JSON output: " + e.what());
    }
  }

 private:
  nft_ctx* m_ctx;
};

json list_command(json object) { return {{"nftables", json::array({{{"list", std::move(object)}}})}}; }

/// Lists what the builders need: table inet berth and, if present, table ip filter.
nft::RulesetView read_view(NftContext& nft) {
  const json tables = nft.run(list_command({{"tables", nullptr}}), "list tables");
  bool berth = false;
  bool filter = false;
  if (auto items = tables.find("nftables"); items != tables.end() && items->is_array()) {
    for (const auto& item : *items) {
      auto table = item.find("table");
      if (table == item.end()) continue;
      const auto family = table->value("family", "");
      const auto name = table->value("name", "");
      berth = berth || (family == "inet" && name == "berth");
      filter = filter || (family == "ip" && name == "filter");
    }
  }
  std::vector<json> outputs;
  if (berth) {
    outputs.push_back(
        nft.run(list_command({{"table", {{"family", "inet"}, {"name", "berth"}}}}), "list table inet berth"));
  }
  if (filter) {
    outputs.push_back(
        nft.run(list_command({{"table", {{"family", "ip"}, {"name", "filter"}}}}), "list table ip filter"));
  }
  return nft::parse_view(outputs);
}

void apply(NftContext& nft, const json& transaction, const std::string& what) {
  if (transaction.at("nftables").empty()) return;  // nothing to change
  nft.run(transaction, what);
}

void check_interface_name(const std::string& name) {
  if (name.empty() || name.size() > 15 || name.find('/') != std::string::npos || name == "." || name == "..") {
    throw std::invalid_argument("firewall: not an interface name: `" + name + "`");
  }
}

/// Lets the kernel route 127.0.0.0/8-sourced packets out of the bridge (DNAT of connections to
/// 127.0.0.1) and accept their replies; Docker sets the same on its bridges. Per interface, so
/// it goes away with the bridge.
void enable_route_localnet(const std::string& bridge) {
  check_interface_name(bridge);
  const std::string path = "/proc/sys/net/ipv4/conf/" + bridge + "/route_localnet";
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno("open `" + path + "` (does bridge " + bridge + " exist?)");
  if (::write(fd.get(), "1\n", 2) != 2) throw_errno("write `" + path + "`");
}

/// With br_netfilter loaded (bridge-nf-call-iptables=1, as on this machine kind), a container
/// reaching a published port of its own through a host address is DNATed while being bridged and
/// sent back out of the port it came in on, which a bridge only does in hairpin mode (Docker sets
/// it on its veths too). Set on every port of the bridge, so the endpoint's new veth is covered.
void enable_hairpin(const std::string& bridge) {
  check_interface_name(bridge);
  const std::string dir = "/sys/class/net/" + bridge + "/brif";
  std::error_code ec;
  for (const auto& port : std::filesystem::directory_iterator(dir, ec)) {
    const std::string path = port.path().string() + "/hairpin_mode";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd && errno == ENOENT) continue;  // the port left the bridge meanwhile
    if (!fd) throw_errno("open `" + path + "`");
    if (::write(fd.get(), "1\n", 2) != 2) throw_errno("write `" + path + "`");
  }
  if (ec) throw SysError("list ports of bridge `" + dir + "`", ec.value());
}

/// Serialises one Firewall call: the process-wide mutex, then the host flock if asked to.
class CallLock {
 public:
  CallLock(HostLock mode, const std::string& path) : m_guard(g_nft_mutex) {
    if (mode != HostLock::take) return;
    m_fd = lock_file(path);
  }

 private:
  std::lock_guard<std::mutex> m_guard;
  UniqueFd m_fd;  // closing it releases the flock
};

}  // namespace

Firewall::Firewall(HostLock lock, std::string lock_path) : m_lock(lock), m_lock_path(std::move(lock_path)) {}

void Firewall::add_network(const FirewallNetwork& network) {
  CallLock lock(m_lock, m_lock_path);
  enable_route_localnet(network.bridge);
  NftContext nft;
  apply(nft, nft::add_network_commands(network, read_view(nft)), "add network " + network.id);
}

void Firewall::remove_network(const std::string& network_id) {
  CallLock lock(m_lock, m_lock_path);
  NftContext nft;
  apply(nft, nft::remove_network_commands(network_id, read_view(nft)), "remove network " + network_id);
}

void Firewall::add_endpoint(const FirewallEndpoint& endpoint) {
  CallLock lock(m_lock, m_lock_path);
  enable_hairpin(endpoint.bridge);
  NftContext nft;
  apply(nft, nft::add_endpoint_commands(endpoint, read_view(nft)),
        "add container " + endpoint.container_id + " on network " + endpoint.network_id);
}

void Firewall::remove_endpoint(const std::string& container_id, const std::string& network_id) {
  CallLock lock(m_lock, m_lock_path);
  NftContext nft;
  apply(nft, nft::remove_endpoint_commands(container_id, network_id, read_view(nft)),
        "remove container " + container_id);
}

FirewallTags Firewall::tags() const {
  CallLock lock(m_lock, m_lock_path);
  NftContext nft;
  return nft::tags_of(read_view(nft));
}

std::vector<std::string> Firewall::tagged_ids() const {
  FirewallTags all = tags();
  std::vector<std::string> ids = std::move(all.networks);
  ids.insert(ids.end(), all.containers.begin(), all.containers.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace berth::network
