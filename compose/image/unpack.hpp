#pragma once
// Unpacking image layers: a tar stream (plain, gzip, zstd, xz or bzip2, told apart by content)
// becomes a directory tree usable as an overlayfs lower dir, and its diff id (the sha256 of the
// uncompressed tar) is computed on the way. A layer lands in <layers>/<chain-id hex>/ only when
// complete: it is unpacked into a temporary directory which is then renamed.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "compose/image/digest.hpp"
#include "compose/image/layer_writer.hpp"

namespace berth::image {

/// Receives the uncompressed tar stream while it is unpacked (e.g. to keep it as a blob).
using StreamSink = std::function<void(const void* data, std::size_t size)>;

/// A layer was refused (unsafe or malformed entry) or could not be unpacked. The message names
/// the layer, the entry and the reason: "unpack layer sha256:ab..: entry `../x`: path escapes...".
class UnpackError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What unpacking a tar stream found.
struct UnpackStats {
  Digest diff_id;             ///< sha256 of the whole uncompressed stream
  std::uint64_t size = 0;     ///< bytes of regular-file content
  std::uint64_t entries = 0;  ///< archive entries processed
};

/// An unpacked layer, as recorded in <layers>/<chain hex>/layer.json.
struct LayerInfo {
  Digest diff_id;
  Digest chain_id;
  std::optional<Digest> parent;  ///< chain id of the layer below; none for the base layer
  std::uint64_t size = 0;
};

/// The chain id of a layer (image-spec config.md): its diff id for a base layer, otherwise
/// sha256("<parent chain id> <diff id>").
Digest chain_id(const std::optional<Digest>& parent, const Digest& diff_id);

/// Unpacks the tar stream read from `fd` into the empty directory `root_fd` (or, with `options`
/// of docker cp, into an existing tree). Throws UnpackError ("entry `x`: why") on the first
/// refused entry; the caller discards the directory.
UnpackStats unpack_tar(int fd, int root_fd, const StreamSink& sink = {}, const LayerWriterOptions& options = {});

/// Unpacks the layer read from `fd` into `layers_dir`/<chain hex>/diff with layer.json beside it,
/// staging in a new directory under `tmp_dir` (same filesystem) that is renamed into place when
/// complete and removed on any failure. `expected_diff_id`, when given, must match. If the layer
/// is already there (e.g. another process won a race), the existing one is kept. `label` names
/// the layer in errors (a digest or a file name).
LayerInfo unpack_layer(const std::string& layers_dir, const std::string& tmp_dir, int fd,
                       const std::optional<Digest>& parent, const std::optional<Digest>& expected_diff_id,
                       const std::string& label, const StreamSink& sink = {});

/// A layer unpack_staged() made: `dir` holds its diff/.
struct UnpackedLayer {
  LayerInfo info;
  std::string dir;
};

/// The first half of unpack_layer: unpacks into a new directory under `tmp_dir` and verifies,
/// but does not install. The caller owns the returned directory (install_layer or remove it);
/// on failure nothing is left.
UnpackedLayer unpack_staged(const std::string& tmp_dir, int fd, const std::optional<Digest>& parent,
                            const std::optional<Digest>& expected_diff_id, const std::string& label,
                            const StreamSink& sink = {});

/// Moves a staged layer (the directory `staging`, holding `diff/`, on the store's file system)
/// to <layers_dir>/<chain hex> after writing its layer.json. Returns false, leaving `staging`
/// to the caller, when that layer is already there (another writer won a race).
bool install_layer(const std::string& staging, const std::string& layers_dir, const LayerInfo& info);

/// Streams the uncompressed content of `fd` (plain, gzip, zstd, xz or bzip2) to `sink` and
/// returns its sha256 (the diff id, when the content is a layer).
Digest decompress(int fd, const StreamSink& sink);

/// Reads <layer dir>/layer.json; std::nullopt when the layer is absent.
std::optional<LayerInfo> read_layer_info(const std::string& layer_dir);

}  // namespace berth::image
