#pragma once
// Named volumes: <root>/volumes/<name>/_data holds the content, <root>/volumes/<name>/volume.json
// the metadata ({"name", "labels", "created", "project"}), written atomically. A volume exists
// when its volume.json does. Used by the container spec (create on demand, copy-up) and by the
// engine (`down -v`, external volumes, `volume ls`). Refusing to remove a volume in use is the
// engine's job: this store does not know which containers mount what.
// The `local` driver's options (`driver_opts` type/o/device, as `mount -t type -o o device`) are
// kept in volume.json ("options") and applied as Docker's local driver does: mount() mounts
// the device on _data before a container uses it (and before copy-up), unmount() undoes it
// when no container uses it any more (`down`), remove() unmounts before deleting anything.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::storage {

/// The metadata of one volume.
struct VolumeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string created;                         ///< RFC 3339, UTC
  std::string project;                         ///< compose project that created it ("" when none)
  std::string path;                            ///< the _data directory (what containers mount)
  std::map<std::string, std::string> options;  ///< the local driver's options (type, o, device)
};

/// The volume store under one Berth root.
class VolumeStore {
 public:
  /// Volumes live under `<root>/volumes` (created on the first create()).
  explicit VolumeStore(std::string root);

  /// Creates the volume unless it exists (idempotent; the existing metadata is kept).
  /// Returns true when this call created it. Throws std::invalid_argument for a name Docker
  /// would refuse ([a-zA-Z0-9][a-zA-Z0-9_.-]*) and SysError on file system errors.
  /// `options` are the local driver's `driver_opts` (type, o, device; any other key is refused
  /// with Docker's "invalid option key").
  bool create(const std::string& name, const std::map<std::string, std::string>& labels = {},
              const std::string& project = "", const std::map<std::string, std::string>& options = {});

  /// Mounts the device of a volume with options on its _data (idempotent: an existing mount
  /// stays). No-op for a volume without options. Throws std::runtime_error in Docker's words:
  /// "error while mounting volume '<_data>': failed to mount local volume: mount <device>:<_data>,
  /// flags: 0x1000: no such file or directory".
  void mount(const std::string& name);
  /// Unmounts a mounted _data (MNT_DETACH); no-op otherwise. Throws SysError.
  void unmount(const std::string& name);

  bool exists(const std::string& name) const;
  /// `<root>/volumes/<name>/_data` (whether or not the volume exists).
  std::string path(const std::string& name) const;
  /// The metadata, or std::nullopt when the volume does not exist.
  std::optional<VolumeInfo> inspect(const std::string& name) const;
  /// Every volume, sorted by name.
  std::vector<VolumeInfo> list() const;
  /// Deletes the volume and its content (unmounted first: a bind device's files stay). Returns
  /// false when it did not exist.
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
