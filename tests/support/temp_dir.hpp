#pragma once
// A fresh directory for one test, removed with everything in it when the test's scope ends. Every
// tier uses it (unit tests for files they read and write, root tests for rootfs and state roots).
#include <string>
#include <string_view>

namespace berth::test {

/// mkdtemp under $TMPDIR (or /tmp): `<tmp>/<prefix>-XXXXXX`; the destructor removes the tree.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "berth-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return m_path; }
  /// `path()/rel`.
  std::string operator/(std::string_view rel) const { return m_path + "/" + std::string(rel); }

 private:
  std::string m_path;
};

}  // namespace berth::test
