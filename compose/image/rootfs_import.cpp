// `berth image import`: a root filesystem tarball becomes a one-layer image, as docker import
// makes it. The tarball is unpacked once; the uncompressed stream is teed into the layer blob
// while it is unpacked, so the blob's digest is the diff id and the two are checked against
// each other. The config and manifest are generated (OCI media types), --change instructions
// are applied to the config before anything is written, so a bad one costs nothing.
#include <nlohmann/json.hpp>

#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/archive_load.hpp"
#include "compose/image/change.hpp"
#include "compose/image/oci_image.hpp"

namespace berth::image {

LoadedImage import_rootfs(ImageStore& store, int fd, const ImportOptions& options) {
  using nlohmann::json;
  json runtime = json::object();
  for (const auto& change : options.changes) apply_change(runtime, change);

  try {
    StoreLock lock = store.lock();
    BlobWriter layer_blob = store.begin_blob();
    LayerInfo layer = store.add_layer(lock, fd, std::nullopt, std::nullopt, "`" + options.label + "`",
                                      [&](const void* data, std::size_t size) { layer_blob.write(data, size); });
    std::uint64_t layer_size = layer_blob.size();
    Digest layer_digest = layer_blob.commit(layer.diff_id);

    std::string now = gocompat::rfc3339_now();
    json config = {{"architecture", host_architecture()},
                   {"os", "linux"},
                   {"created", now},
                   {"config", runtime},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.diff_id.str()}}}},
                   {"history",
                    {{{"created", now},
                      {"created_by", "berth image import"},
                      {"comment", options.message.empty() ? "Imported from " + options.label : options.message}}}}};
    const auto [manifest_digest, config_digest] =
        put_oci_image(store, config,
                      {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                        {"digest", layer_digest.str()},
                        {"size", layer_size}}});
    LoadedImage image{{}, manifest_digest, config_digest};
    if (options.name) {
      image.names.push_back(*options.name);
      store.tag(lock, *options.name, manifest_digest);
    } else {
      store.add_untagged(lock, manifest_digest);
    }
    return image;
  } catch (const std::exception& e) {
    throw std::runtime_error("import " + options.label + ": " + e.what());
  }
}

}  // namespace berth::image
