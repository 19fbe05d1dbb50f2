#pragma once
// Writing a new image into the store: its config blob and an OCI manifest that names it and the
// layers (for `image import` and the builder, which both make images rather than receive them).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "compose/image/digest.hpp"
#include "compose/image/layer_tar.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

struct StoredImage {
  Digest manifest;
  Digest config;
};

/// The media type of the layers Berth makes (uncompressed, as BuildKit's local exports).
inline constexpr const char* kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";

/// A layer blob made from a directory: its digest (= its diff id: uncompressed), size, and what
/// the tar held.
struct LayerBlob {
  Digest digest;
  std::int64_t size = 0;
  LayerTarStats stats;
};

/// Writes the layer tar of `dir` (an overlay upper dir: whiteouts and opaque directories become
/// OCI ones, see layer_tar.hpp) into the store as a blob — the builder's RUN/COPY steps and
/// `commit` make their layers this way.
LayerBlob put_layer_blob(ImageStore& store, const std::string& dir);

/// Puts `config` (the whole config blob) and an OCI image manifest with `layers` (descriptors:
/// mediaType, digest, size; base first) into the store. Names nothing.
StoredImage put_oci_image(ImageStore& store, const nlohmann::json& config, const nlohmann::json& layers);

}  // namespace berth::image
