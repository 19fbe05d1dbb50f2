// The network registry: `<root>/networks/<id>.json`, one file per network holding its
// addressing and the leases (container id → address). Files are replaced atomically, so a
// crash leaves the old or the new record; callers serialise writers with the host-wide lock.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/gocompat/sha256.hpp"
#include "compose/network/ipam.hpp"

namespace berth::network {

std::string network_id(const std::string& root, const std::string& name) {
  std::string input = root;
  input.push_back('\0');
  input += name;
  return gocompat::sha256_hex(input).substr(0, 12);
}

std::string bridge_name(const std::string& network_id) { return "berth-" + network_id.substr(0, 9); }

std::string host_veth_name(const std::string& container_id, const std::string& network_id) {
  return "berth" + gocompat::sha256_hex(container_id + network_id).substr(0, 10);
}

std::string peer_veth_name(const std::string& container_id, const std::string& network_id) {
  return "bt" + gocompat::sha256_hex(container_id + network_id).substr(0, 10);
}

void to_json(nlohmann::json& j, const NetworkRecord& r) {
  j = nlohmann::json{{"id", r.id},
                     {"name", r.name},
                     {"project", r.project},
                     {"bridge", r.bridge},
                     {"subnet", r.subnet},
                     {"gateway", r.gateway},
                     {"ip_range", r.ip_range},
                     {"mtu", r.mtu},
                     {"internal", r.internal},
                     {"labels", r.labels},
                     {"leases", r.leases}};
}

void from_json(const nlohmann::json& j, NetworkRecord& r) {
  j.at("id").get_to(r.id);
  j.at("name").get_to(r.name);
  r.project = j.value("project", "");
  j.at("bridge").get_to(r.bridge);
  j.at("subnet").get_to(r.subnet);
  j.at("gateway").get_to(r.gateway);
  r.ip_range = j.value("ip_range", "");
  r.mtu = j.value("mtu", 1500);
  r.internal = j.value("internal", false);
  r.labels = j.value("labels", std::map<std::string, std::string>{});
  r.leases = j.value("leases", std::map<std::string, std::string>{});
}

Registry::Registry(std::string root) : m_dir(std::move(root) + "/networks") {}

std::string Registry::path(const std::string& id) const { return m_dir + "/" + id + ".json"; }

std::optional<NetworkRecord> Registry::load(const std::string& id) const {
  const std::string file = path(id);
  if (::access(file.c_str(), F_OK) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno(fmt::format("access `{}`", file));
  }
  try {
    return nlohmann::json::parse(read_file(file)).get<NetworkRecord>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("network registry `{}`: {}", file, e.what()));
  }
}

void Registry::save(const NetworkRecord& r) const {
  std::error_code ec;
  std::filesystem::create_directories(m_dir, ec);
  if (ec) throw SysError(fmt::format("mkdir `{}`", m_dir), ec.value());
  write_file_atomic(path(r.id), nlohmann::json(r).dump(2) + "\n");
}

void Registry::remove(const std::string& id) const {
  const std::string file = path(id);
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) throw_errno(fmt::format("unlink `{}`", file));
}

std::vector<NetworkRecord> Registry::list() const {
  std::vector<NetworkRecord> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
    const auto name = entry.path().filename().string();
    // Skip the atomic writer's temporaries and anything that is not `<12 hex>.json`.
    if (name.size() != 17 || !name.ends_with(".json")) continue;
    try {
      if (auto r = load(name.substr(0, 12))) out.push_back(std::move(*r));
    } catch (const std::exception&) {
      // A corrupt file must not hide the other networks from `down`; load() reports it.
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace berth::network
