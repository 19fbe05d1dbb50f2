#pragma once
// Bringing images into the store from files: `berth image load` (docker-save archives, in the
// legacy layout and the OCI-layout-based one of Docker 25+, and OCI image-layout archives) and
// `berth image import` (a plain root filesystem tarball becomes a one-layer image).
#include <optional>
#include <string>
#include <vector>

#include "compose/image/digest.hpp"
#include "compose/image/reference.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

/// An image that a load or import put in the store.
struct LoadedImage {
  std::vector<Reference> names;  ///< empty for an image that came without a name
  Digest manifest;
  Digest id;  ///< the config digest
};

/// Loads every image of the archive read from `fd` (optionally gzip/bzip2/xz/zstd compressed):
///   - docker save: manifest.json [{Config, RepoTags, Layers}], layers as (compressed) tars;
///   - OCI image layout: oci-layout, index.json, blobs/sha256/<hex>; names come from the
///     io.containerd.image.name annotation, else org.opencontainers.image.ref.name when it is a
///     full reference (a bare tag such as "latest" names no repository: the image stays unnamed,
///     as containerd does without --base-name). Nested indexes select the host platform.
/// Blobs are verified and layers unpacked (diff ids checked against the config) in the store's
/// staging area, then all committed and the names set, under the store's writer lock: an archive
/// refused anywhere leaves the store as it was. `label` names the archive in errors.
std::vector<LoadedImage> load_archive(ImageStore& store, int fd, const std::string& label);

/// What `berth image import` needs besides the tarball.
struct ImportOptions {
  std::optional<Reference> name;     ///< none: the image stays unnamed
  std::vector<std::string> changes;  ///< Dockerfile instructions (see apply_change)
  std::string message;               ///< history comment; default "Imported from <label>"
  std::string label;                 ///< the source, for messages and history
};

/// Imports a root filesystem tarball (plain or compressed) read from `fd` as a one-layer image
/// with a generated OCI config (os linux, the host's architecture, rootfs diff_ids, history) and
/// OCI manifest. The layer blob is the uncompressed tar, so its digest is its diff id.
LoadedImage import_rootfs(ImageStore& store, int fd, const ImportOptions& options);

/// The OCI architecture name of this machine ("amd64", "arm64", ...).
std::string host_architecture();

}  // namespace berth::image
