// load_bundle: <bundle>/config.json (OCI runtime-spec subset, see bundle.hpp) -> Bundle.
// Every problem is reported as "`<dir>/config.json`: <key path>: <what is wrong>", e.g.
// "`/b/config.json`: process.user.uid: expected an unsigned integer, got string". Keys Berth does
// not use are ignored, as the spec asks of runtimes; org.berth.* annotations are validated here
// so a typo fails at load time, not halfway through creating the container.
#include "runtime-shim/container/bundle.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace berth::shim {

namespace {

using nlohmann::json;

/// Reads typed values out of the config, naming the file and key path in every error.
class Reader {
 public:
  explicit Reader(std::string file) : m_file(std::move(file)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw std::runtime_error("`" + m_file + "`: " + key + ": " + message);
  }

  [[noreturn]] void type_error(const std::string& key, const char* expected, const json& v) const {
    fail(key, std::string("expected ") + expected + ", got " + v.type_name());
  }

  const json* member(const json& obj, const std::string& key, const std::string& path) const {
    if (!obj.is_object()) type_error(path, "an object", obj);
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const json& object(const json& v, const std::string& path) const {
    if (!v.is_object()) type_error(path, "an object", v);
    return v;
  }

  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) type_error(path, "a string", v);
    return v.get<std::string>();
  }

  bool boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) type_error(path, "a boolean", v);
    return v.get<bool>();
  }

  uint64_t unsigned_int(const json& v, const std::string& path) const {
    if (!v.is_number_unsigned()) type_error(path, "an unsigned integer", v);
    return v.get<uint64_t>();
  }

  int64_t signed_int(const json& v, const std::string& path) const {
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(path, "value out of range");
      return static_cast<int64_t>(v.get<uint64_t>());
    }
    if (!v.is_number_integer()) type_error(path, "an integer", v);
    return v.get<int64_t>();
  }

  uint32_t id(const json& v, const std::string& path) const {
    uint64_t n = unsigned_int(v, path);
    if (n > std::numeric_limits<uint32_t>::max()) fail(path, "value out of range");
    return static_cast<uint32_t>(n);
  }

  std::vector<std::string> strings(const json& v, const std::string& path) const {
    if (!v.is_array()) type_error(path, "an array of strings", v);
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(string(v[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  const json& array(const json& v, const std::string& path) const {
    if (!v.is_array()) type_error(path, "an array", v);
    return v;
  }

 private:
  std::string m_file;
};

std::string absolute_against(const std::string& dir, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return dir + "/" + path;
}

std::vector<std::string> split_colons(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ':');)
    if (!part.empty()) out.push_back(part);
  return out;
}

void read_process(const Reader& r, const json& p, Bundle& b) {
  if (auto* v = r.member(p, "terminal", "process")) b.terminal = r.boolean(*v, "process.terminal");
  if (auto* c = r.member(p, "consoleSize", "process")) {
    r.object(*c, "process.consoleSize");
    const json* h = r.member(*c, "height", "process.consoleSize");
    const json* w = r.member(*c, "width", "process.consoleSize");
    if (!h || !w) r.fail("process.consoleSize", "height and width must be given together");
    const uint32_t rows = r.id(*h, "process.consoleSize.height"), cols = r.id(*w, "process.consoleSize.width");
    if (rows > 0xffff || cols > 0xffff) r.fail("process.consoleSize", "larger than a terminal can be (65535)");
    b.console_size = {static_cast<unsigned short>(rows), static_cast<unsigned short>(cols)};
  }
  if (auto* u = r.member(p, "user", "process")) {
    r.object(*u, "process.user");
    if (auto* v = r.member(*u, "uid", "process.user")) b.uid = r.id(*v, "process.user.uid");
    if (auto* v = r.member(*u, "gid", "process.user")) b.gid = r.id(*v, "process.user.gid");
    if (auto* v = r.member(*u, "additionalGids", "process.user")) {
      const json& a = r.array(*v, "process.user.additionalGids");
      for (size_t i = 0; i < a.size(); ++i)
        b.additional_gids.push_back(r.id(a[i], "process.user.additionalGids[" + std::to_string(i) + "]"));
    }
  }
  const json* args = r.member(p, "args", "process");
  if (!args) r.fail("process.args", "missing (the command to run)");
  b.args = r.strings(*args, "process.args");
  if (b.args.empty()) r.fail("process.args", "must not be empty");
  if (auto* v = r.member(p, "env", "process")) b.env = r.strings(*v, "process.env");
  if (auto* v = r.member(p, "cwd", "process")) {
    b.cwd = r.string(*v, "process.cwd");
    if (b.cwd.empty() || b.cwd.front() != '/') r.fail("process.cwd", "must be an absolute path");
  }
  if (auto* c = r.member(p, "capabilities", "process")) {
    r.object(*c, "process.capabilities");
    b.capabilities_given = true;
    auto list = [&](const char* key, std::vector<std::string>& out) {
      if (auto* v = r.member(*c, key, "process.capabilities"))
        out = r.strings(*v, std::string("process.capabilities.") + key);
    };
    list("bounding", b.capabilities.bounding);
    list("effective", b.capabilities.effective);
    list("inheritable", b.capabilities.inheritable);
    list("permitted", b.capabilities.permitted);
    list("ambient", b.capabilities.ambient);
  }
  if (auto* v = r.member(p, "rlimits", "process")) {
    const json& a = r.array(*v, "process.rlimits");
    for (size_t i = 0; i < a.size(); ++i) {
      const std::string at = "process.rlimits[" + std::to_string(i) + "]";
      r.object(a[i], at);
      Rlimit l;
      const json* type = r.member(a[i], "type", at);
      if (!type) r.fail(at + ".type", "missing");
      l.type = r.string(*type, at + ".type");
      if (auto* s = r.member(a[i], "soft", at)) l.soft = r.unsigned_int(*s, at + ".soft");
      if (auto* h = r.member(a[i], "hard", at)) l.hard = r.unsigned_int(*h, at + ".hard");
      if (l.soft > l.hard)
        r.fail(at, "soft limit " + std::to_string(l.soft) + " exceeds hard limit " + std::to_string(l.hard));
      b.rlimits.push_back(l);
    }
  }
  if (auto* v = r.member(p, "noNewPrivileges", "process"))
    b.no_new_privileges = r.boolean(*v, "process.noNewPrivileges");
}

void read_mounts(const Reader& r, const json& a, Bundle& b) {
  r.array(a, "mounts");
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string at = "mounts[" + std::to_string(i) + "]";
    r.object(a[i], at);
    Mount m;
    const json* dest = r.member(a[i], "destination", at);
    if (!dest) r.fail(at + ".destination", "missing");
    m.destination = r.string(*dest, at + ".destination");
    if (m.destination.empty() || m.destination.front() != '/') r.fail(at + ".destination", "must be an absolute path");
    if (auto* v = r.member(a[i], "type", at)) m.type = r.string(*v, at + ".type");
    if (auto* v = r.member(a[i], "source", at)) m.source = r.string(*v, at + ".source");
    if (auto* v = r.member(a[i], "options", at)) m.options = r.strings(*v, at + ".options");
    b.mounts.push_back(std::move(m));
  }
}

