// build_container_spec: the skeleton of config.json (root, overlay annotations, compose labels)
// and the steps that fill it, one concern per file; prepare_container_files: the side effects
// the spec asks for, in an order that can be repeated after a crash (everything is idempotent).
#include "compose/bundle/container_spec.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/sys_error.hpp"
#include "compose/bundle/container_spec_detail.hpp"
#include "compose/storage/storage_quota.hpp"
#include "compose/storage/volumes.hpp"

namespace berth::bundle {

namespace detail {

void Build::warn(const std::string& key, const std::string& what) {
  spec.warnings.push_back("service \"" + in.service.name + "\": " + key + ": " + what);
}

void Build::fail(const std::string& key, const std::string& what) const {
  throw std::runtime_error("service \"" + in.service.name + "\": " + key + ": " + what);
}

}  // namespace detail

namespace {

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

/// Compose's labels (what `docker compose ps` and friends filter on), then the image's labels,
/// then the service's, later ones winning — as Docker merges image and container labels.
void add_labels(detail::Build& b) {
  const SpecInput& in = b.in;
  auto& ann = b.config["annotations"];
  for (const auto& [k, v] : b.image.labels) ann[k] = v;
  for (const auto& [k, v] : in.service.labels) ann[k] = v;
  ann["com.docker.compose.project"] = in.id.project;
  ann["com.docker.compose.service"] = in.id.service;
  ann["com.docker.compose.container-number"] = std::to_string(in.id.number);
  ann["com.docker.compose.config-hash"] = in.id.config_hash;
  ann["com.docker.compose.oneoff"] = in.id.oneoff ? "True" : "False";
  ann["com.docker.compose.project.working_dir"] = in.project_dir;
  ann["com.docker.compose.project.config_files"] = join(in.config_files, ",");
  ann["com.docker.compose.version"] = in.berth_version;
  ann["com.docker.compose.image"] = in.image.config_digest.str();
  std::vector<std::string> deps;
  for (const auto& [name, d] : in.service.depends_on)
    deps.push_back(name + ":" + d.condition + ":" + (d.restart ? "true" : "false"));
  ann["com.docker.compose.depends_on"] = join(deps, ",");
  // Compose `annotations` are OCI annotations: passed as they are.
  for (const auto& [k, v] : in.service.annotations) ann[k] = v;
  if (!in.events_journal.empty()) {
    ann["org.berth.events"] = in.events_journal;
    ann["org.berth.name"] = in.id.name;
    ann["org.berth.image"] = in.image_ref;
  }
}

void add_root(detail::Build& b) {
  const SpecInput& in = b.in;
  b.config["ociVersion"] = "1.0.2";
  b.config["root"] = {{"path", "rootfs"}, {"readonly", in.service.read_only}};
  auto& ann = b.config["annotations"];
  // A layer-less image (FROM scratch with nothing added) still needs one lower dir for overlayfs.
  ann["org.berth.rootfs.lower"] = in.lower_dirs.empty() ? in.bundle_dir + "/empty" : join(in.lower_dirs, ":");
  ann["org.berth.rootfs.upper"] = in.bundle_dir + "/upper";
  ann["org.berth.rootfs.work"] = in.bundle_dir + "/work";
}

void make_dirs(const std::string& path, mode_t mode) {
  std::string cur;
  std::istringstream parts(path);
  if (!path.empty() && path[0] == '/') cur = "";
  for (std::string c; std::getline(parts, c, '/');) {
    if (c.empty()) continue;
    cur += "/" + c;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir `" + cur + "`");
  }
}

void write_bundle_file(const std::string& bundle_dir, const BundleFile& f) {
  const std::string path = bundle_dir + "/" + f.name;
  make_dirs(path.substr(0, path.rfind('/')), 0700);
  std::string content = f.content ? *f.content : read_file(f.copy_from);
  write_file_atomic(path, content, f.mode);
  if (f.uid || f.gid) {
    if (::chown(path.c_str(), f.uid ? *f.uid : static_cast<uid_t>(-1), f.gid ? *f.gid : static_cast<gid_t>(-1)) != 0)
      throw_errno("chown `" + path + "`");
  }
  // write_file_atomic's mode goes through the umask; secrets need exactly what was asked.
  if (::chmod(path.c_str(), f.mode) != 0) throw_errno("chmod `" + path + "`");
}

}  // namespace

std::vector<std::string> ContainerSpec::named_volumes() const {
  std::vector<std::string> out;
  for (const auto& v : volumes) out.push_back(v.name);
  return out;
}

void check_storage_opt(const model::Service& service, const std::string& containers_dir) {
  if (storage_size(service) == 0) return;
  if (std::string why = storage::storage_quota_unsupported(containers_dir); !why.empty())
    throw std::runtime_error("service \"" + service.name + "\": storage_opt.size: " + containers_dir + " " + why);
}

void check_creatable(const model::Service& service) {
  const auto& hc = service.healthcheck;
  if (hc && hc->start_interval && !hc->start_period)
    throw std::runtime_error("healthcheck.start_interval requires healthcheck.start_period to be set");
}

ContainerSpec build_container_spec(const SpecInput& in) {
  ContainerSpec spec;
  spec.config = nlohmann::json::object();
  detail::Build b{in, spec, in.image.runtime_config(), "", spec.config};
  b.config["annotations"] = nlohmann::json::object();
  add_root(b);
  add_labels(b);
  detail::build_process(b);
  detail::build_security(b);
  detail::build_resources(b);
  detail::build_mounts(b);
  detail::build_logging(b);
  detail::warn_unsupported(b);
  return spec;
}

void prepare_container_files(const SpecInput& in, const ContainerSpec& spec) {
  const std::string& bundle = in.bundle_dir;
  struct stat bundle_st {};
  if (spec.storage_size > 0 && ::stat(bundle.c_str(), &bundle_st) != 0) {
    // The limit must be on the dir before the first file goes in: only what is made under it
    // inherits its project.
    make_dirs(bundle.substr(0, bundle.rfind('/')), 0700);
    try {
      storage::make_quota_dir(bundle, spec.storage_size, 0700);
    } catch (const std::exception& e) {
      throw std::runtime_error("service \"" + in.service.name + "\": storage_opt.size: " + e.what());
    }
  }
  make_dirs(bundle, 0700);
  // The overlay's root directory takes the upper dir's mode: 0755 as in any image, or users
  // other than root cannot even look up /bin in the container.
  for (const char* sub : {"rootfs", "upper"}) make_dirs(bundle + "/" + sub, 0755);
  make_dirs(bundle + "/work", 0700);
  if (in.lower_dirs.empty()) make_dirs(bundle + "/empty", 0755);
  for (const auto& f : spec.files) write_bundle_file(bundle, f);
  for (const auto& p : spec.bind_sources_to_create) make_dirs(p, 0755);

  storage::VolumeStore store(in.root);
  for (const auto& v : spec.volumes) {
    if (v.external) {
      if (!store.exists(v.name))
        throw std::runtime_error("service \"" + in.service.name + "\": external volume \"" + v.name +
                                 "\" not found (create it first: berth volume create " + v.name + ")");
    } else {
      store.create(v.name, v.labels, in.id.project, v.driver_opts);
    }
    store.mount(v.name);  // a local driver device (driver_opts): mounted before the container or copy-up uses it
    std::string data = store.path(v.name);
    if (!v.subpath.empty()) {
      struct stat st {};
      if (::stat((data + "/" + v.subpath).c_str(), &st) != 0)
        throw std::runtime_error("service \"" + in.service.name + "\": volume \"" + v.name + "\": subpath \"" +
                                 v.subpath + "\" does not exist in the volume");
      continue;
    }
    // Docker copies the image's content into a volume whenever it is empty at mount time.
    if (v.copy_up && store.is_empty(v.name)) storage::copy_up(in.lower_dirs, v.target, data);
  }
}

}  // namespace berth::bundle
