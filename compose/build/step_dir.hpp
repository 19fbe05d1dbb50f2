#pragma once
// A build step's scratch space: <root>/tmp/build-XXXXXX, on the image store's file system so
// that its upper/ can become a layer by rename. It holds upper/ and work/ (the overlay's), an
// empty/ lower for a stage with no layer yet, rootfs/ (the mount point), for RUN the bundle
// files, and `id` (the step's container and network id). Mounts below it are detached and the
// tree removed when it goes. While it lives its owner holds an flock on `owner.lock`, so after a
// crash (kill -9 of berth) the next build or `builder prune` knows it is stale and undoes it:
// the RUN container's cgroups, its network namespace and address lease, mounts, files.
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth::build {

class StepDir {
 public:
  explicit StepDir(const std::string& store_root);
  StepDir(const StepDir&) = delete;
  StepDir& operator=(const StepDir&) = delete;
  ~StepDir();

  const std::string& path() const noexcept { return m_path; }
  /// 64 hex: the RUN container's id and its attachment to the build network.
  const std::string& id() const noexcept { return m_id; }
  std::string upper() const { return m_path + "/upper"; }
  std::string work() const { return m_path + "/work"; }
  std::string rootfs() const { return m_path + "/rootfs"; }
  /// `lowers`, or the empty directory when there are none (overlayfs needs one).
  std::vector<std::string> lowers_or_empty(const std::vector<std::string>& lowers) const;

  std::string state_dir() const { return m_path + "/state"; }

 private:
  std::string m_path;
  std::string m_id;
  UniqueFd m_lock;
};

/// Undoes what crashed builds left in <root>/tmp: every step dir whose owner lock is free. Returns
/// how many it removed.
int sweep_stale_steps(const std::string& root, const std::string& run);

}  // namespace berth::build
