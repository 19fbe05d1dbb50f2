// Transformation images, run and inspected with Berth's own pieces: the builder's one-off
// container (build/run_step), the image store, containerfs's cp. docker compose's pkg/bridge
// (convert.go, transformers.go) is the reference for the mounts (/in, /out, /templates), the
// environment (LICENSE_AGREEMENT=true), the user (the caller's uid) and the label.
#include "compose/transform/transformation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/overlay_mount.hpp"
#include "compose/build/run_step.hpp"
#include "compose/build/step_dir.hpp"
#include "compose/containerfs/copy.hpp"
#include "compose/model/yaml_emit.hpp"

namespace berth::transform {

namespace {

namespace fs = std::filesystem;

/// `j` with object keys in go-yaml's order (map[string]any is marshalled sorted that way).
nlohmann::ordered_json yaml_ordered(const nlohmann::json& j) {
  if (j.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& e : j) out.push_back(yaml_ordered(e));
    return out;
  }
  if (!j.is_object()) return nlohmann::ordered_json(j);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end(),
            [](const std::string& a, const std::string& b) { return model::yaml_key_less(a, b); });
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& k : keys) out[k] = yaml_ordered(j.at(k));
  return out;
}

model::ServiceVolume bind_mount(const std::string& source, const std::string& target) {
  model::ServiceVolume v;
  v.type = "bind";
  v.source = source;
  v.target = target;
  v.bind = model::ServiceVolumeBind{};
  return v;
}

/// A directory under the store's tmp/ removed with everything in it when it goes.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& root) {
    std::string base = root + "/tmp";
    fs::create_directories(base);
    std::string tmpl = base + "/bridge-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("create a directory in `" + base + "`: " + std::strerror(errno));
    m_path = tmpl;
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace

std::string model_yaml(const nlohmann::json& model) { return model::to_yaml(yaml_ordered(model), 4); }

void run_transformation(const state::Paths& paths, image::ImageStore& store, const image::ImageRecord& image,
                        const RunRequest& request, const std::function<void(std::string_view)>& output) {
  // /in: the model, in a directory of its own (docker compose: os.MkdirTemp "compose-convert-*")
  ScratchDir in(paths.root);
  write_file_atomic(in.path() + "/compose.yaml", request.model);
  ::chmod(in.path().c_str(), 0755);

  image::ImageConfig config = image.runtime_config();
  build::RunSpec spec;
  spec.argv = config.entrypoint;
  spec.argv.insert(spec.argv.end(), config.cmd.begin(), config.cmd.end());
  if (spec.argv.empty()) throw std::runtime_error("transformation " + request.image + ": the image has no command");
  spec.env = config.env;
  spec.env.emplace_back("LICENSE_AGREEMENT=true");
  spec.user = request.user;
  spec.workdir = config.working_dir;
  spec.network = "none";  // a transformation reads /in and writes /out; it needs no network
  spec.mounts.push_back(bind_mount(in.path(), "/in"));
  spec.mounts.push_back(bind_mount(fs::absolute(request.output).string(), "/out"));
  if (!request.templates.empty())
    spec.mounts.push_back(bind_mount(fs::absolute(request.templates).string(), "/templates"));
  spec.label = "transformation " + request.image;

  build::StepDir dir(paths.root);
  build::RunOutcome outcome =
      build::run_in_container(paths.root, paths.run, dir, dir.lowers_or_empty(store.lower_dirs(image)), spec, output);
  if (outcome.exit_code != 0)
    throw std::runtime_error("transformation " + request.image + " failed: exit status " +
                             std::to_string(outcome.exit_code));
}

std::vector<image::ImageSummary> transformation_images(const image::ImageStore& store) {
  std::vector<image::ImageSummary> out;
  for (const auto& s : store.list()) {
    auto record = store.find(s.config_digest.str());
    if (!record) continue;
    const auto labels = record->runtime_config().labels;
    auto it = labels.find(kLabel);
    if (it != labels.end() && it->second == kLabelValue) out.push_back(s);
  }
  return out;
}

void copy_templates(const image::ImageStore& store, const image::ImageRecord& image, const std::string& name,
                    const std::string& dest) {
  ScratchDir empty(store.root());
  std::vector<std::string> lowers = store.lower_dirs(image);
  while (lowers.size() < 2) lowers.push_back(empty.path());  // a read-only overlay wants two lowers
  UniqueFd root = open_detached_overlay(lowers, "", "");
  containerfs::copy_from_container(root.get(), name, "/templates", dest, containerfs::CopyOptions{}, -1);
}

std::string transformer_dockerfile() {
  return "FROM docker/compose-bridge-transformer\n"
         "LABEL com.docker.compose.bridge=transformation\n"
         "COPY templates /templates\n";
}

}  // namespace berth::transform
