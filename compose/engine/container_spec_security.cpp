// Namespaces, capabilities, privileged, security_opt, devices and sysctls.
//  - namespaces: pid, ipc, uts, cgroup unless the service asks for the host's ("host"); mount
//    always; network = the engine's netns (path), none for network_mode host.
//  - capabilities: Docker's default set, cap_drop then cap_add applied (ALL on either side);
//    left out of config.json when untouched so the shim applies its own default.
//  - privileged: every capability, no masked or read-only /proc paths, seccomp off, every host
//    device in /dev, /sys writable — Docker's --privileged.
//  - devices: "host[:container[:perms]]" → an OCI device with type and major/minor from stat(2)
//    of the host node (a directory maps every device below it).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "compose/engine/container_spec_detail.hpp"

namespace berth::engine::detail {

namespace {

const std::vector<std::string>& default_caps() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE",     "CAP_FSETID",     "CAP_FOWNER", "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",          "CAP_SETUID",     "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",   "CAP_AUDIT_WRITE"};
  return caps;
}

/// Every capability Linux defines (up to 6.x); the shim leaves out those its kernel lacks or
/// that are outside its own bounding set, with a warning.
const std::vector<std::string>& all_caps() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",          "CAP_DAC_OVERRIDE",  "CAP_DAC_READ_SEARCH", "CAP_FOWNER",       "CAP_FSETID",
      "CAP_KILL",           "CAP_SETGID",        "CAP_SETUID",          "CAP_SETPCAP",      "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",     "CAP_NET_RAW",      "CAP_IPC_LOCK",
      "CAP_IPC_OWNER",      "CAP_SYS_MODULE",    "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",   "CAP_SYS_PTRACE",
      "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",     "CAP_SYS_BOOT",        "CAP_SYS_NICE",     "CAP_SYS_RESOURCE",
      "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",          "CAP_LEASE",        "CAP_AUDIT_WRITE",
      "CAP_AUDIT_CONTROL",  "CAP_SETFCAP",       "CAP_MAC_OVERRIDE",    "CAP_MAC_ADMIN",    "CAP_SYSLOG",
      "CAP_WAKE_ALARM",     "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",      "CAP_PERFMON",      "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE"};
  return caps;
}

std::string cap_name(std::string c) {
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return c == "ALL" || c.rfind("CAP_", 0) == 0 ? c : "CAP_" + c;
}

void set_caps(Build& b, const std::vector<std::string>& caps) {
  b.config["process"]["capabilities"] = {
      {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", nlohmann::json::array()},
      {"ambient", nlohmann::json::array()}};
}

void add_capabilities(Build& b) {
  const model::Service& s = b.in.service;
  if (s.privileged) {
    set_caps(b, all_caps());
    return;
  }
  if (s.cap_add.empty() && s.cap_drop.empty()) return;
  std::vector<std::string> caps = default_caps();
  for (const auto& raw : s.cap_drop) {
    std::string c = cap_name(raw);
    if (c == "ALL") caps.clear();
    else std::erase(caps, c);
  }
  for (const auto& raw : s.cap_add) {
    std::string c = cap_name(raw);
    if (c == "ALL") {
      caps = all_caps();
      break;
    }
    if (std::find(all_caps().begin(), all_caps().end(), c) == all_caps().end()) {
      b.warn("cap_add", "unknown capability \"" + raw + "\", ignored");
      continue;
    }
    if (std::find(caps.begin(), caps.end(), c) == caps.end()) caps.push_back(c);
  }
  set_caps(b, caps);
}

void add_device(Build& b, const std::string& host, const std::string& target, nlohmann::json& out, int depth) {
  struct stat st {};
  if (::stat(host.c_str(), &st) != 0)
    b.fail("devices", "host device `" + host + "`: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    if (depth > 8) return;
    DIR* d = ::opendir(host.c_str());
    if (!d) b.fail("devices", "host device directory `" + host + "`: " + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      struct stat sub {};
      std::string p = host + "/" + n;
      if (::lstat(p.c_str(), &sub) != 0 || S_ISLNK(sub.st_mode)) continue;
      if (S_ISDIR(sub.st_mode) || S_ISCHR(sub.st_mode) || S_ISBLK(sub.st_mode))
        add_device(b, p, target + "/" + n, out, depth + 1);
    }
    return;
  }
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
    if (depth == 0) b.fail("devices", "`" + host + "` is not a device");
    return;
  }
  out.push_back({{"path", target},
                 {"type", S_ISCHR(st.st_mode) ? "c" : "b"},
                 {"major", static_cast<std::int64_t>(major(st.st_rdev))},
                 {"minor", static_cast<std::int64_t>(minor(st.st_rdev))},
                 {"fileMode", st.st_mode & 0777},
                 {"uid", st.st_uid},
                 {"gid", st.st_gid}});
}

