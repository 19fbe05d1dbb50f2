// commit (see container_commit.hpp). The layer is made the way the builder makes a step's: the
// upper dir's layer tar into a blob (image::put_layer_blob). A builder step's upper dir is
// renamed into the store; a container's is still in use, so the blob is unpacked into the
// store instead (image::ImageStore::add_layer, which also checks the diff id).
#include "compose/containerfs/container_commit.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/scope_exit.hpp"
#include "compose/containerfs/container_root.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/image/change.hpp"
#include "compose/image/oci_image.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::containerfs {

namespace {

using nlohmann::json;

/// Freezes the container (cgroup freezer through its shim) until it goes; nothing when it is not
/// running or already paused (then it stays paused, as docker leaves it).
class PauseGuard {
 public:
  PauseGuard(const state::Paths& paths, const std::string& id, bool wanted) : m_state_dir(paths.shim_state_dir(id)) {
    if (!wanted || !runtime::live_shim_pid(m_state_dir)) return;
    if (shim_protocol::read_state(m_state_dir).status != "running") return;
    runtime::shim_call(m_state_dir, {{"op", "pause"}});
    m_paused = true;
  }
  PauseGuard(const PauseGuard&) = delete;
  PauseGuard& operator=(const PauseGuard&) = delete;
  ~PauseGuard() {
    if (!m_paused) return;
    try {
      runtime::shim_call(m_state_dir, {{"op", "unpause"}});
    } catch (const std::exception&) {
      // The container stays paused; `berth unpause` says why.
    }
  }

 private:
  std::string m_state_dir;
  bool m_paused = false;
};

}  // namespace

nlohmann::json container_config(const nlohmann::json& image_config, const model::Service& service) {
  json c = image_config.is_object() ? image_config : json::object();
  std::vector<std::string> env;
  if (c.contains("Env") && c["Env"].is_array())
    for (const auto& e : c["Env"])
      if (e.is_string()) env.push_back(e.get<std::string>());
  for (const auto& [key, value] : service.environment) {
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    if (value) env.push_back(key + "=" + *value);
  }
  c["Env"] = env;
  if (service.entrypoint) {
    c["Entrypoint"] = *service.entrypoint;
    c["Cmd"] = nullptr;
  }
  if (service.command) c["Cmd"] = *service.command;
  if (!service.working_dir.empty()) c["WorkingDir"] = service.working_dir;
  if (!service.user.empty()) c["User"] = service.user;
  if (!service.labels.empty()) {
    if (!c.contains("Labels") || !c["Labels"].is_object()) c["Labels"] = json::object();
    for (const auto& [k, v] : service.labels) c["Labels"][k] = v;
  }
  return c;
}

image::Digest commit_container(const state::Paths& paths, image::ImageStore& store, const CommitSource& c,
                               const CommitOptions& options) {
  std::optional<image::ImageRecord> base = store.find(c.image_id);
  if (!base) throw std::runtime_error("Error response from daemon: No such image: " + c.image_id);
  std::optional<image::Reference> ref;
  if (!options.reference.empty()) ref = image::parse_reference(options.reference);
  json config = base->config;
  json runtime = config.value("config", json::object());
  if (!runtime.is_object()) runtime = json::object();
  if (c.service) runtime = container_config(runtime, *c.service);
  for (const auto& change : options.changes) image::apply_change(runtime, change);

  const ContainerLayers layers = container_layers(paths, c.id);
  std::optional<PauseGuard> pause;
  pause.emplace(paths, c.id, options.pause);
  const image::LayerBlob blob = image::put_layer_blob(store, layers.upper);
  pause.reset();
  const bool empty = blob.stats.entries == 0;
  std::vector<image::ImageLayer> image_layers = base->layers;
  image::StoreLock lock = store.lock();
  if (!empty) {
    std::optional<image::Digest> parent;
    if (!image_layers.empty()) parent = image_layers.back().chain_id;
    UniqueFd fd = store.open_blob(blob.digest);
    image::LayerInfo info = store.add_layer(lock, fd.get(), parent, blob.digest, blob.digest.str());
    image_layers.push_back(image::ImageLayer{blob.digest, image::kOciLayerTar, blob.size, blob.digest, info.chain_id});
  }

  const std::string now = gocompat::rfc3339_now();
  json history = {{"created", now}, {"created_by", c.command}};
  if (!options.author.empty()) history["author"] = options.author;
  if (!options.message.empty()) history["comment"] = options.message;
  if (empty) history["empty_layer"] = true;
  json diff_ids = json::array(), descriptors = json::array();
  for (const auto& l : image_layers) {
    diff_ids.push_back(l.diff_id.str());
    descriptors.push_back({{"mediaType", l.media_type}, {"digest", l.blob.str()}, {"size", l.blob_size}});
  }
  config["config"] = runtime;
  config["created"] = now;
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  if (!config.contains("history") || !config["history"].is_array()) config["history"] = json::array();
  config["history"].push_back(history);
  for (const auto& [key, value] : {std::pair{"author", options.author}, std::pair{"comment", options.message}}) {
    if (value.empty())
      config.erase(key);
    else
      config[key] = value;
  }
  const image::StoredImage stored = image::put_oci_image(store, config, descriptors);
  store.sync();
  if (ref)
    store.tag(lock, *ref, stored.manifest);
  else
    store.add_untagged(lock, stored.manifest);
  return stored.config;
}

}  // namespace berth::containerfs
