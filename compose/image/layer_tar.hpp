#pragma once
// A layer directory in overlayfs form (an overlay upper dir, or an unpacked layer) → the layer
// tar an image carries (image-spec layer.md): entries in byte order of their paths, parents
// first; the overlayfs whiteout (a 0/0 character device) becomes `.wh.<name>` and a directory
// marked trusted.overlay.opaque=y gets a `.wh..wh..opq` entry; hardlinks within the layer stay
// hardlinks; owners, modes, mtimes and xattrs are kept, except overlayfs's own trusted.overlay.*
// bookkeeping, which no other host could use. Nothing is followed: the tree is read through
// directory fds with O_NOFOLLOW.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace berth::image {

/// Receives the tar stream in pieces.
using TarSink = std::function<void(const void* data, std::size_t size)>;

struct LayerTarStats {
  std::uint64_t entries = 0;       ///< tar entries written (whiteouts included)
  std::uint64_t content_size = 0;  ///< bytes of regular-file content (hardlinks counted once)
};

/// How a tree becomes a tar: in overlayfs form (a layer: whiteout devices and opaque marks become
/// OCI whiteouts, trusted.overlay.* xattrs dropped) or as it is (docker cp / export).
struct TreeTarOptions {
  bool overlay_form = true;
  /// Leave out what is below mounts of the kernel's own file systems (proc, sysfs, cgroup,
  /// devpts, ...), as in a running container's root: the mount point itself is kept.
  bool skip_kernel_fs = false;
};

/// Writes the tree below the directory `dir_fd` (names relative to it, no entry for itself).
LayerTarStats write_tree_tar(int dir_fd, const TarSink& sink, const TreeTarOptions& options);

/// Writes the entry `name` of the directory `parent_fd` (never followed when a symlink), named
/// `as` in the tar, and for a directory everything below it as `as/...`. With `as` "" the
/// directory's children alone, named relative to it (docker cp's `dir/.`).
LayerTarStats write_entry_tar(int parent_fd, const std::string& name, const std::string& as, const TarSink& sink,
                              const TreeTarOptions& options);

/// Writes the tar of the directory `dir` to `sink`. Throws SysError / std::runtime_error naming
/// the entry for anything it cannot read or represent (a socket is skipped, as docker does).
LayerTarStats write_layer_tar(const std::string& dir, const TarSink& sink);

/// Removes overlayfs bookkeeping xattrs (trusted.overlay.* except `opaque`) from every entry
/// below `dir`, so an upper dir can serve as a lower layer elsewhere. Returns the number of
/// entries (the empty check for a step that changed nothing: 0).
std::uint64_t clean_overlay_upper(const std::string& dir);

}  // namespace berth::image
