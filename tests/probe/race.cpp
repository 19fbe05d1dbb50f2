// `probe race SECONDS`: what a hostile process in a container can do to the processes the runtime
// forks into it (exec and healthcheck children) before they execve. It spins on
// /proc/sys/kernel/ns_last_pid; every pid allocated in the container's pid namespace is then
// polled (round robin) until it has exec'd a program of the container or is gone, and while it
// still runs the runtime's image it is attacked once: readlink and open of /proc/PID/exe (and
// open for writing), and PTRACE_SEIZE (then interrupt + detach, so it carries on); the list of
// /proc/PID/fd with each target is taken at every poll (the fds change until the execve).
// A pid is "still the runtime's image" while readlink of its exe fails with EACCES (it is not
// ptraceable by us: non-dumpable, or it holds capabilities we lack; a program it exec'd is
// dumpable again) or names a file that is not the one at that path in the container.
// Output, one JSON line:
//   {"pids_seen":N, "early_seen":N (pids caught before their execve), "exe_foreign":[targets],
//    "exe_opened":N, "exe_host_opened":N (not a memfd), "exe_written":N, "seized":N,
//    "fd_lists":N, "fds_seen":[targets], "max_fds":N}
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "race.hpp"

namespace {

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

long read_last_pid(int fd) {
  char buf[32];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return -1;
  buf[n] = 0;
  return std::strtol(buf, nullptr, 10);
}

std::string read_link(const std::string& path, int& err) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  err = n < 0 ? errno : 0;
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

std::string json_list(const std::set<std::string>& items) {
  std::string out = "[";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += json_string(s);
  }
  return out + "]";
}

struct Tracked {
  double since = 0;
  bool early = false;     ///< caught while still the runtime's image
  bool attacked = false;  ///< exe/seize attempted once
};

struct Report {
  std::set<long> pids;
  int early = 0, exe_opened = 0, exe_host_opened = 0, exe_written = 0, seized = 0, fd_lists = 0, max_fds = 0;
  std::set<std::string> exe_foreign, fds_seen;
};

/// The file at `target` inside the container is the one /proc/PID/exe opened: a program of the
/// container. Anything else (a host path, a memfd) is the runtime's image.
bool is_container_file(const std::string& target, int exe_fd) {
  struct stat a {
  }, b{};
  if (exe_fd < 0 || fstat(exe_fd, &a) != 0 || stat(target.c_str(), &b) != 0) return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void list_fds(long pid, Report& r) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  int count = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int err = 0;
    std::string target = read_link(dir + "/" + e->d_name, err);
    if (err == 0) r.fds_seen.insert(target);
    ++count;
  }
  closedir(d);
  ++r.fd_lists;
  if (count > r.max_fds) r.max_fds = count;
}

void try_seize(long pid, Report& r) {
  const auto p = static_cast<pid_t>(pid);
  if (ptrace(PTRACE_SEIZE, p, nullptr, nullptr) != 0) return;
  ++r.seized;
  // Let it go again: a seized tracee would stop at its next signal until we continued it.
  if (ptrace(PTRACE_INTERRUPT, p, nullptr, nullptr) == 0) {
    int status = 0;
    if (waitpid(p, &status, __WALL) == p && WIFSTOPPED(status)) {
      const bool event_stop = (status >> 16) != 0 || WSTOPSIG(status) == SIGTRAP;
      ptrace(PTRACE_DETACH, p, nullptr, reinterpret_cast<void*>(static_cast<long>(event_stop ? 0 : WSTOPSIG(status))));
      return;
    }
  }
  ptrace(PTRACE_DETACH, p, nullptr, nullptr);
}

/// One poll of a tracked pid; false once it is gone or runs a program of the container.
bool poll(long pid, Tracked& t, Report& r) {
  const std::string exe_path = "/proc/" + std::to_string(pid) + "/exe";
  int err = 0;
  const std::string target = read_link(exe_path, err);
  if (err == ENOENT || err == ESRCH) return false;
  if (err == EACCES || err == EPERM) {
    t.early = true;  // not ours to look at: still the runtime's image (or it exec'd a setuid file)
    return true;
  }
  if (err != 0) return false;
  int fd = open(exe_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != EACCES && errno != EPERM) return false;  // gone between readlink and open
  if (is_container_file(target, fd)) {
    if (fd >= 0) close(fd);
    return false;  // exec'd: from here on it is the container's own program
  }
  t.early = true;
  r.exe_foreign.insert(target);
  list_fds(pid, r);
  if (!t.attacked) {
    t.attacked = true;
    if (fd >= 0) {
      ++r.exe_opened;
      if (target.rfind("/memfd:", 0) != 0) ++r.exe_host_opened;
    }
    int wfd = open(exe_path.c_str(), O_WRONLY | O_CLOEXEC);
    if (wfd >= 0) {
      ++r.exe_written;  // opening it for writing is already too much
      close(wfd);
    }
    try_seize(pid, r);
  }
  if (fd >= 0) close(fd);
  return true;
}

}  // namespace

int cmd_race(double seconds) {
  int last_fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
  if (last_fd < 0) {
    std::cout << "ERROR errno=" << errno << " open /proc/sys/kernel/ns_last_pid: " << std::strerror(errno) << std::endl;
    return 2;
  }
  const long self = getpid();
  long last = read_last_pid(last_fd);
  std::map<long, Tracked> active;
  Report r;
  const double end = now_s() + seconds;
  while (now_s() < end) {
    long current = read_last_pid(last_fd);
    if (current > 0 && current != last) {
      // Every pid allocated since the last read (pids wrap at pid_max: then just the newest).
      long from = current > last ? last + 1 : current;
      for (long pid = from; pid <= current && pid - from < 64; ++pid)
        if (pid != self && !active.count(pid)) active[pid] = Tracked{now_s()};
      last = current;
    }
    for (auto it = active.begin(); it != active.end();) {
      Tracked& t = it->second;
      const bool keep = poll(it->first, t, r) && now_s() - t.since < 2.0;
      if (!keep) {
        if (access(("/proc/" + std::to_string(it->first)).c_str(), F_OK) == 0 || t.early) r.pids.insert(it->first);
        if (t.early) ++r.early;
        it = active.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [pid, t] : active) {
    r.pids.insert(pid);
    if (t.early) ++r.early;
  }
  close(last_fd);
  std::ostringstream o;
  o << "{\"pids_seen\":" << r.pids.size() << ",\"early_seen\":" << r.early
    << ",\"exe_foreign\":" << json_list(r.exe_foreign) << ",\"exe_opened\":" << r.exe_opened
    << ",\"exe_host_opened\":" << r.exe_host_opened << ",\"exe_written\":" << r.exe_written
    << ",\"seized\":" << r.seized << ",\"fd_lists\":" << r.fd_lists << ",\"fds_seen\":" << json_list(r.fds_seen)
    << ",\"max_fds\":" << r.max_fds << "}";
  std::cout << o.str() << std::endl;
  return 0;
}
