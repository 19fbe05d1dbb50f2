// mounts[] of the container and what they need on the host, in Docker's terms:
//  - bind: source made absolute against the project dir, created when missing if
//    create_host_path (the default of the short syntax), "ro", propagation (default rprivate);
//  - volume: a named volume (<root>/volumes/<real name>/_data, created on demand with compose's
//    labels, `external` ones must exist) or an anonymous one (no source, or an image VOLUME no
//    mount covers): a 64-hex name labelled with the project; copy-up of the image's content
//    unless nocopy (prepare_container_files does it);
//  - tmpfs (long syntax: size, mode) and the `tmpfs:` list ("/path[:options]", noexec like
//    docker --tmpfs); /dev/shm with shm_size (64m by default, the host's with ipc: host);
//  - volumes_from: the binds and volumes of another container (its org.berth.volumes
//    annotation lists which of its mounts those are), ro/rw as asked or as they were;
//  - secrets at /run/secrets/<name>, configs at /<name> (or their target), copied into the
//    bundle dir and bound read-only; /etc/hosts, /etc/hostname, /etc/resolv.conf from the bundle.
// Mounts are ordered by destination depth (stable) so a parent never hides a child mount.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "compose/bundle/container_spec_detail.hpp"
#include "compose/bundle/etc_files.hpp"
#include "compose/gocompat/sha256.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::bundle::detail {

namespace {

std::string octal(unsigned v) {
  std::ostringstream o;
  o << std::oct << v;
  return o.str();
}

std::string clean_target(std::string t) {
  while (t.size() > 1 && t.back() == '/') t.pop_back();
  return t;
}

size_t depth(const std::string& dest) { return static_cast<size_t>(std::count(dest.begin(), dest.end(), '/')); }

nlohmann::json bind_mount(const std::string& dest, const std::string& source, std::vector<std::string> options) {
  return {{"destination", dest}, {"type", "bind"}, {"source", source}, {"options", options}};
}

class MountBuilder {
 public:
  explicit MountBuilder(Build& b) : m_b(b), m_volumes(b.in.root) {}

  void run() {
    const model::Service& s = m_b.in.service;
    for (const auto& v : s.volumes) m_own.insert(clean_target(v.target));
    for (const auto& t : s.tmpfs) m_own.insert(clean_target(t.substr(0, t.find(':'))));

    add_shm();
    if (s.privileged)
      m_mounts.push_back({{"destination", "/sys"},
                          {"type", "sysfs"},
                          {"source", "sysfs"},
                          {"options", {"nosuid", "noexec", "nodev"}}});
    add_volumes_from();
    for (size_t i = 0; i < s.volumes.size(); ++i) add_volume(s.volumes[i], "volumes[" + std::to_string(i) + "]");
    for (const auto& t : s.tmpfs) add_tmpfs_entry(t);
    add_image_volumes();
    add_files("secrets", s.secrets, m_b.in.project.secrets, "/run/secrets/");
    add_files("configs", s.configs, m_b.in.project.configs, "/");
    add_etc_files();

    std::stable_sort(m_mounts.begin(), m_mounts.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
      return depth(a["destination"]) < depth(b["destination"]);
    });
    m_b.config["mounts"] = m_mounts;
    m_b.config["annotations"]["org.berth.volumes"] = nlohmann::json(m_shareable).dump();
  }

 private:
  bool taken(const std::string& dest) const {
    for (const auto& m : m_mounts)
      if (m["destination"] == dest) return true;
    return false;
  }

