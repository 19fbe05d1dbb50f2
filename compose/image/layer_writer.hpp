#pragma once
// Writes the entries of one layer tar beneath a layer root directory: regular files, directories,
// symlinks, hardlinks, device nodes and fifos with their owners, modes, times and xattrs, and OCI
// whiteouts converted to overlayfs ones. Every path is resolved strictly beneath the root.
#include <time.h>

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

struct archive;
struct archive_entry;

namespace berth::image {

/// How entries land: as a new layer (the defaults), or copied into an existing tree as `docker cp`
/// extracts (whiteouts = false, replace = true, owner set unless -a).
struct LayerWriterOptions {
  /// `.wh.<name>` entries become overlayfs whiteouts; false: they are ordinary names.
  bool whiteouts = true;
  /// Existing names are replaced (a non-directory by anything but a directory; directories
  /// merge); a directory replacing a non-directory or the reverse is refused with docker's
  /// messages. The root entry ("./") leaves the existing root alone.
  bool replace = false;
  /// Every entry is owned by this uid:gid instead of the archive's.
  std::optional<std::pair<uid_t, gid_t>> owner;
  /// How the root is shown in the replace-conflict messages (docker: the extraction dir).
  std::string shown_root;
};

class LayerWriter {
 public:
  /// `root_fd` is the (empty) layer root; it must stay open while the writer is used.
  explicit LayerWriter(int root_fd, LayerWriterOptions options = {});

  /// Writes the entry `e` whose data `a` is positioned at. Throws std::runtime_error (or
  /// SysError) saying why the entry was refused or failed; the caller adds the entry's name.
  void write(archive* a, archive_entry* e);

  /// Applies the directories' modes and times, which were held back because creating their
  /// children would have changed the times (and a read-only mode would block the children).
  void finish();

  /// Bytes of regular-file content written (hardlinks counted once).
  std::uint64_t content_size() const noexcept { return m_size; }

 private:
  struct DeferredDir {
    std::string path;
    unsigned mode;
    timespec times[2];
  };

  int parent_fd(const std::vector<std::string>& parts);
  void write_root(archive_entry* e);
  void write_whiteout(const std::vector<std::string>& parts);
  void write_hardlink(archive_entry* e, int parent, const std::string& base);
  void write_file(archive* a, archive_entry* e, int parent, const std::string& base);
  void write_dir(archive_entry* e, int parent, const std::string& base, const std::string& key);
  void write_symlink(archive_entry* e, int parent, const std::string& base);
  void write_node(archive_entry* e, int parent, const std::string& base);
  void set_owner(int dir, const std::string& base, archive_entry* e, int fd = -1);
  void set_xattrs(archive_entry* e, int fd, int parent, const std::string& base);
  void defer_dir(const std::string& key, archive_entry* e);
  void make_opaque(int dir, const std::string& base, const std::string& shown);

  void replace_existing(int parent, const std::string& base, const std::string& key, bool is_dir);

  int m_root;
  LayerWriterOptions m_options;
  bool m_privileged;
  std::uint64_t m_size = 0;
  std::set<std::string> m_seen;        ///< entry paths already written: a second one is refused
  std::set<std::string> m_whiteouts;   ///< whiteout devices made so far (an entry may replace one)
  std::vector<DeferredDir> m_dirs;     ///< directory modes and times applied by finish()
  std::string m_parent_path = "\x01";  ///< cache of the last parent directory opened
  UniqueFd m_parent;
};

}  // namespace berth::image