/// linux.resources.devices[]: allow is required; type defaults to "a", major/minor to any (null
/// or -1), access to "rwm", as runc reads them.
void read_device_rules(const Reader& r, const json& a, std::vector<DeviceRule>& out) {
  r.array(a, "linux.resources.devices");
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string at = "linux.resources.devices[" + std::to_string(i) + "]";
    r.object(a[i], at);
    DeviceRule rule;
    const json* allow = r.member(a[i], "allow", at);
    if (!allow) r.fail(at + ".allow", "missing");
    rule.allow = r.boolean(*allow, at + ".allow");
    if (auto* v = r.member(a[i], "type", at)) {
      const std::string type = r.string(*v, at + ".type");
      if (type != "a" && type != "c" && type != "b") r.fail(at + ".type", "expected \"a\", \"c\" or \"b\"");
      rule.type = type[0];
    }
    auto number = [&](const char* key, int64_t& n) {
      if (auto* v = r.member(a[i], key, at)) {
        n = r.signed_int(*v, at + "." + key);
        if (n < -1 || n > 0xfffff) r.fail(at + "." + key, "expected -1 (any) or 0..1048575");
      }
    };
    number("major", rule.major);
    number("minor", rule.minor);
    if (auto* v = r.member(a[i], "access", at)) {
      rule.access = r.string(*v, at + ".access");
      if (rule.access.empty()) r.fail(at + ".access", "must not be empty (leave it out for rwm)");
      bool seen[3] = {false, false, false};
      for (char c : rule.access) {
        const char* letters = "rwm";
        const char* at_letter = c ? std::strchr(letters, c) : nullptr;
        if (!at_letter || seen[at_letter - letters])
          r.fail(at + ".access", "expected a combination of r, w and m, got \"" + rule.access + "\"");
        seen[at_letter - letters] = true;
      }
    }
    out.push_back(std::move(rule));
  }
}

