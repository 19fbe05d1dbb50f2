// Launching berth-shim and cleaning up after it. The shim double-forks and prints one JSON
// line once the container runs; we read that line from a pipe and reap the intermediate
// process. A shim is "alive" only if its pid still names a process whose comm is berth-shim,
// so a recycled pid is never mistaken for it.
#include "compose/runtime/shim_process.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/atomic_file.hpp"
#include "common/file_lock.hpp"
#include "common/spawn_ready.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::runtime {

namespace fs = std::filesystem;

ShimStarted launch_shim(const std::string& shim, const std::string& bundle, const std::string& id,
                        const std::string& state_dir) {
  auto spawned =
      spawn_ready("berth-shim", {shim, "run", "--bundle", bundle, "--id", id, "--state-dir", state_dir, "--detach"});
  int status = spawned.status;
  std::string line = spawned.first_line();
  nlohmann::json reply;
  try {
    reply = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("berth-shim for " + id + " gave no readiness line (exit status " +
                             std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")" +
                             (line.empty() ? "" : ": " + line));
  }
  if (!reply.value("ok", false)) throw std::runtime_error(reply.value("error", std::string("berth-shim failed")));
  return ShimStarted{reply.value("pid", 0), reply.value("shim_pid", 0)};
}

namespace {

bool is_shim_process(int pid) {
  if (pid <= 0) return false;
  // /proc/<pid>/stat: "pid (comm) S ..."; a zombie (Z) has exited even if not reaped yet.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= line.size()) return false;
  return line.substr(open + 1, close - open - 1) == "berth-shim" && line[close + 2] != 'Z';
}

}  // namespace

int named_shim_pid(const std::string& state_dir) {
  int pid = 0;
  std::ifstream in(state_dir + "/shim.pid");
  if (!(in >> pid)) {
    try {
      pid = shim_protocol::read_state(state_dir).shim_pid;
    } catch (const std::exception&) {
      return 0;
    }
  }
  return is_shim_process(pid) ? pid : 0;
}

int live_shim_pid(const std::string& state_dir) {
  const int pid = named_shim_pid(state_dir);
  return pid && ::access((state_dir + "/control.sock").c_str(), F_OK) == 0 ? pid : 0;
}

int settled_shim_pid(const std::string& state_dir, const std::string& name) {
  const std::string claim = state_dir + "/shim.lock";
  for (int waited_ms = 0;; waited_ms += 20) {
    if (int pid = live_shim_pid(state_dir)) return pid;
    if (!file_claimed(claim)) return 0;
    if (waited_ms >= 10'000)
      throw std::runtime_error("container " + name + ": its berth-shim holds `" + state_dir +
                               "` but did not open its control socket in 10 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool wait_gone(int pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!is_shim_process(pid)) return true;  // gone, a zombie, or the pid reused by something else
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

shim_protocol::Reply shim_call(const std::string& state_dir, const nlohmann::json& request) {
  auto client = shim_protocol::Client::connect(state_dir + "/control.sock");
  auto reply = client.call(request);
  if (!reply.ok()) throw std::runtime_error(reply.error());
  return reply;
}

std::vector<std::string> container_cgroups(const std::string& state_dir, const std::string& id) {
  std::vector<std::string> dirs;
  try {
    auto st = shim_protocol::read_state(state_dir);
    if (!st.cgroup_v2.empty()) dirs.push_back(st.cgroup_v2);
    dirs.insert(dirs.end(), st.cgroup_v1.begin(), st.cgroup_v1.end());
  } catch (const std::exception&) {
  }
  std::error_code ec;
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (fs::exists(h.path() / "berth" / id)) dirs.push_back((h.path() / "berth" / id).string());
  if (fs::exists("/sys/fs/cgroup/berth/" + id)) dirs.push_back("/sys/fs/cgroup/berth/" + id);
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  std::erase_if(dirs, [](const std::string& d) { return !fs::exists(d); });
  return dirs;
}

namespace {

std::vector<int> procs(const std::string& dir) {
  std::vector<int> pids;
  std::ifstream in(dir + "/cgroup.procs");
  for (int pid; in >> pid;) pids.push_back(pid);
  return pids;
}

}  // namespace

void kill_cgroups(const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    std::ofstream kill_file(dir + "/cgroup.kill");
    if (kill_file) kill_file << "1" << std::flush;
    // A frozen (paused) v1 cgroup must be thawed, or SIGKILL is never delivered.
    if (fs::exists(dir + "/freezer.state")) std::ofstream(dir + "/freezer.state") << "THAWED" << std::flush;
    for (int pid : procs(dir)) ::kill(pid, SIGKILL);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const auto& dir : dirs) {
    while (!procs(dir).empty() && std::chrono::steady_clock::now() < deadline) {
      for (int pid : procs(dir)) ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Children first: rmdir fails on a cgroup that still has sub-cgroups.
    std::vector<std::string> tree;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory(ec)) tree.push_back(it->path().string());
    std::sort(tree.rbegin(), tree.rend());
    for (const auto& d : tree) ::rmdir(d.c_str());
    while (::rmdir(dir.c_str()) != 0 && errno == EBUSY && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void unmount_below(const std::string& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> points;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string a, b, c, d, mount_point;
    fields >> a >> b >> c >> d >> mount_point;
    if (mount_point == dir || mount_point.rfind(dir + "/", 0) == 0) points.push_back(mount_point);
  }
  std::sort(points.rbegin(), points.rend());
  for (const auto& p : points) ::umount2(p.c_str(), MNT_DETACH);
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  unmount_below(dir);
  fs::remove_all(dir, ec);
  if (ec) throw SysError("remove `" + dir + "`", ec.value());
}

}  // namespace berth::runtime
