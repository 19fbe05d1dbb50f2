// New images in OCI form (see oci_image.hpp).
#include "compose/image/oci_image.hpp"

namespace berth::image {

LayerBlob put_layer_blob(ImageStore& store, const std::string& dir) {
  BlobWriter blob = store.begin_blob();
  LayerTarStats stats = write_layer_tar(dir, [&](const void* data, std::size_t size) { blob.write(data, size); });
  const auto size = static_cast<std::int64_t>(blob.size());
  return LayerBlob{blob.commit(), size, stats};
}

StoredImage put_oci_image(ImageStore& store, const nlohmann::json& config, const nlohmann::json& layers) {
  const std::string config_text = config.dump();
  Digest config_digest = store.put_blob(config_text);
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"config",
                              {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                               {"digest", config_digest.str()},
                               {"size", config_text.size()}}},
                             {"layers", layers}};
  Digest manifest_digest = store.put_blob(manifest.dump());
  return StoredImage{manifest_digest, config_digest};
}

}  // namespace berth::image
