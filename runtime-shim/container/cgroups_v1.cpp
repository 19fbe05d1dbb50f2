// cgroup v1 writers, one function per controller, each given the container's directory in that
// controller's hierarchy (a temp dir of plain files in unit tests).
// Kernel quirks: memory.memsw.limit_in_bytes exists only with swap accounting and must never be
// below memory.limit_in_bytes, so the memory limit is written first (a new cgroup's memsw is
// unlimited); cfs_period_us before cfs_quota_us; "oom_kill N" in memory.oom_control counts the
// cgroup's OOM kills (Linux 4.13+); the freezer passes through FREEZING, and tasks it holds take a
// SIGKILL only once thawed, so kill_all() freezes, signals, then thaws; devices.allow/deny take
// one rule per write(2), and a child's rules must stay within its parent's.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "runtime-shim/container/cgroups.hpp"
#include "runtime-shim/container/device_rules.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim::cgroups::v1 {

namespace {

void write(const std::string& dir, const char* file, const std::string& value) {
  const std::string path = dir + "/" + file;
  write_file_at(AT_FDCWD, path, value, path);
}

bool exists(const std::string& dir, const char* file) { return ::access((dir + "/" + file).c_str(), F_OK) == 0; }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void set_memory(const std::string& dir, const Resources& r, std::vector<std::string>& warnings) {
  if (r.memory_limit) write(dir, "memory.limit_in_bytes", std::to_string(*r.memory_limit));
  if (r.memory_swap) {
    if (!exists(dir, "memory.memsw.limit_in_bytes")) {
      warnings.push_back("memory swap limit ignored: the kernel has no swap accounting (memory.memsw.*)");
      return;
    }
    if (r.memory_limit && *r.memory_swap >= 0 && *r.memory_limit >= 0 && *r.memory_swap < *r.memory_limit)
      throw std::runtime_error("memory swap limit " + std::to_string(*r.memory_swap) +
                               " must not be below the memory limit " + std::to_string(*r.memory_limit));
    write(dir, "memory.memsw.limit_in_bytes", std::to_string(*r.memory_swap));
  }
}

void set_cpu(const std::string& dir, const Resources& r) {
  if (r.cpu_shares) write(dir, "cpu.shares", std::to_string(*r.cpu_shares));
  if (r.cpu_period) write(dir, "cpu.cfs_period_us", std::to_string(*r.cpu_period));
  if (r.cpu_quota) write(dir, "cpu.cfs_quota_us", std::to_string(*r.cpu_quota > 0 ? *r.cpu_quota : -1));
}

void set_pids(const std::string& dir, const Resources& r) {
  if (r.pids_limit) write(dir, "pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max");
}

void set_devices(const std::string& dir, const std::vector<DeviceRule>& rules) {
  for (const DeviceRule& rule : rules) write(dir, rule.allow ? "devices.allow" : "devices.deny", v1_rule_line(rule));
}

int oom_kill_count(const std::string& memory_dir) {
  long long n = keyed_value(read_file_at(AT_FDCWD, memory_dir + "/memory.oom_control"), "oom_kill");
  return n < 0 ? 0 : static_cast<int>(n);
}

void set_frozen(const std::string& freezer_dir, bool frozen) {
  const std::string want = frozen ? "FROZEN" : "THAWED";
  for (int i = 0; i < 500; ++i) {
    if (i % 50 == 0) write(freezer_dir, "freezer.state", want);  // re-request: FREEZING may stall
    if (trim(read_file_at(AT_FDCWD, freezer_dir + "/freezer.state")) == want) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("cgroup freezer `" + freezer_dir + "`: still not " + want + " after 5 s");
}

void kill_all(const std::vector<std::string>& dirs, const std::string& freezer_dir) {
  bool frozen = false;
  if (!freezer_dir.empty()) {
    try {
      set_frozen(freezer_dir, true);
      frozen = true;
    } catch (const std::exception&) {
      // Kill anyway; a fork loop may need a second round.
    }
  }
  std::set<pid_t> all;
  for (const std::string& d : dirs)
    for (pid_t pid : procs(d)) all.insert(pid);
  for (pid_t pid : all) ::kill(pid, SIGKILL);
  if (frozen) set_frozen(freezer_dir, false);
  // Processes forked before the freeze took hold: a few more rounds.
  for (int round = 0; round < 20; ++round) {
    all.clear();
    for (const std::string& d : dirs)
      for (pid_t pid : procs(d)) all.insert(pid);
    if (all.empty()) return;
    for (pid_t pid : all) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace berth::shim::cgroups::v1
