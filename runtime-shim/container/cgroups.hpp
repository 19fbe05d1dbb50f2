#pragma once
// cgroups for a container: v1 controllers, v2 (unified), or both on a hybrid host, picked from
// /proc/self/mountinfo. The v1 and v2 writers (cgroups_v1.cpp, cgroups_v2.cpp) take the cgroup
// directory as a parameter, so unit tests point them at a temp dir of plain files.
//
//   v1 (and hybrid)  <mount of each controller>/<path>: memory, cpu, cpuacct, pids, blkio (block
//                    I/O accounting, for stats), freezer, devices; limits and the device policy
//                    go here
//   hybrid           also <unified mount>/<path>, no controllers: tracking, cgroup.kill, freeze
//   pure v2          <cgroup2 mount>/<path> with memory, cpu, pids enabled on the way down; the
//                    device policy is a BPF program attached there (device_filter.hpp)
#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim::cgroups {

struct Layout {
  std::map<std::string, std::string> v1;  ///< controller -> mount point ("memory" -> "/sys/fs/cgroup/memory")
  std::string v2;                         ///< cgroup2 mount point, "" when there is none
  bool pure_v2() const { return v1.empty() && !v2.empty(); }
};

/// Parses /proc/self/mountinfo text (for tests) / reads this process's.
Layout parse_mountinfo(std::string_view mountinfo);
Layout detect();

/// The v1 controllers a container gets a directory in (when mounted).
const std::vector<std::string>& v1_controllers();

/// The directories made for one container (absolute paths).
struct Dirs {
  std::vector<std::string> v1;  ///< one per distinct v1 mount point
  std::string v2;               ///< "" when there is no cgroup2 mount
  std::map<std::string, std::string> v1_by_controller;
};

/// Creates <each hierarchy>/<rel> (parents included), enables v2 controllers on pure v2, writes
/// the limits and applies the device policy (device_rules.hpp): through the v1 devices
/// controller when it is mounted, else as a BPF program on the v2 directory. On failure removes
/// what it made and throws SysError / runtime_error.
Dirs create(const Layout& layout, const std::string& rel, const Resources& resources,
            std::vector<std::string>& warnings);

/// Writes `pid` into cgroup.procs of every directory.
void add_pid(const Dirs& dirs, pid_t pid);

/// SIGKILLs every process in the directories (v2 cgroup.kill when available), then removes them
/// (retrying briefly while tasks drain) and any now-empty parent whose name contains "berth".
void destroy(const std::vector<std::string>& v1_dirs, const std::string& v2_dir);

/// Kills every process in the cgroups; returns when they are gone or after ~2 s.
void kill_all(const std::vector<std::string>& v1_dirs, const std::string& v2_dir);

// ---- shared helpers -------------------------------------------------------------------------
/// pids listed in <dir>/cgroup.procs (empty when the file is missing).
std::vector<pid_t> procs(const std::string& dir);
/// mkdir -p; returns the directories it created, outermost first.
std::vector<std::string> make_dirs(const std::string& root, const std::string& rel);
/// "<key> <n>" lines (memory.events, memory.oom_control, cgroup.events): the value of `key`, or -1.
long long keyed_value(const std::string& text, std::string_view key);

namespace v1 {
void set_memory(const std::string& dir, const Resources& r, std::vector<std::string>& warnings);
void set_cpu(const std::string& dir, const Resources& r);
void set_pids(const std::string& dir, const Resources& r);
/// Writes each rule, in order, to devices.allow or devices.deny (a leaf: the kernel refuses "a"
/// in a cgroup with children, and any allow its parent does not allow).
void set_devices(const std::string& dir, const std::vector<DeviceRule>& rules);
int oom_kill_count(const std::string& memory_dir);
void set_frozen(const std::string& freezer_dir, bool frozen);
/// SIGKILL each pid of cgroup.procs until it stays empty (freezing first when `freezer_dir` is
/// given, so fork loops can't outrun it).
void kill_all(const std::vector<std::string>& dirs, const std::string& freezer_dir);
}  // namespace v1

namespace v2 {
/// Enables memory/cpu/pids in cgroup.subtree_control of `root` and every parent of `root/rel`.
void enable_controllers(const std::string& root, const std::string& rel, std::vector<std::string>& warnings);
void set_limits(const std::string& dir, const Resources& r, std::vector<std::string>& warnings);
int oom_kill_count(const std::string& dir);
void set_frozen(const std::string& dir, bool frozen);
/// Writes cgroup.kill; false when the kernel has no cgroup.kill (before 5.14).
bool kill_all(const std::string& dir);
/// cpu.weight for OCI cpu.shares, as runc converts it: [2, 262144] -> [1, 10000].
uint64_t shares_to_weight(uint64_t shares);
}  // namespace v2

}  // namespace berth::shim::cgroups
