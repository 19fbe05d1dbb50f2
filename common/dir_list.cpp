// readdir order is the file system's (hash order on ext4); list_dir sorts so that what callers
// build from a listing (device lists, volume lists) does not depend on it.
#include "common/dir_list.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/sys_error.hpp"

namespace berth {

DirReader::DirReader(const std::string& path) : m_dir(::opendir(path.c_str())) {
  if (!m_dir) throw_errno("opendir `" + path + "`");
}

DirReader::DirReader(int dir_fd, const std::string& shown) {
  int fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw_errno("dup directory fd of `" + shown + "`");
  // openat(".") rather than the dup itself would share the offset; a dup'd fd shares it too,
  // so rewind: every listing starts at the beginning.
  m_dir = ::fdopendir(fd);
  if (!m_dir) {
    int err = errno;
    ::close(fd);
    throw SysError("opendir `" + shown + "`", err);
  }
  ::rewinddir(m_dir);
}

DirReader::DirReader(DirReader&& o) noexcept : m_dir(std::exchange(o.m_dir, nullptr)) {}

DirReader& DirReader::operator=(DirReader&& o) noexcept {
  if (this != &o) {
    if (m_dir) ::closedir(m_dir);
    m_dir = std::exchange(o.m_dir, nullptr);
  }
  return *this;
}

DirReader::~DirReader() {
  if (m_dir) ::closedir(m_dir);
}

std::optional<std::string> DirReader::next() {
  if (!m_dir) return std::nullopt;
  while (const dirent* e = ::readdir(m_dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) return std::string(e->d_name);
  }
  return std::nullopt;
}

namespace {
std::vector<std::string> sorted_names(DirReader dir) {
  std::vector<std::string> names;
  while (auto name = dir.next()) names.push_back(std::move(*name));
  std::sort(names.begin(), names.end());
  return names;
}
}  // namespace

std::vector<std::string> list_dir(const std::string& path) { return sorted_names(DirReader(path)); }

std::vector<std::string> list_dir(int dir_fd, const std::string& shown) {
  return sorted_names(DirReader(dir_fd, shown));
}

}  // namespace berth
