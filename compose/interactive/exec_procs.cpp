// ps -ef from /proc, the columns computed as procps does: C = CPU time / elapsed time in
// percent, STIME = HH:MM when started today else MonDD, TIME = cumulative user+system time,
// CMD = the command line (or [comm] for a process without one, e.g. a zombie).
#include "compose/interactive/exec_procs.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/shim_protocol.hpp"

namespace berth::interactive {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

double uptime_seconds(const std::string& proc) {
  double up = 0;
  std::istringstream(slurp(proc + "/uptime")) >> up;
  return up;
}

std::string user_name(unsigned uid) {
  passwd pw{}, *found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return pw.pw_name;
  return std::to_string(uid);
}

std::string tty_text(long tty_nr) {
  if (tty_nr == 0) return "?";
  long major = (tty_nr >> 8) & 0xfff;
  long minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return "pts/" + std::to_string((major - 136) * 256 + minor);
  if (major == 4 && minor < 64) return "tty" + std::to_string(minor);
  if (major == 5 && minor == 1) return "console";
  return "?";
}

std::string start_text(time_t started) {
  time_t now = ::time(nullptr);
  tm s{}, n{};
  ::localtime_r(&started, &s);
  ::localtime_r(&now, &n);
  char buf[32];
  if (now - started < 24 * 3600 && s.tm_yday == n.tm_yday && s.tm_year == n.tm_year)
    std::strftime(buf, sizeof buf, "%H:%M", &s);
  else if (s.tm_year == n.tm_year)
    std::strftime(buf, sizeof buf, "%b%d", &s);
  else
    std::strftime(buf, sizeof buf, "%Y", &s);
  return buf;
}

}  // namespace

std::vector<std::string> process_header() { return {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}; }

std::vector<int> cgroup_pids(const std::vector<std::string>& cgroup_dirs) {
  std::vector<int> pids;
  for (const auto& dir : cgroup_dirs) {
    std::istringstream in(slurp(dir + "/cgroup.procs"));
    for (int pid; in >> pid;) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

std::string cpu_time_text(unsigned long long ticks, long ticks_per_second) {
  unsigned long long secs = ticks / static_cast<unsigned long long>(ticks_per_second > 0 ? ticks_per_second : 100);
  unsigned long long days = secs / 86400;
  char buf[48];
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%llu-%02llu:%02llu:%02llu", days, secs / 3600 % 24, secs / 60 % 60, secs % 60);
  else
    std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", secs / 3600, secs / 60 % 60, secs % 60);
  return buf;
}

std::vector<std::string> process_row(int pid, const std::string& proc) {
  const std::string dir = proc + "/" + std::to_string(pid);
  std::string stat = slurp(dir + "/stat");
  size_t open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::string comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string w; rest >> w;) f.push_back(w);
  if (f.size() < 20) return {};
  // f[0] = state (field 3): ppid f[1], tty_nr f[4], utime f[11], stime f[12], starttime f[19]
  const long hz = ::sysconf(_SC_CLK_TCK);
  unsigned long long cpu = std::stoull(f[11]) + std::stoull(f[12]);
  double start_after_boot = static_cast<double>(std::stoull(f[19])) / static_cast<double>(hz);
  double elapsed = uptime_seconds(proc) - start_after_boot;
  int c = elapsed > 0 ? static_cast<int>(static_cast<double>(cpu) / static_cast<double>(hz) * 100.0 / elapsed) : 0;
  time_t started = ::time(nullptr) - static_cast<time_t>(elapsed > 0 ? elapsed : 0);

  unsigned uid = 0;
  std::istringstream status(slurp(dir + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    unsigned real = 0;
    std::istringstream(line.substr(4)) >> real >> uid;  // effective uid, as ps -ef shows
    break;
  }
  std::string cmd = slurp(dir + "/cmdline");
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  if (cmd.empty()) cmd = "[" + comm + "]";
  return {user_name(uid),
          std::to_string(pid),
          f[1],
          std::to_string(c),
          start_text(started),
          tty_text(std::stol(f[4])),
          cpu_time_text(cpu, hz),
          cmd};
}

std::vector<std::vector<std::string>> container_processes(const state::Paths& paths, const std::string& id) {
  shim_protocol::State st = shim_protocol::read_state(paths.shim_state_dir(id));
  std::vector<std::string> dirs = st.cgroup_v1;
  if (!st.cgroup_v2.empty()) dirs.push_back(st.cgroup_v2);
  std::vector<std::vector<std::string>> rows;
  for (int pid : cgroup_pids(dirs))
    if (auto row = process_row(pid); !row.empty()) rows.push_back(std::move(row));
  return rows;
}

}  // namespace berth::interactive