void read_resources(const Reader& r, const json& res, Resources& out) {
  r.object(res, "linux.resources");
  if (auto* m = r.member(res, "memory", "linux.resources")) {
    if (auto* v = r.member(*m, "limit", "linux.resources.memory"))
      out.memory_limit = r.signed_int(*v, "linux.resources.memory.limit");
    if (auto* v = r.member(*m, "swap", "linux.resources.memory"))
      out.memory_swap = r.signed_int(*v, "linux.resources.memory.swap");
  }
  if (auto* c = r.member(res, "cpu", "linux.resources")) {
    if (auto* v = r.member(*c, "shares", "linux.resources.cpu"))
      out.cpu_shares = r.unsigned_int(*v, "linux.resources.cpu.shares");
    if (auto* v = r.member(*c, "quota", "linux.resources.cpu"))
      out.cpu_quota = r.signed_int(*v, "linux.resources.cpu.quota");
    if (auto* v = r.member(*c, "period", "linux.resources.cpu"))
      out.cpu_period = r.unsigned_int(*v, "linux.resources.cpu.period");
  }
  if (auto* p = r.member(res, "pids", "linux.resources")) {
    if (auto* v = r.member(*p, "limit", "linux.resources.pids"))
      out.pids_limit = r.signed_int(*v, "linux.resources.pids.limit");
  }
  if (auto* v = r.member(res, "devices", "linux.resources")) read_device_rules(r, *v, out.devices);
}

void read_linux(const Reader& r, const json& l, Bundle& b) {
  r.object(l, "linux");
  if (auto* v = r.member(l, "namespaces", "linux")) {
    const json& a = r.array(*v, "linux.namespaces");
    for (size_t i = 0; i < a.size(); ++i) {
      const std::string at = "linux.namespaces[" + std::to_string(i) + "]";
      r.object(a[i], at);
      Namespace ns;
      const json* type = r.member(a[i], "type", at);
      if (!type) r.fail(at + ".type", "missing");
      ns.type = r.string(*type, at + ".type");
      static const char* known[] = {"pid", "network", "mount", "ipc", "uts", "cgroup", "user", "time"};
      bool ok = false;
      for (const char* k : known) ok = ok || ns.type == k;
      if (!ok) r.fail(at + ".type", "unknown namespace type \"" + ns.type + "\"");
      if (auto* p = r.member(a[i], "path", at)) ns.path = r.string(*p, at + ".path");
      b.namespaces.push_back(std::move(ns));
    }
  }
  if (auto* v = r.member(l, "resources", "linux")) read_resources(r, *v, b.resources);
  if (auto* v = r.member(l, "cgroupsPath", "linux")) {
    b.cgroups_path = r.string(*v, "linux.cgroupsPath");
    while (!b.cgroups_path.empty() && b.cgroups_path.front() == '/') b.cgroups_path.erase(0, 1);
    if (b.cgroups_path.find("..") != std::string::npos) r.fail("linux.cgroupsPath", "must not contain \"..\"");
  }
  if (auto* v = r.member(l, "sysctl", "linux")) {
    r.object(*v, "linux.sysctl");
    for (auto it = v->begin(); it != v->end(); ++it)
      b.sysctl[it.key()] = r.string(it.value(), "linux.sysctl." + it.key());
  }
  if (auto* v = r.member(l, "maskedPaths", "linux")) {
    b.masked_paths = r.strings(*v, "linux.maskedPaths");
    b.masked_paths_given = true;
  }
  if (auto* v = r.member(l, "readonlyPaths", "linux")) {
    b.readonly_paths = r.strings(*v, "linux.readonlyPaths");
    b.readonly_paths_given = true;
  }
  if (auto* v = r.member(l, "devices", "linux")) {
    const json& a = r.array(*v, "linux.devices");
    for (size_t i = 0; i < a.size(); ++i) {
      const std::string at = "linux.devices[" + std::to_string(i) + "]";
      r.object(a[i], at);
      Device d;
      const json* path = r.member(a[i], "path", at);
      const json* type = r.member(a[i], "type", at);
      if (!path) r.fail(at + ".path", "missing");
      if (!type) r.fail(at + ".type", "missing");
      d.path = r.string(*path, at + ".path");
      d.type = r.string(*type, at + ".type");
      if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
        r.fail(at + ".type", "expected \"c\", \"b\", \"u\" or \"p\"");
      if (d.type == "u") d.type = "c";
      if (auto* x = r.member(a[i], "major", at)) d.major = r.signed_int(*x, at + ".major");
      if (auto* x = r.member(a[i], "minor", at)) d.minor = r.signed_int(*x, at + ".minor");
      if (auto* x = r.member(a[i], "fileMode", at)) d.file_mode = r.id(*x, at + ".fileMode");
      if (auto* x = r.member(a[i], "uid", at)) d.uid = r.id(*x, at + ".uid");
      if (auto* x = r.member(a[i], "gid", at)) d.gid = r.id(*x, at + ".gid");
      b.devices.push_back(std::move(d));
    }
  }
}