  void add_shm() {
    const model::Service& s = m_b.in.service;
    if (m_own.count("/dev/shm")) return;
    if (s.ipc == "host") {
      m_mounts.push_back(bind_mount("/dev/shm", "/dev/shm", {"rbind", "rprivate"}));
      return;
    }
    if (!m_b.in.shm_path.empty()) {  // the IPC namespace of another container: its /dev/shm too, as Docker
      m_mounts.push_back(bind_mount("/dev/shm", m_b.in.shm_path, {"rbind", "rprivate"}));
      return;
    }
    std::int64_t size = s.shm_size.value > 0 ? s.shm_size.value : 64 * 1024 * 1024;
    m_mounts.push_back({{"destination", "/dev/shm"},
                        {"type", "tmpfs"},
                        {"source", "shm"},
                        {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=" + std::to_string(size)}}});
  }

  void add_volumes_from() {
    const model::Service& s = m_b.in.service;
    if (s.volumes_from.size() != m_b.in.volumes_from.size())
      m_b.fail("volumes_from", "the engine resolved " + std::to_string(m_b.in.volumes_from.size()) + " of " +
                                   std::to_string(s.volumes_from.size()) + " entries");
    for (const auto& src : m_b.in.volumes_from) {
      std::string entry = src.entry, mode;
      for (const char* prefix : {"service:", "container:"})
        if (entry.rfind(prefix, 0) == 0) entry.erase(0, std::string(prefix).size());
      auto colon = entry.rfind(':');
      if (colon != std::string::npos) {
        mode = entry.substr(colon + 1);
        if (mode != "ro" && mode != "rw") m_b.fail("volumes_from", "\"" + src.entry + "\": mode must be ro or rw");
      }
      std::set<std::string> shareable;
      const auto& ann = src.config.value("annotations", nlohmann::json::object());
      if (ann.contains("org.berth.volumes")) {
        for (const auto& d : nlohmann::json::parse(ann["org.berth.volumes"].get<std::string>())) shareable.insert(d);
      }
      for (const auto& m : src.config.value("mounts", nlohmann::json::array())) {
        std::string dest = m.value("destination", "");
        if (!shareable.count(dest) || m_own.count(dest) || taken(dest)) continue;
        nlohmann::json copy = m;
        std::vector<std::string> opts = copy.value("options", std::vector<std::string>{});
        if (!mode.empty()) {
          std::erase_if(opts, [](const std::string& o) { return o == "ro" || o == "rw"; });
          if (mode == "ro") opts.push_back("ro");
        }
        copy["options"] = opts;
        m_mounts.push_back(copy);
        m_shareable.push_back(dest);
      }
    }
  }

  std::string bind_source(const model::ServiceVolume& v, const std::string& key) {
    std::string src = v.source;
    if (src.empty()) m_b.fail(key, "bind mount without a source");
    if (src[0] == '~') {
      const char* home = std::getenv("HOME");
      src = std::string(home ? home : "") + src.substr(1);
    }
    if (src[0] != '/') src = m_b.in.project_dir + "/" + src;
    struct stat st {};
    if (::stat(src.c_str(), &st) != 0) {
      bool create = v.bind ? v.bind->create_host_path : true;
      if (!create) m_b.fail(key, "bind source path does not exist: " + src);
      m_b.spec.bind_sources_to_create.push_back(src);
    }
    return src;
  }

  void add_volume(const model::ServiceVolume& v, const std::string& key) {
    const std::string dest = clean_target(v.target);
    if (dest.empty() || dest[0] != '/') m_b.fail(key, "target \"" + v.target + "\" is not an absolute path");
    if (v.type == "bind") {
      std::string src = bind_source(v, key);
      std::vector<std::string> opts{v.bind && v.bind->recursive == "disabled" ? "bind" : "rbind"};
      if (v.read_only) opts.push_back("ro");
      opts.push_back(v.bind && !v.bind->propagation.empty() ? v.bind->propagation : "rprivate");
      if (v.bind && !v.bind->selinux.empty())
        m_b.warn(key + ".bind.selinux", "SELinux relabeling is not supported, ignored");
      if (v.bind && v.bind->recursive == "readonly")
        m_b.warn(key + ".bind.recursive", "readonly is not supported, ignored");
      m_mounts.push_back(bind_mount(dest, src, opts));
      m_shareable.push_back(dest);
    } else if (v.type == "volume") {
      add_named_volume(v, dest, key);
    } else if (v.type == "tmpfs") {
      std::vector<std::string> opts{"nosuid", "nodev"};
      if (v.read_only) opts.push_back("ro");
      if (v.tmpfs && v.tmpfs->size.value > 0) opts.push_back("size=" + std::to_string(v.tmpfs->size.value));
      if (v.tmpfs && v.tmpfs->mode != 0) opts.push_back("mode=" + octal(v.tmpfs->mode));
      m_mounts.push_back({{"destination", dest}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", opts}});
    } else {
      m_b.warn(key, "volume type \"" + v.type + "\" is not supported, ignored");
    }
  }

  void add_named_volume(const model::ServiceVolume& v, const std::string& dest, const std::string& key) {
    VolumeUse use;
    use.target = dest;
    use.copy_up = !(v.volume && v.volume->nocopy);
    if (v.volume) use.subpath = v.volume->subpath;
    if (v.source.empty()) {
      anonymous(use);
    } else {
      auto it = m_b.in.project.volumes.find(v.source);
      if (it == m_b.in.project.volumes.end()) m_b.fail(key, "refers to undefined volume \"" + v.source + "\"");
      const model::Volume& vol = it->second;
      use.name = vol.name.empty() ? v.source : vol.name;
      use.external = vol.external;
      use.labels = vol.labels;
      use.labels["com.docker.compose.project"] = m_b.in.id.project;
      use.labels["com.docker.compose.volume"] = v.source;
      use.labels["com.docker.compose.version"] = m_b.in.berth_version;
      if (!vol.driver.empty() && vol.driver != "local")
        m_b.warn(key, "volume \"" + v.source + "\": driver \"" + vol.driver + "\" is not supported, using local");
      use.driver_opts = vol.driver_opts;
    }
    if (v.volume)
      for (const auto& [k, val] : v.volume->labels) use.labels.emplace(k, val);
    std::string source = m_volumes.path(use.name) + (use.subpath.empty() ? "" : "/" + use.subpath);
    std::vector<std::string> opts{"rbind"};
    if (v.read_only) opts.push_back("ro");
    opts.push_back("rprivate");
    m_mounts.push_back(bind_mount(dest, source, opts));
    m_shareable.push_back(dest);
    m_b.spec.volumes.push_back(std::move(use));
  }

  void anonymous(VolumeUse& use) {
    auto it = m_b.in.anonymous_volumes.find(use.target);
    use.name =
        it != m_b.in.anonymous_volumes.end() ? it->second : gocompat::sha256_hex(m_b.in.id.id + '\0' + use.target);
    use.anonymous = true;
    use.labels = {{"com.docker.compose.project", m_b.in.id.project}, {"com.docker.volume.anonymous", ""}};
  }

  void add_tmpfs_entry(const std::string& entry) {
    auto colon = entry.find(':');
    std::string dest = clean_target(entry.substr(0, colon));
    if (dest.empty() || dest[0] != '/') m_b.fail("tmpfs", "\"" + entry + "\" is not an absolute path");
    std::vector<std::string> opts{"nosuid", "nodev", "noexec"};
    if (colon != std::string::npos) {
      std::istringstream in(entry.substr(colon + 1));
      for (std::string o; std::getline(in, o, ',');)
        if (!o.empty()) opts.push_back(o);
    }
    m_mounts.push_back({{"destination", dest}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", opts}});
  }

  void add_image_volumes() {
    for (const auto& raw : m_b.image.volumes) {
      std::string dest = clean_target(raw);
      if (dest.empty() || dest[0] != '/' || m_own.count(dest) || taken(dest)) continue;
      VolumeUse use;
      use.target = dest;
      anonymous(use);
      m_mounts.push_back(bind_mount(dest, m_volumes.path(use.name), {"rbind", "rprivate"}));
      m_shareable.push_back(dest);
      m_b.spec.volumes.push_back(std::move(use));
    }
  }

  void add_files(const std::string& kind, const std::vector<model::FileReference>& refs,
                 const std::map<std::string, model::FileObject>& defs, const std::string& default_dir) {
    for (const auto& ref : refs) {
      auto it = defs.find(ref.source);
      if (it == defs.end()) m_b.fail(kind, "\"" + ref.source + "\" is not defined in the top-level " + kind);
      const model::FileObject& obj = it->second;
      if (obj.external) m_b.fail(kind, "\"" + ref.source + "\": external " + kind + " are not supported");
      BundleFile f;
      f.name = kind + "/" + ref.source;
      for (int n = 2; std::any_of(m_b.spec.files.begin(), m_b.spec.files.end(),
                                  [&](const BundleFile& x) { return x.name == f.name; });
           ++n)
        f.name = kind + "/" + ref.source + "." + std::to_string(n);
      if (!obj.file.empty()) {
        f.copy_from = obj.file;
      } else if (!obj.environment.empty()) {
        // The loader resolved it against the project environment (an included project's own).
        auto value = obj.content.empty() ? lookup(obj.environment) : std::optional<std::string>(obj.content);
        if (!value) m_b.fail(kind, "\"" + ref.source + "\": environment variable " + obj.environment + " is not set");
        f.content = *value;
      } else {
        f.content = obj.content;
      }
      f.mode = ref.mode ? ref.mode->value : 0444;
      f.uid = parse_id(ref.uid, kind + "." + ref.source + ".uid");
      f.gid = parse_id(ref.gid, kind + "." + ref.source + ".gid");
      std::string target = ref.target.empty() ? ref.source : ref.target;
      if (target[0] != '/') target = default_dir + target;
      m_mounts.push_back(bind_mount(target, m_b.in.bundle_dir + "/" + f.name, {"rbind", "ro", "rprivate"}));
      m_b.spec.files.push_back(std::move(f));
    }
  }

  std::optional<std::string> lookup(const std::string& name) const {
    if (m_b.in.lookup_env) return m_b.in.lookup_env(name);
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  }

  std::optional<unsigned> parse_id(const std::string& text, const std::string& key) const {
    if (text.empty()) return std::nullopt;
    if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9)
      m_b.fail(key, "\"" + text + "\" is not a numeric id");
    return static_cast<unsigned>(std::stoul(text));
  }

  void add_etc_files() {
    const SpecInput& in = m_b.in;
    const model::Service& s = in.service;
    HostsInput hosts;
    hosts.extra_hosts = s.extra_hosts;
    hosts.links = in.link_hosts;
    hosts.host_gateway = in.host_gateway;
    std::vector<std::string> names;
    if (!s.domainname.empty()) names.push_back(m_b.hostname + "." + s.domainname);
    names.push_back(m_b.hostname);
    if (in.id.name != m_b.hostname) names.push_back(in.id.name);
    for (const auto& n : in.networks)
      if (!n.address.empty()) hosts.own.push_back({n.address, names});
    std::vector<std::string> warnings;
    std::string hosts_text = hosts_file(hosts, warnings);
    for (const auto& w : warnings) m_b.warn("extra_hosts", w);

    ResolvInput r;
    r.dns_server = in.dns_server;
    if (!in.dns_server.empty() && !in.dns_dir.empty()) {
      m_b.config["annotations"]["org.berth.dns-dir"] = in.dns_dir;
      m_b.config["annotations"]["org.berth.dns-binary"] = in.dns_binary;
    }
    r.dns = s.dns;
    r.dns_search = s.dns_search;
    r.dns_opt = s.dns_opt;
    r.host_network = s.network_mode == "host";
    std::ifstream host_resolv(in.host_resolv_conf_path);
    std::stringstream text;
    text << host_resolv.rdbuf();
    r.host_resolv_conf = text.str();

    const std::vector<std::string> opts = s.read_only ? std::vector<std::string>{"rbind", "ro", "rprivate"}
                                                      : std::vector<std::string>{"rbind", "rprivate"};
    auto add = [&](const char* name, const char* dest, std::string content) {
      BundleFile f;
      f.name = name;
      f.content = std::move(content);
      m_b.spec.files.push_back(std::move(f));
      if (!m_own.count(dest)) m_mounts.push_back(bind_mount(dest, in.bundle_dir + "/" + name, opts));
    };
    add("hosts", "/etc/hosts", hosts_text);
    add("hostname", "/etc/hostname", hostname_file(m_b.hostname));
    add("resolv.conf", "/etc/resolv.conf", resolv_conf(r));
  }

  Build& m_b;
  storage::VolumeStore m_volumes;
  nlohmann::json m_mounts = nlohmann::json::array();
  std::set<std::string> m_own;           ///< destinations the service mounts itself
  std::vector<std::string> m_shareable;  ///< destinations volumes_from may take from this container
};

}  // namespace

void build_mounts(Build& b) { MountBuilder(b).run(); }

}  // namespace berth::bundle::detail
