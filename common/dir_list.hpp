#pragma once
// Directory listings that own their DIR*: entry names only, "." and ".." left out.
#include <dirent.h>

#include <optional>
#include <string>
#include <vector>

namespace berth {

/// An open directory read one entry at a time (readdir order), for callers that stop early or
/// filter a large directory such as /proc. Move-only; closes the directory when destroyed.
class DirReader {
 public:
  /// Throws SysError("opendir `path`") with opendir's errno (code() is ENOENT for a missing one).
  explicit DirReader(const std::string& path);
  /// Reads the directory open as `dir_fd` (which is duplicated: the caller keeps its fd);
  /// `shown` names it in errors.
  DirReader(int dir_fd, const std::string& shown);
  DirReader(DirReader&& o) noexcept;
  DirReader& operator=(DirReader&& o) noexcept;
  DirReader(const DirReader&) = delete;
  DirReader& operator=(const DirReader&) = delete;
  ~DirReader();

  /// The next entry's name, skipping "." and ".."; nullopt at the end. As every caller did with
  /// readdir, an error while reading ends the listing.
  std::optional<std::string> next();

 private:
  DIR* m_dir = nullptr;
};

/// Every entry of `path` except "." and "..", sorted by name (byte order).
/// Throws SysError("opendir `path`") as DirReader does.
std::vector<std::string> list_dir(const std::string& path);
/// The same for a directory open as `dir_fd` (walks that never follow a symlink by path).
std::vector<std::string> list_dir(int dir_fd, const std::string& shown);

}  // namespace berth
