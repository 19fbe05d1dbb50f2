// readdir order is the file system's (hash order on ext4); list_dir sorts so that what callers
// build from a listing (device lists, volume lists) does not depend on it.
#include "common/dir_list.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/sys_error.hpp"

namespace berth {

DirReader::DirReader(const std::string& path) : m_dir(::opendir(path.c_str())) {
  if (!m_dir) throw_errno("opendir `" + path + "`");
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

std::vector<std::string> list_dir(const std::string& path) {
  DirReader dir(path);
  std::vector<std::string> names;
  while (auto name = dir.next()) names.push_back(std::move(*name));
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace berth
