#include "support/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace berth::test {

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp " + tmpl);
  m_path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;  // a destructor must not throw; a leftover directory is only clutter
  std::filesystem::remove_all(m_path, ec);
}

}  // namespace berth::test
