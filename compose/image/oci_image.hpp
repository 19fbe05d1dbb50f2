#pragma once
// Writing a new image into the store: its config blob and an OCI manifest that names it and the
// layers (for `image import` and the builder, which both make images rather than receive them).
#include <nlohmann/json.hpp>

#include "compose/image/digest.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

struct StoredImage {
  Digest manifest;
  Digest config;
};

/// Puts `config` (the whole config blob) and an OCI image manifest with `layers` (descriptors:
/// mediaType, digest, size; base first) into the store. Names nothing.
StoredImage put_oci_image(ImageStore& store, const nlohmann::json& config, const nlohmann::json& layers);

}  // namespace berth::image
