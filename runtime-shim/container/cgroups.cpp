// The container's cgroups, whatever the host has: cgroup v1 controllers, cgroup v2, or both (a
// hybrid host such as this project's VMs: v1 controllers carry the limits, and the unified
// hierarchy, which has no controllers there, still gives one directory holding every process of
// the container: cgroup.kill and cgroup.freeze work on it without any controller).
// Paths are relative to each hierarchy's root (OCI cgroupsPath; Berth's default "berth/<id>").
// Kernel quirks: a cgroup directory can be removed only once its last task has exited (zombies
// don't count), so destroy() kills first and retries rmdir for a moment; removing an empty
// shared parent ("berth") can race another container creating a child in it, so make_dirs()
// retries on ENOENT.
#include "runtime-shim/container/cgroups.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "runtime-shim/container/device_filter.hpp"
#include "runtime-shim/container/device_rules.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim::cgroups {

namespace {

/// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// rmdir that waits up to ~2 s for exiting tasks to leave; ENOENT counts as removed.
void remove_dir(const std::string& dir) {
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY || attempt >= 200) throw_errno("remove cgroup `" + dir + "`");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

/// Removes empty ancestors named like ours ("berth", "berth-x"): shared parents of containers.
void remove_berth_parents(const std::string& dir) {
  for (std::string p = parent_of(dir); p != "/" && base_of(p).find("berth") != std::string::npos; p = parent_of(p))
    if (::rmdir(p.c_str()) != 0) return;  // ENOTEMPTY/EBUSY: another container still uses it
}

/// Docker's device policy (device_rules.hpp) before the container runs anything: the v1 devices
/// controller is authoritative where mounted (v1 and hybrid hosts); otherwise a BPF program on the
/// v2 directory (pure v2, or a hybrid host without v1 devices: its unified tree runs them too).
void apply_device_policy(const Dirs& dirs, const std::vector<DeviceRule>& configured) {
  const std::vector<DeviceRule> rules = container_device_rules(configured);
  if (auto it = dirs.v1_by_controller.find("devices"); it != dirs.v1_by_controller.end()) {
    v1::set_devices(it->second, rules);
  } else if (!dirs.v2.empty()) {
    apply_device_filter(dirs.v2, rules);
  } else {
    const DevicePolicy policy = resolve_device_policy(rules);
    if (!policy.default_allow || !policy.exceptions.empty())
      throw std::runtime_error(
          "cgroups: no way to apply the device policy: neither the v1 devices controller nor cgroup v2 is mounted");
  }
}

}  // namespace

const std::vector<std::string>& v1_controllers() {
  static const std::vector<std::string> list = {"memory", "cpu", "cpuacct", "pids", "blkio", "freezer", "devices"};
  return list;
}

Layout parse_mountinfo(std::string_view mountinfo) {
  Layout layout;
  std::istringstream in{std::string(mountinfo)};
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string w; fields >> w;) f.push_back(w);
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash < 5 || dash + 3 > f.size()) continue;
    const std::string& fstype = f[dash + 1];
    const std::string mount_point = unescape_mountinfo(f[4]);
    if (fstype == "cgroup2") {
      if (layout.v2.empty()) layout.v2 = mount_point;
    } else if (fstype == "cgroup") {
      std::istringstream opts(f[dash + 3]);
      for (std::string opt; std::getline(opts, opt, ',');)
        for (const std::string& c : v1_controllers())
          if (opt == c && !layout.v1.count(c)) layout.v1[c] = mount_point;
    }
  }
  return layout;
}

Layout detect() { return parse_mountinfo(read_file_at(AT_FDCWD, "/proc/self/mountinfo")); }

std::vector<std::string> make_dirs(const std::string& root, const std::string& rel) {
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> made;
    std::string path = root;
    bool raced = false;
    for (const std::string& part : split_path(rel)) {
      path += "/" + part;
      if (::mkdir(path.c_str(), 0755) == 0) {
        made.push_back(path);
      } else if (errno == ENOENT && attempt < 5) {
        raced = true;  // a parent was just removed by another container's destroy(); start again
        break;
      } else if (errno != EEXIST) {
        int err = errno;
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
        throw SysError("create cgroup `" + path + "`", err);
      }
    }
    if (!raced) return made;
  }
}

std::vector<pid_t> procs(const std::string& dir) {
  std::vector<pid_t> out;
  std::string text;
  try {
    text = read_file_at(AT_FDCWD, dir + "/cgroup.procs");
  } catch (const SysError&) {
    return out;
  }
  std::istringstream in(text);
  for (long pid; in >> pid;) out.push_back(static_cast<pid_t>(pid));
  return out;
}

long long keyed_value(const std::string& text, std::string_view key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ' ')
      return std::stoll(line.substr(key.size() + 1));
  }
  return -1;
}

