// Namespaces, capabilities, privileged, security_opt, devices and sysctls.
//  - namespaces: pid, ipc, uts, cgroup unless the service asks for the host's ("host"); mount
//    always; network = the engine's netns (path), none for network_mode host.
//  - capabilities: Docker's default set, cap_drop then cap_add applied (ALL on either side);
//    left out of config.json when untouched so the shim applies its own default.
//  - privileged: every capability, no masked or read-only /proc paths, seccomp off, every host
//    device in /dev, /sys writable — Docker's --privileged.
//  - devices: "host[:container[:perms]]" → an OCI device with type and major/minor from stat(2)
//    of the host node (a directory maps every device below it), and an allow rule with `perms`.
//  - device cgroup (linux.resources.devices): Docker's default list, everything for privileged,
//    the mapped devices, then device_cgroup_rules ("c 189:* rwm") in order; the shim enforces it.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/dir_list.hpp"
#include "common/sys_error.hpp"
#include "compose/bundle/container_spec_detail.hpp"

namespace berth::bundle::detail {

namespace {

const std::vector<std::string>& default_caps() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

/// Every capability Linux defines (up to 6.x); the shim leaves out those its kernel lacks or
/// that are outside its own bounding set, with a warning.
const std::vector<std::string>& all_caps() {
  static const std::vector<std::string> caps = {"CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE"};
  return caps;
}

std::string cap_name(std::string c) {
  for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return c == "ALL" || c.rfind("CAP_", 0) == 0 ? c : "CAP_" + c;
}

void set_caps(Build& b, const std::vector<std::string>& caps) {
  b.config["process"]["capabilities"] = {{"bounding", caps},
                                         {"effective", caps},
                                         {"permitted", caps},
                                         {"inheritable", nlohmann::json::array()},
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
    if (c == "ALL")
      caps.clear();
    else
      std::erase(caps, c);
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
  if (::stat(host.c_str(), &st) != 0) b.fail("devices", "host device `" + host + "`: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    if (depth > 8) return;
    std::vector<std::string> names;
    try {
      names = list_dir(host);
    } catch (const SysError& e) {
      b.fail("devices", "host device directory `" + host + "`: " + std::strerror(e.code()));
    }
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

/// "rwm" letters, each once, in that order; "" when `access` has anything else or nothing.
std::string canonical_access(const std::string& access) {
  bool r = false, w = false, m = false;
  for (char c : access) {
    if (c == 'r')
      r = true;
    else if (c == 'w')
      w = true;
    else if (c == 'm')
      m = true;
    else
      return "";
  }
  return std::string(r ? "r" : "") + (w ? "w" : "") + (m ? "m" : "");
}

nlohmann::json device_rule(bool allow, const std::string& type, std::int64_t major, std::int64_t minor,
                           const std::string& access) {
  nlohmann::json rule = {{"allow", allow}, {"type", type}};
  if (major >= 0) rule["major"] = major;
  if (minor >= 0) rule["minor"] = minor;
  rule["access"] = access;
  return rule;
}

/// Docker's default device cgroup (moby oci/defaults.go): deny everything, allow rwm on zero,
/// null, urandom, random, tty and console, deny fuse. The shim adds runc's always-allowed set
/// (mknod of any device, full, ptmx, /dev/pts/*), as runc does under Docker.
nlohmann::json default_device_rules() {
  nlohmann::json rules = nlohmann::json::array({device_rule(false, "a", -1, -1, "rwm")});
  for (auto [major, minor] : {std::pair{1, 5}, {1, 3}, {1, 9}, {1, 8}, {5, 0}, {5, 1}})
    rules.push_back(device_rule(true, "c", major, minor, "rwm"));
  rules.push_back(device_rule(false, "c", 10, 229, "rwm"));
  return rules;
}

/// One `device_cgroup_rules` entry, Docker's syntax: "<a|b|c> <major|*>:<minor|*> <rwm letters>".
nlohmann::json parse_device_cgroup_rule(const Build& b, const std::string& text, size_t index) {
  const std::string key = "device_cgroup_rules[" + std::to_string(index) + "]";
  auto bad = [&](const std::string& why) {
    b.fail(key, "\"" + text + "\": " + why +
                    " (expected \"<type> <major>:<minor> <access>\": type a, b or c; major and minor a number or *; "
                    "access letters of rwm, e.g. \"c 189:* rmw\")");
  };
  const auto sp1 = text.find(' ');
  const auto colon = text.find(':');
  const auto sp2 = text.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
  if (sp1 != 1 || colon == std::string::npos || sp2 == std::string::npos || colon > sp2 ||
      text.find(' ', sp2 + 1) != std::string::npos)
    bad("not of the form");
  const std::string type = text.substr(0, 1);
  if (type != "a" && type != "b" && type != "c") bad("unknown device type \"" + type + "\"");
  auto number = [&](const std::string& part, const char* what) -> std::int64_t {
    if (part == "*") return -1;
    if (part.empty() || part.size() > 7 || part.find_first_not_of("0123456789") != std::string::npos)
      bad(std::string(what) + " \"" + part + "\" is not a number or *");
    const std::int64_t n = std::stoll(part);
    if (n > 0xfffff) bad(std::string(what) + " " + part + " is out of range");
    return n;
  };
  const std::int64_t major = number(text.substr(2, colon - 2), "major");
  const std::int64_t minor = number(text.substr(colon + 1, sp2 - colon - 1), "minor");
  const std::string raw_access = text.substr(sp2 + 1);
  const std::string access = raw_access.size() <= 3 ? canonical_access(raw_access) : "";
  if (access.empty()) bad("access \"" + raw_access + "\" is not made of r, w and m");
  if (type == "a" && (major >= 0 || minor >= 0 || access != "rwm"))
    bad("type a stands for every device: write it as \"a *:* rwm\"");
  return device_rule(true, type, major, minor, access);
}

/// linux.resources.devices: Docker's defaults, then everything for privileged, an allow rule
/// per mapped device with the mapping's permissions, then the service's device_cgroup_rules.
void add_device_cgroup(Build& b, const nlohmann::json& mapped_rules) {
  const model::Service& s = b.in.service;
  nlohmann::json rules = default_device_rules();
  if (s.privileged) rules.push_back(device_rule(true, "a", -1, -1, "rwm"));
  for (const auto& r : mapped_rules) rules.push_back(r);
  for (size_t i = 0; i < s.device_cgroup_rules.size(); ++i)
    rules.push_back(parse_device_cgroup_rule(b, s.device_cgroup_rules[i], i));
  b.config["linux"]["resources"]["devices"] = rules;
}

void add_devices(Build& b) {
  const model::Service& s = b.in.service;
  nlohmann::json devices = nlohmann::json::array();
  if (s.privileged) {
    // Docker's --privileged: every device node of the host's /dev (not pts/shm/mqueue, which the
    // container mounts itself).
    std::vector<std::string> names;
    try {
      names = list_dir("/dev");
    } catch (const SysError&) {
      // No /dev to copy: the container gets the default devices only.
    }
    for (const auto& n : names) {
      struct stat st {};
      std::string p = "/dev/" + n;
      if (n == "console" || n == "ptmx" || n == "tty") continue;  // the shim makes these
      if (::lstat(p.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) add_device(b, p, p, devices, 1);
    }
  }
  nlohmann::json mapped_rules = nlohmann::json::array();
  for (const auto& m : s.devices) {
    std::string target = m.target.empty() ? m.source : m.target;
    nlohmann::json kept = nlohmann::json::array();
    for (auto& d : devices)
      if (d["path"] != target) kept.push_back(std::move(d));
    devices = std::move(kept);
    const std::string access = m.permissions.empty() ? "rwm" : canonical_access(m.permissions);
    if (access.empty())
      b.fail("devices", "\"" + m.source + "\": permissions \"" + m.permissions + "\" are not made of r, w and m");
    nlohmann::json mapped = nlohmann::json::array();
    add_device(b, m.source, target, mapped, 0);
    for (auto& d : mapped) {
      mapped_rules.push_back(device_rule(true, d["type"], d["major"], d["minor"], access));
      devices.push_back(std::move(d));
    }
  }
  if (!devices.empty()) b.config["linux"]["devices"] = devices;
  add_device_cgroup(b, mapped_rules);
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
      if (value.empty() || value == "true")
        b.config["process"]["noNewPrivileges"] = true;
      else if (value == "false")
        b.config["process"]["noNewPrivileges"] = false;
      else
        b.warn("security_opt", "\"" + opt + "\": expected no-new-privileges[:true|false], ignored");
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
  auto shared = [&](const char* key, const std::string& mode, const char* type, std::initializer_list<const char*> ok,
                    const std::string& join = {}) {
    if (mode == "host") return;
    if (mode.rfind("service:", 0) == 0 || mode.rfind("container:", 0) == 0) {
      // The donor's namespace; the engine sets the path (again) when the container starts.
      nlohmann::json entry = {{"type", type}};
      if (!join.empty()) entry["path"] = join;
      ns.push_back(entry);
      return;
    }
    bool known = mode.empty();
    for (const char* k : ok) known = known || mode == k;
    if (!known) b.warn(key, "\"" + mode + "\" is not supported, the container gets its own namespace");
    ns.push_back({{"type", type}});
  };
  shared("pid", s.pid, "pid", {}, b.in.pid_path);
  shared("ipc", s.ipc, "ipc", {"private", "shareable"}, b.in.ipc_path);
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

}  // namespace berth::bundle::detail
