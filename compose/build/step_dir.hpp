#pragma once
// A build step's scratch space: <root>/tmp/build-XXXXXX, on the image store's file system so
// that its upper/ can become a layer by rename. It holds upper/ and work/ (the overlay's), an
// empty/ lower for a stage with no layer yet, rootfs/ (the mount point) and, for RUN, the
// bundle files. Mounts below it are detached and the tree removed when it goes; after a crash,
// the store's sweep of <root>/tmp removes it.
#include <string>
#include <vector>

namespace berth::build {

class StepDir {
 public:
  explicit StepDir(const std::string& store_root);
  StepDir(const StepDir&) = delete;
  StepDir& operator=(const StepDir&) = delete;
  ~StepDir();

  const std::string& path() const noexcept { return m_path; }
  std::string upper() const { return m_path + "/upper"; }
  std::string work() const { return m_path + "/work"; }
  std::string rootfs() const { return m_path + "/rootfs"; }
  /// `lowers`, or the empty directory when there are none (overlayfs needs one).
  std::vector<std::string> lowers_or_empty(const std::vector<std::string>& lowers) const;

 private:
  std::string m_path;
};

}  // namespace berth::build
