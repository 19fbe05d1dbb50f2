// Opening a container's files (see container_root.hpp).
#include "compose/containerfs/container_root.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/in_root.hpp"
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

/// The PPid line of /proc/<pid>/status, read through the /proc/<pid> directory fd.
int parent_pid(int proc_fd) {
  UniqueFd status(::openat(proc_fd, "status", O_RDONLY | O_CLOEXEC));
  if (!status) return -1;
  std::istringstream in(read_all(status.get(), "status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("PPid:", 0) == 0) return std::atoi(line.c_str() + 5);
  return -1;
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

UniqueFd open_running_root(const state::Paths& paths, const std::string& id) {
  shim_protocol::State st;
  try {
    st = shim_protocol::read_state(paths.shim_state_dir(id));
  } catch (const std::exception&) {
    throw std::runtime_error("container " + id + " is not running");
  }
  if ((st.status != "running" && st.status != "paused") || st.pid <= 0)
    throw std::runtime_error("container " + id + " is not running");
  const std::string proc = "/proc/" + std::to_string(st.pid);
  UniqueFd proc_fd(::open(proc.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd) throw_errno("open `" + proc + "`");
  // The directory fd pins that process: if it is the shim's child now, it is the container's.
  if (parent_pid(proc_fd.get()) != st.shim_pid) throw std::runtime_error("container " + id + " is not running");
  UniqueFd root(::openat(proc_fd.get(), "root", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open `" + proc + "/root`");
  return root;
}

UniqueFd open_container_root(const state::Paths& paths, const std::string& id) {
  if (auto st = live_state(paths, id)) {
    if (st->status == "restarting")
      throw std::runtime_error("container " + id + " is restarting, wait until it is running");
    if (st->status == "running" || st->status == "paused") return open_running_root(paths, id);
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