Healthcheck read_healthcheck(const Reader& r, const std::string& text) {
  const std::string key = "annotations.org.berth.healthcheck";
  json h;
  try {
    h = json::parse(text);
  } catch (const json::parse_error& e) {
    r.fail(key, std::string("invalid JSON: ") + e.what());
  }
  r.object(h, key);
  Healthcheck hc;
  if (auto* v = r.member(h, "test", key)) hc.test = r.strings(*v, key + ".test");
  if (auto* v = r.member(h, "interval_ns", key)) hc.interval_ns = r.signed_int(*v, key + ".interval_ns");
  if (auto* v = r.member(h, "timeout_ns", key)) hc.timeout_ns = r.signed_int(*v, key + ".timeout_ns");
  if (auto* v = r.member(h, "retries", key)) hc.retries = static_cast<int>(r.signed_int(*v, key + ".retries"));
  if (auto* v = r.member(h, "start_period_ns", key)) hc.start_period_ns = r.signed_int(*v, key + ".start_period_ns");
  if (auto* v = r.member(h, "start_interval_ns", key))
    hc.start_interval_ns = r.signed_int(*v, key + ".start_interval_ns");
  return hc;
}

bool valid_restart(const std::string& s) {
  if (s == "no" || s == "always" || s == "unless-stopped" || s == "on-failure") return true;
  const std::string prefix = "on-failure:";
  if (s.rfind(prefix, 0) != 0 || s.size() == prefix.size()) return false;
  return s.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
}