Dirs create(const Layout& layout, const std::string& rel, const Resources& r, std::vector<std::string>& warnings) {
  if (layout.v1.empty() && layout.v2.empty()) throw std::runtime_error("cgroups: no cgroup file system is mounted");
  if (split_path(rel).empty() || rel.find("..") != std::string::npos)
    throw std::runtime_error("cgroups: bad cgroup path \"" + rel +
                             "\" (relative to each hierarchy's root, e.g. berth/<id>)");
  Dirs dirs;
  std::vector<std::string> made;  // everything created, for the rollback
  ScopeExit rollback([&] {
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
  });
  auto make = [&](const std::string& root) {
    std::string leaf = root + "/" + rel;
    std::vector<std::string> created = make_dirs(root, rel);
    made.insert(made.end(), created.begin(), created.end());
    // A leftover directory of a container with the same id is reused only if it is empty.
    if ((created.empty() || created.back() != leaf) && !procs(leaf).empty())
      throw std::runtime_error("cgroup `" + leaf + "` already exists and has processes");
    return leaf;
  };

  std::map<std::string, std::string> by_mount;  // v1 mount point -> leaf (cpu,cpuacct share one)
  for (const std::string& c : v1_controllers()) {
    auto it = layout.v1.find(c);
    if (it == layout.v1.end()) continue;
    auto [pos, fresh] = by_mount.emplace(it->second, std::string());
    if (fresh) {
      pos->second = make(it->second);
      dirs.v1.push_back(pos->second);
    }
    dirs.v1_by_controller[c] = pos->second;
  }
  if (!layout.v2.empty()) {
    dirs.v2 = make(layout.v2);
    // Parents first exist, then get the controllers; the new leaf has no processes yet.
    if (layout.pure_v2()) v2::enable_controllers(layout.v2, rel, warnings);
  }

  if (layout.pure_v2()) {
    v2::set_limits(dirs.v2, r, warnings);
  } else {
    auto need = [&](const char* controller, bool wanted) -> std::string {
      auto it = dirs.v1_by_controller.find(controller);
      if (it != dirs.v1_by_controller.end()) return it->second;
      if (wanted)
        throw std::runtime_error(std::string("cgroups: a ") + controller + " limit needs the v1 " + controller +
                                 " controller, which is not mounted");
      return "";
    };
    std::string mem = need("memory", r.memory_limit || r.memory_swap);
    if (!mem.empty()) v1::set_memory(mem, r, warnings);
    std::string cpu = need("cpu", r.cpu_shares || r.cpu_quota || r.cpu_period);
    if (!cpu.empty()) v1::set_cpu(cpu, r);
    std::string pids = need("pids", r.pids_limit.has_value());
    if (!pids.empty()) v1::set_pids(pids, r);
  }
  apply_device_policy(dirs, r.devices);
  rollback.dismiss();
  return dirs;
}

void add_pid(const Dirs& dirs, pid_t pid) {
  const std::string value = std::to_string(pid);
  for (const std::string& d : dirs.v1) write_file_at(AT_FDCWD, d + "/cgroup.procs", value, d + "/cgroup.procs");
  if (!dirs.v2.empty()) write_file_at(AT_FDCWD, dirs.v2 + "/cgroup.procs", value, dirs.v2 + "/cgroup.procs");
}

void kill_all(const std::vector<std::string>& v1_dirs, const std::string& v2_dir) {
  bool killed_by_v2 = false;
  try {
    killed_by_v2 = !v2_dir.empty() && v2::kill_all(v2_dir);
  } catch (const std::exception&) {
    // e.g. the directory is already gone; the v1 round below still runs
  }
  if (!v1_dirs.empty()) {
    std::string freezer;
    for (const std::string& d : v1_dirs)
      if (::access((d + "/freezer.state").c_str(), F_OK) == 0) freezer = d;
    v1::kill_all(v1_dirs, freezer);
  }
  // Wait (briefly) until every directory is empty: SIGKILL is delivered asynchronously.
  for (int i = 0; i < 200; ++i) {
    bool empty = v2_dir.empty() || procs(v2_dir).empty();
    for (const std::string& d : v1_dirs) empty = empty && procs(d).empty();
    if (empty) return;
    if (killed_by_v2 && i % 50 == 49) {
      try {
        v2::kill_all(v2_dir);
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void destroy(const std::vector<std::string>& v1_dirs, const std::string& v2_dir) {
  kill_all(v1_dirs, v2_dir);
  std::string first_error;
  auto remove = [&](const std::string& d) {
    try {
      remove_dir(d);
      remove_berth_parents(d);
    } catch (const std::exception& e) {
      if (first_error.empty()) first_error = e.what();
    }
  };
  for (const std::string& d : v1_dirs) remove(d);
  if (!v2_dir.empty()) remove(v2_dir);
  if (!first_error.empty()) throw std::runtime_error(first_error);
}

}  // namespace berth::shim::cgroups
