// A service's volumes and the container's mounts. configs and secrets are mounted file by file
// (subPath, read-only) from the project's ConfigMap and their Secrets, as compose bridge mounts
// them; a named volume from its claim; tmpfs mounts and `tmpfs:` entries as in-memory emptyDirs
// (with their size); shm_size as an in-memory /dev/shm. An anonymous volume becomes an emptyDir
// (it lives as long as the pod), a bind mount a hostPath only when asked: a host path means
// nothing on a cluster's nodes.
#include <sstream>

#include "compose/bridge/workload_detail.hpp"

namespace berth::bridge {

namespace {

class VolumeBuilder {
 public:
  VolumeBuilder(const Context& ctx, const model::Service& svc) : m_ctx(ctx), m_svc(svc) {}

  PodVolumes build() {
    add_file_refs("secrets", m_svc.secrets, m_ctx.project.secrets, "/run/secrets/");
    add_file_refs("configs", m_svc.configs, m_ctx.project.configs, "/");
    for (const auto& v : m_svc.volumes) add_volume(v);
    for (const auto& t : m_svc.tmpfs) add_tmpfs_entry(t);
    if (m_svc.shm_size.value > 0) {
      Json empty{{"medium", "Memory"}, {"sizeLimit", byte_quantity(m_svc.shm_size.value)}};
      add(Json{{"mountPath", "/dev/shm"}}, Json{{"emptyDir", std::move(empty)}});
    }
    return std::move(m_out);
  }

 private:
  const Context& m_ctx;
  const model::Service& m_svc;
  PodVolumes m_out;
  std::set<std::string> m_names;

  /// Adds a volume named after the mount path (compose bridge's names: "/etc/a.txt" →
  /// "etc-a-txt"), made unique within the pod.
  void add(Json mount, Json source) {
    std::string base = safe_name(mount["mountPath"].get<std::string>());
    std::string name = base;
    for (int n = 2; !m_names.insert(name).second; ++n) name = base + "-" + std::to_string(n);
    Json m{{"name", name}};
    for (auto& [k, v] : mount.items()) m[k] = v;
    Json volume{{"name", name}};
    for (auto& [k, v] : source.items()) volume[k] = v;
    m_out.mounts.push_back(std::move(m));
    m_out.volumes.push_back(std::move(volume));
  }

  void add_file_refs(const std::string& key, const std::vector<model::FileReference>& refs,
                     const std::map<std::string, model::FileObject>& objects, const std::string& default_dir) {
    bool secret = key == "secrets";
    for (const auto& ref : refs) {
      std::string target = ref.target.empty() ? ref.source : ref.target;
      if (target[0] != '/') target = default_dir + target;
      if (!ref.uid.empty() || !ref.gid.empty())
        m_ctx.warn(m_svc.name, key + "." + ref.source,
                   "uid/gid have no Kubernetes meaning for a mounted file: it belongs to the pod's fsGroup");
      Json item{{"key", ref.source}, {"path", ref.source}};
      if (ref.mode) item["mode"] = ref.mode->value;
      auto it = objects.find(ref.source);
      bool external = it != objects.end() && it->second.external;
      std::string object_name;
      if (external) {
        object_name = safe_name(it->second.name.empty() ? ref.source : it->second.name);
        m_ctx.warn(m_svc.name, key + "." + ref.source,
                   std::string("external: the ") + (secret ? "Secret" : "ConfigMap") + " \"" + object_name +
                       "\" must exist in the namespace, with the key \"" + ref.source + "\"");
      }
      Json source;
      if (secret)
        source =
            Json{{"secret",
                  {{"secretName", external ? object_name : safe_name(ref.source)}, {"items", Json::array({item})}}}};
      else
        source = Json{{"configMap",
                       {{"name", external ? Json(object_name) : m_ctx.value(".Values.projectName", m_ctx.ns)},
                        {"items", Json::array({item})}}}};
      add(Json{{"mountPath", target}, {"subPath", ref.source}, {"readOnly", true}}, std::move(source));
    }
  }

  void add_volume(const model::ServiceVolume& v) {
    Json mount{{"mountPath", v.target}};
    if (v.read_only) mount["readOnly"] = true;
    if (v.type == "volume" && !v.source.empty()) {
      auto it = m_ctx.project.volumes.find(v.source);
      std::string claim = safe_name(v.source);
      if (it != m_ctx.project.volumes.end() && it->second.external) {
        claim = safe_name(it->second.name.empty() ? v.source : it->second.name);
        m_ctx.warn(m_svc.name, "volumes." + v.source,
                   "external: the PersistentVolumeClaim \"" + claim + "\" must exist in the namespace");
      }
      if (v.volume && !v.volume->subpath.empty()) mount["subPath"] = v.volume->subpath;
      Json source{{"persistentVolumeClaim", {{"claimName", claim}}}};
      if (v.read_only) source["persistentVolumeClaim"]["readOnly"] = true;
      add(std::move(mount), std::move(source));
    } else if (v.type == "volume") {
      m_ctx.warn(m_svc.name, "volumes",
                 "anonymous volume at " + v.target + ": an emptyDir, whose content lives only as long as the pod");
      add(std::move(mount), Json{{"emptyDir", Json::object()}});
    } else if (v.type == "tmpfs") {
      Json empty{{"medium", "Memory"}};
      if (v.tmpfs && v.tmpfs->size.value > 0) empty["sizeLimit"] = byte_quantity(v.tmpfs->size.value);
      add(std::move(mount), Json{{"emptyDir", std::move(empty)}});
    } else if (v.type == "bind") {
      if (!m_ctx.options.host_path) {
        m_ctx.warn(m_svc.name, "volumes",
                   "bind mount " + v.source + ":" + v.target +
                       " has no Kubernetes meaning (a path on whichever node runs the pod); left out "
                       "(--host-path makes it a hostPath volume; a ConfigMap, an image or a volume are the usual "
                       "answers)");
        return;
      }
      add(std::move(mount), Json{{"hostPath", {{"path", v.source}}}});
    } else {
      m_ctx.warn(m_svc.name, "volumes", v.type + " mount at " + v.target + " has no Kubernetes meaning; left out");
    }
  }

  /// `tmpfs:` entries: "/path[:size=64m,mode=1777]".
  void add_tmpfs_entry(const std::string& entry) {
    auto colon = entry.find(':');
    Json empty{{"medium", "Memory"}};
    if (colon != std::string::npos) {
      std::istringstream in(entry.substr(colon + 1));
      for (std::string o; std::getline(in, o, ',');)
        if (o.rfind("size=", 0) == 0)
          if (auto bytes = model::parse_bytes(o.substr(5))) empty["sizeLimit"] = byte_quantity(*bytes);
    }
    add(Json{{"mountPath", entry.substr(0, colon)}}, Json{{"emptyDir", std::move(empty)}});
  }
};

}  // namespace

PodVolumes pod_volumes(const Context& ctx, const model::Service& svc) { return VolumeBuilder(ctx, svc).build(); }

}  // namespace berth::bridge
