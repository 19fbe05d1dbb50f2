#pragma once
// Named volumes: <root>/volumes/<name>/_data holds the content, <root>/volumes/<name>/volume.json
// the metadata ({"name", "labels", "created", "project"}), written atomically. A volume exists
// when its volume.json does. Used by the container spec (create on demand, copy-up) and by the
// engine (`down -v`, external volumes, `volume ls`). Refusing to remove a volume in use is the
// engine's job: this store does not know which containers mount what.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::storage {

/// The metadata of one volume.
struct VolumeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string created;  ///< RFC 3339, UTC
  std::string project;  ///< compose project that created it ("" when none)
  std::string path;     ///< the _data directory (what containers mount)
};

/// The volume store under one Berth root.
class VolumeStore {
 public:
  /// Volumes live under `<root>/volumes` (created on the first create()).
  explicit VolumeStore(std::string root);

  /// Creates the volume unless it exists (idempotent; the existing metadata is kept).
  /// Returns true when this call created it. Throws std::invalid_argument for a name Docker
  /// would refuse ([a-zA-Z0-9][a-zA-Z0-9_.-]*) and SysError on file system errors.
  bool create(const std::string& name, const std::map<std::string, std::string>& labels = {},
              const std::string& project = "");

  bool exists(const std::string& name) const;
  /// `<root>/volumes/<name>/_data` (whether or not the volume exists).
  std::string path(const std::string& name) const;
  /// The metadata, or std::nullopt when the volume does not exist.
  std::optional<VolumeInfo> inspect(const std::string& name) const;
  /// Every volume, sorted by name.
  std::vector<VolumeInfo> list() const;
  /// Deletes the volume and its content. Returns false when it did not exist.
  bool remove(const std::string& name);
  /// True when the volume's _data directory has no entries.
  bool is_empty(const std::string& name) const;

 private:
  std::string m_dir;  ///< <root>/volumes
};

/// Copies what the image has at `path_in_image` (an absolute container path) into `dst` (an
/// existing directory, normally an empty new volume), as Docker does on a volume's first use.
/// `lower_dirs` are the image's unpacked layers, topmost first (ImageStore::lower_dirs); the
/// layers are merged top-down honouring overlay whiteouts (0/0 char devices) and opaque
/// directories (trusted.overlay.opaque=y), symlinks in the path are resolved inside the image.
/// Ownership, modes, timestamps, xattrs (user.*, security.*; not trusted.overlay.*), symlinks,
/// devices and fifos are kept. Copies nothing and returns false when the path does not exist in
/// the image or is not a directory; true when it copied.
bool copy_up(const std::vector<std::string>& lower_dirs, const std::string& path_in_image, const std::string& dst);

}  // namespace berth::storage
