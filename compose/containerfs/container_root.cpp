// Opening a container's files (see container_root.hpp).
#include "compose/containerfs/container_root.hpp"

#include <fcntl.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/overlay_mount.hpp"
#include "common/shim_protocol.hpp"
#include "common/sys_error.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::containerfs {

namespace {

std::vector<std::string> split_colons(const std::string& text) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (start <= text.size()) {
    auto end = text.find(':', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// The running container's state, or nullopt when its shim is gone or it does not run.
std::optional<shim_protocol::State> live_state(const state::Paths& paths, const std::string& id) {
  const std::string dir = paths.shim_state_dir(id);
  if (!runtime::live_shim_pid(dir)) return std::nullopt;
  try {
    return shim_protocol::read_state(dir);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

ContainerLayers container_layers(const state::Paths& paths, const std::string& id) {
  const std::string config = paths.bundle_dir(id) + "/config.json";
  nlohmann::json spec = nlohmann::json::parse(read_file(config), nullptr, false);
  if (spec.is_discarded() || !spec.contains("annotations"))
    throw std::runtime_error("read container bundle `" + config + "`: not an OCI config");
  const auto& ann = spec["annotations"];
  ContainerLayers l;
  l.lowers = split_colons(ann.value("org.berth.rootfs.lower", ""));
  l.upper = ann.value("org.berth.rootfs.upper", "");
  l.work = ann.value("org.berth.rootfs.work", "");
  if (l.lowers.empty() || l.upper.empty() || l.work.empty())
    throw std::runtime_error("read container bundle `" + config + "`: no rootfs layers recorded");
  return l;
}

int running_pid(const state::Paths& paths, const std::string& id) {
  auto st = live_state(paths, id);
  if (!st || (st->status != "running" && st->status != "paused")) return 0;
  return st->pid;
}

UniqueFd open_container_root(const state::Paths& paths, const std::string& id) {
  if (auto st = live_state(paths, id)) {
    if (st->status == "restarting")
      throw std::runtime_error("container " + id + " is restarting, wait until it is running");
    if ((st->status == "running" || st->status == "paused") && st->pid > 0) {
      const std::string root = "/proc/" + std::to_string(st->pid) + "/root";
      UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!fd) throw_errno("open `" + root + "`");
      // The pid could have been reused between reading the state and opening it.
      if (running_pid(paths, id) != st->pid)
        throw std::runtime_error("container " + id + " stopped while being opened");
      return fd;
    }
  }
  ContainerLayers l = container_layers(paths, id);
  return open_detached_overlay(l.lowers, l.upper, l.work);
}

UniqueFd open_container_files(const state::Paths& paths, const std::string& id) {
  ContainerLayers l = container_layers(paths, id);
  std::vector<std::string> layers{l.upper};
  layers.insert(layers.end(), l.lowers.begin(), l.lowers.end());
  return open_detached_overlay(layers, "", "");
}

}  // namespace berth::containerfs