void read_annotations(const Reader& r, Bundle& b) {
  auto get = [&](const char* key) -> const std::string* {
    auto it = b.annotations.find(key);
    return it == b.annotations.end() ? nullptr : &it->second;
  };
  const std::string* lower = get("org.berth.rootfs.lower");
  const std::string* upper = get("org.berth.rootfs.upper");
  const std::string* work = get("org.berth.rootfs.work");
  if (lower || upper || work) {
    if (!lower || !upper || !work)
      r.fail("annotations.org.berth.rootfs", "lower, upper and work must be given together");
    b.lower_dirs = split_colons(*lower);
    if (b.lower_dirs.empty()) r.fail("annotations.org.berth.rootfs.lower", "no lower directory");
    b.upper_dir = *upper;
    b.work_dir = *work;
  }
  if (auto* v = get("org.berth.user")) {
    if (v->empty()) r.fail("annotations.org.berth.user", "must not be empty");
    b.user = *v;
  }
  if (auto* v = get("org.berth.seccomp")) {
    if (*v != "default" && *v != "unconfined")
      r.fail("annotations.org.berth.seccomp", "expected \"default\" or \"unconfined\", got \"" + *v + "\"");
    b.seccomp_unconfined = *v == "unconfined";
  }
  auto flag = [&](const char* key, bool& out) {
    if (auto* v = get(key)) {
      if (*v != "true" && *v != "false") r.fail(std::string("annotations.") + key, "expected \"true\" or \"false\"");
      out = *v == "true";
    }
  };
  flag("org.berth.init", b.init);
  flag("org.berth.open-stdin", b.open_stdin);
  flag("org.berth.stdin-once", b.stdin_once);
  flag("org.berth.attach-pending", b.attach_pending);
  if (auto* v = get("org.berth.restart")) {
    if (!valid_restart(*v))
      r.fail("annotations.org.berth.restart",
             "expected no, always, unless-stopped or on-failure[:N], got \"" + *v + "\"");
    b.restart = *v;
  }
  if (auto* v = get("org.berth.stop-signal")) b.stop_signal = *v;
  if (auto* v = get("org.berth.stop-timeout")) {
    if (v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos)
      r.fail("annotations.org.berth.stop-timeout", "expected a number of seconds, got \"" + *v + "\"");
    b.stop_timeout_s = std::stoi(*v);
  }
  if (auto* v = get("org.berth.healthcheck")) b.healthcheck = read_healthcheck(r, *v);
  if (auto* v = get("org.berth.log-path")) b.log_path = *v;
  if (auto* v = get("org.berth.events")) b.events_journal = *v;
  if (auto* v = get("org.berth.name")) b.name = *v;
  if (auto* v = get("org.berth.image")) b.image = *v;
  if (auto* v = get("com.docker.compose.service")) b.service = *v;
  if (auto* v = get("com.docker.compose.oneoff")) b.oneoff = *v == "True";
  const std::string* dns_dir = get("org.berth.dns-dir");
  const std::string* dns_binary = get("org.berth.dns-binary");
  if (!dns_dir != !dns_binary) r.fail("annotations.org.berth.dns-dir", "dns-dir and dns-binary must be given together");
  if (dns_dir) {
    b.dns_dir = *dns_dir;
    b.dns_binary = *dns_binary;
  }
  if (auto* v = get("org.berth.log-driver")) {
    if (*v != "json-file" && *v != "local" && *v != "none")
      r.fail("annotations.org.berth.log-driver", "expected json-file, local or none, got \"" + *v + "\"");
    b.log_driver = *v;
  }
  auto number = [&](const char* key, int64_t min, int64_t& out) {
    if (auto* v = get(key)) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (ec != std::errc() || p != v->data() + v->size() || n < min)
        r.fail(std::string("annotations.") + key,
               "expected a number >= " + std::to_string(min) + ", got \"" + *v + "\"");
      out = n;
    }
  };
  int64_t max_file = b.log_max_file, max_buffer = 0;
  number("org.berth.log-max-size", 1, b.log_max_size);
  number("org.berth.log-max-file", 1, max_file);
  number("org.berth.log-max-buffer", 1, max_buffer);
  b.log_max_file = static_cast<int>(std::min<int64_t>(max_file, 1 << 20));
  b.log_max_buffer = static_cast<uint64_t>(max_buffer);
  flag("org.berth.log-compress", b.log_compress);
}

}  // namespace

Bundle load_bundle(const std::string& dir, const std::string& id) {
  const std::string file = dir + "/config.json";
  Reader r(file);
  std::ifstream in(file);
  if (!in) throw std::runtime_error("`" + file + "`: cannot open");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw std::runtime_error("`" + file + "`: invalid JSON: " + e.what());
  }
  r.object(doc, "(top level)");

  Bundle b;
  b.dir = dir;
  b.id = id;
  b.cgroups_path = "berth/" + id;

  const json* process = r.member(doc, "process", "(top level)");
  if (!process) r.fail("process", "missing");
  read_process(r, r.object(*process, "process"), b);

  const json* root = r.member(doc, "root", "(top level)");
  if (!root) r.fail("root", "missing");
  r.object(*root, "root");
  const json* root_path = r.member(*root, "path", "root");
  if (!root_path) r.fail("root.path", "missing");
  b.rootfs = absolute_against(dir, r.string(*root_path, "root.path"));
  if (auto* v = r.member(*root, "readonly", "root")) b.readonly_rootfs = r.boolean(*v, "root.readonly");

  if (auto* v = r.member(doc, "hostname", "(top level)")) b.hostname = r.string(*v, "hostname");
  if (auto* v = r.member(doc, "domainname", "(top level)")) b.domainname = r.string(*v, "domainname");
  if (auto* v = r.member(doc, "mounts", "(top level)")) read_mounts(r, *v, b);
  if (auto* v = r.member(doc, "linux", "(top level)")) read_linux(r, *v, b);
  if (auto* v = r.member(doc, "annotations", "(top level)")) {
    r.object(*v, "annotations");
    for (auto it = v->begin(); it != v->end(); ++it)
      b.annotations[it.key()] = r.string(it.value(), "annotations." + it.key());
  }
  read_annotations(r, b);
  return b;
}

}  // namespace berth::shim
