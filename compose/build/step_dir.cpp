// A build step's scratch directory (see step_dir.hpp).
#include "compose/build/step_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/sys_error.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::build {

StepDir::StepDir(const std::string& store_root) {
  std::filesystem::create_directories(store_root + "/tmp");
  m_path = store_root + "/tmp/build-XXXXXX";
  if (::mkdtemp(m_path.data()) == nullptr) throw_errno("create build step directory `" + m_path + "`");
  if (::chmod(m_path.c_str(), 0711) != 0) throw_errno("chmod `" + m_path + "`");
  for (const char* sub : {"/upper", "/work", "/rootfs", "/empty"})
    if (::mkdir((m_path + sub).c_str(), 0755) != 0) throw_errno("mkdir `" + m_path + sub + "`");
}

StepDir::~StepDir() {
  try {
    runtime::remove_tree(m_path);
  } catch (...) {  // the sweep of <root>/tmp gets it later
  }
}

std::vector<std::string> StepDir::lowers_or_empty(const std::vector<std::string>& lowers) const {
  if (!lowers.empty()) return lowers;
  return {m_path + "/empty"};
}

}  // namespace berth::build
