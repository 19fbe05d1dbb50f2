// cgroup v2 writers, given the container's directory in the unified hierarchy (a temp dir of
// plain files in unit tests).
// Kernel quirks: a controller's files appear in a child only once the parent lists it in
// cgroup.subtree_control, and a cgroup with processes cannot enable controllers for children
// ("no internal processes"), so the shim enables them only on the way down to its own, empty,
// directories; memory.swap.max is swap alone while OCI's memory.swap is memory+swap; cgroup.kill
// (Linux 5.14) and cgroup.freeze (5.2) are core files, present even without any controller, which
// is what makes them usable on a hybrid host's controller-less unified hierarchy.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/sys_error.hpp"
#include "runtime-shim/container/cgroups.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim::cgroups::v2 {

namespace {

void write(const std::string& dir, const char* file, const std::string& value) {
  const std::string path = dir + "/" + file;
  write_file_at(AT_FDCWD, path, value, path);
}

}  // namespace

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

void enable_controllers(const std::string& root, const std::string& rel, std::vector<std::string>& warnings) {
  std::string available;
  try {
    available = read_file_at(AT_FDCWD, root + "/cgroup.controllers");
  } catch (const SysError& e) {
    warnings.push_back(std::string("cgroup v2 controllers not enabled: ") + e.what());
    return;
  }
  std::istringstream in(available);
  std::vector<std::string> wanted;
  for (std::string c; in >> c;)
    if (c == "memory" || c == "cpu" || c == "pids") wanted.push_back(c);
  std::vector<std::string> parts = split_path(rel);
  std::string dir = root;
  for (size_t i = 0; i < parts.size(); ++i) {  // root and every parent of the leaf
    for (const std::string& c : wanted) {
      try {
        write(dir, "cgroup.subtree_control", "+" + c);
      } catch (const SysError& e) {
        warnings.push_back(std::string("cgroup v2: ") + e.what());
      }
    }
    dir += "/" + parts[i];
  }
}

void set_limits(const std::string& dir, const Resources& r, std::vector<std::string>& warnings) {
  (void)warnings;
  if (r.memory_limit) write(dir, "memory.max", *r.memory_limit >= 0 ? std::to_string(*r.memory_limit) : "max");
  if (r.memory_swap) {
    std::string value;
    if (*r.memory_swap < 0) {
      value = "max";
    } else {
      if (!r.memory_limit || *r.memory_limit < 0)
        throw std::runtime_error("memory swap limit needs a memory limit on cgroup v2");
      if (*r.memory_swap < *r.memory_limit)
        throw std::runtime_error("memory swap limit " + std::to_string(*r.memory_swap) +
                                 " must not be below the memory limit " + std::to_string(*r.memory_limit));
      value = std::to_string(*r.memory_swap - *r.memory_limit);
    }
    write(dir, "memory.swap.max", value);
  }
  if (r.cpu_shares && *r.cpu_shares > 0) write(dir, "cpu.weight", std::to_string(shares_to_weight(*r.cpu_shares)));
  if (r.cpu_quota || r.cpu_period) {
    const uint64_t period = r.cpu_period.value_or(100000);
    const std::string quota = r.cpu_quota && *r.cpu_quota > 0 ? std::to_string(*r.cpu_quota) : "max";
    write(dir, "cpu.max", quota + " " + std::to_string(period));
  }
  if (r.pids_limit) write(dir, "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

int oom_kill_count(const std::string& dir) {
  long long n = keyed_value(read_file_at(AT_FDCWD, dir + "/memory.events"), "oom_kill");
  return n < 0 ? 0 : static_cast<int>(n);
}

void set_frozen(const std::string& dir, bool frozen) {
  write(dir, "cgroup.freeze", frozen ? "1" : "0");
  for (int i = 0; i < 500; ++i) {
    if (keyed_value(read_file_at(AT_FDCWD, dir + "/cgroup.events"), "frozen") == (frozen ? 1 : 0)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("cgroup `" + dir + "`: still not " + (frozen ? "frozen" : "thawed") + " after 5 s");
}

bool kill_all(const std::string& dir) {
  if (::access((dir + "/cgroup.kill").c_str(), F_OK) != 0) return false;
  write(dir, "cgroup.kill", "1");
  return true;
}

}  // namespace berth::shim::cgroups::v2
