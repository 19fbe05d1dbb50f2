// A build step's scratch directory (see step_dir.hpp).
#include "compose/build/step_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
#include "common/file_lock.hpp"
#include "common/sys_error.hpp"
#include "common/top_dir.hpp"
#include "compose/build/build_network.hpp"
#include "compose/runtime/shim_process.hpp"

namespace berth::build {

StepDir::StepDir(const std::string& store_root) {
  std::filesystem::create_directories(store_root + "/tmp");
  mark_top_dir(store_root + "/tmp");  // each step's upper dir in a block group of its own
  m_path = store_root + "/tmp/build-XXXXXX";
  if (::mkdtemp(m_path.data()) == nullptr) throw_errno("create build step directory `" + m_path + "`");
  if (::chmod(m_path.c_str(), 0711) != 0) throw_errno("chmod `" + m_path + "`");
  const std::string lock = m_path + "/owner.lock";
  m_lock = lock_file(lock);
  std::random_device rd;
  for (int i = 0; i < 64; ++i) m_id += "0123456789abcdef"[rd() % 16];
  write_file_atomic(m_path + "/id", m_id + "\n", 0600);
  for (const char* sub : {"/upper", "/work", "/rootfs", "/empty"})
    if (::mkdir((m_path + sub).c_str(), 0755) != 0) throw_errno("mkdir `" + m_path + sub + "`");
}

StepDir::~StepDir() {
  try {
    runtime::remove_tree(m_path);
  } catch (...) {  // the sweep of <root>/tmp gets it later
  }
}

int sweep_stale_steps(const std::string& root, const std::string& run) {
  const std::string tmp = root + "/tmp";
  if (::access(tmp.c_str(), F_OK) != 0) return 0;
  int removed = 0;
  for (const std::string& name : list_dir(tmp)) {
    if (name.rfind("build-", 0) != 0) continue;
    const std::string dir = tmp + "/" + name;
    UniqueFd lock(::open((dir + "/owner.lock").c_str(), O_RDWR | O_CLOEXEC));
    if (lock && !try_lock_fd(lock.get(), LOCK_EX, dir + "/owner.lock")) continue;  // its build is running
    try {
      std::string id = read_file(dir + "/id");
      id = id.substr(0, id.find('\n'));
      if (!id.empty()) {
        runtime::kill_cgroups(runtime::container_cgroups(dir + "/state", id));
        BuildNetwork(root, run).release(id);
      }
    } catch (const std::exception&) {  // no id: it crashed before making anything but the dir
    }
    runtime::remove_tree(dir);
    ++removed;
  }
  return removed;
}

std::vector<std::string> StepDir::lowers_or_empty(const std::vector<std::string>& lowers) const {
  if (!lowers.empty()) return lowers;
  return {m_path + "/empty"};
}

}  // namespace berth::build