void add_devices(Build& b) {
  const model::Service& s = b.in.service;
  nlohmann::json devices = nlohmann::json::array();
  if (s.privileged) {
    // Docker's --privileged: every device node of the host's /dev (not pts/shm/mqueue, which the
    // container mounts itself).
    DIR* d = ::opendir("/dev");
    if (d) {
      std::vector<std::string> names;
      while (dirent* e = ::readdir(d)) names.push_back(e->d_name);
      ::closedir(d);
      std::sort(names.begin(), names.end());
      for (const auto& n : names) {
        struct stat st {};
        std::string p = "/dev/" + n;
        if (n == "console" || n == "ptmx" || n == "tty") continue;  // the shim makes these
        if (::lstat(p.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) add_device(b, p, p, devices, 1);
      }
    }
  }
  for (const auto& m : s.devices) {
    std::string target = m.target.empty() ? m.source : m.target;
    nlohmann::json kept = nlohmann::json::array();
    for (auto& d : devices)
      if (d["path"] != target) kept.push_back(std::move(d));
    devices = std::move(kept);
    add_device(b, m.source, target, devices, 0);
  }
  if (!devices.empty()) b.config["linux"]["devices"] = devices;
}

void add_security_opts(Build& b) {
  auto& ann = b.config["annotations"];
  for (const auto& opt : b.in.service.security_opt) {
    std::string key = opt, value;
    auto sep = opt.find_first_of("=:");
    if (sep != std::string::npos) {
      key = opt.substr(0, sep);
      value = opt.substr(sep + 1);
    }
    if (key == "no-new-privileges") {
      if (value.empty() || value == "true") b.config["process"]["noNewPrivileges"] = true;
      else if (value == "false") b.config["process"]["noNewPrivileges"] = false;
      else b.warn("security_opt", "\"" + opt + "\": expected no-new-privileges[:true|false], ignored");
    } else if (key == "seccomp" && value == "unconfined") {
      ann["org.berth.seccomp"] = "unconfined";
    } else if ((key == "label" && value == "disable") || (key == "apparmor" && value == "unconfined")) {
      // Neither SELinux labels nor AppArmor profiles are applied: already what was asked.
    } else {
      b.warn("security_opt", "\"" + opt + "\" is not supported, ignored");
    }
  }
}

void add_namespaces(Build& b) {
  const model::Service& s = b.in.service;
  nlohmann::json ns = nlohmann::json::array();
  auto shared = [&](const char* key, const std::string& mode, const char* type, std::initializer_list<const char*> ok) {
    if (mode == "host") return;
    bool known = mode.empty();
    for (const char* k : ok) known = known || mode == k;
    if (!known) b.warn(key, "\"" + mode + "\" is not supported, the container gets its own namespace");
    ns.push_back({{"type", type}});
  };
  shared("pid", s.pid, "pid", {});
  shared("ipc", s.ipc, "ipc", {"private", "shareable"});
  shared("uts", s.uts, "uts", {});
  ns.push_back({{"type", "mount"}});
  shared("cgroup", s.cgroup, "cgroup", {"private"});
  if (s.network_mode != "host") {
    nlohmann::json net = {{"type", "network"}};
    if (!b.in.netns_path.empty()) net["path"] = b.in.netns_path;
    ns.push_back(net);
  }
  b.config["linux"]["namespaces"] = ns;
}

}  // namespace

void build_security(Build& b) {
  const model::Service& s = b.in.service;
  add_namespaces(b);
  add_capabilities(b);
  add_security_opts(b);
  if (s.privileged) {
    b.config["linux"]["maskedPaths"] = nlohmann::json::array();
    b.config["linux"]["readonlyPaths"] = nlohmann::json::array();
    b.config["annotations"]["org.berth.seccomp"] = "unconfined";
  }
  add_devices(b);
  if (!s.sysctls.empty()) b.config["linux"]["sysctl"] = s.sysctls;
}

}  // namespace berth::engine::detail
