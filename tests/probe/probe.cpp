// berth_probe: the static multi-call binary test containers run (it needs no libraries, so a
// rootfs can be this file alone, plus busybox when a shell is wanted). Every command prints a
// result the tests parse; a failed system call prints "ERROR errno=<n> <text>" and exits 2.
//
//   probe status         JSON: pid, ppid, uid, gid, groups, hostname, domainname, cwd, the
//                        Cap*/NoNewPrivs/Seccomp lines of /proc/self/status, visible pids, mounts,
//                        RLIMIT_NOFILE
//   probe try-mount      mount a tmpfs on /tmp: {"ok":..,"errno":..}
//   probe try-unshare    unshare(CLONE_NEWNS): {"ok":..,"errno":..}
//   probe read FILE      the file's content
//   probe write FILE [TEXT]
//   probe alloc MB       allocate and touch MB MiB, then print "allocated MB"
//   probe fork N         fork N sleeping children: "forked K errno=E"
//   probe sleep S        sleep S seconds (SIGTERM ends it: PID 1 has no default action)
//   probe exit N         exit with status N
//   probe env            the environment, one variable per line
//   probe ls DIR         directory entries, sorted, one per line
//   probe readlink PATH  the link's target
//   probe race SECONDS   race ns_last_pid for the runtime's exec/healthcheck children (race.cpp)
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "race.hpp"

extern char** environ;

namespace {

int fail(const std::string& what) {
  int err = errno;
  std::cout << "ERROR errno=" << err << " " << what << ": " << std::strerror(err) << std::endl;
  return 2;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string status_field(const std::string& status, const std::string& key) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "";
}

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int cmd_status() {
  std::string status = slurp("/proc/self/status");
  std::vector<gid_t> groups(256);
  int n = getgroups(static_cast<int>(groups.size()), groups.data());
  groups.resize(n < 0 ? 0 : static_cast<size_t>(n));
  utsname u{};
  uname(&u);
  char cwd[4096] = "";
  if (!getcwd(cwd, sizeof cwd)) std::strcpy(cwd, "?");
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);

  std::vector<long> pids;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') pids.push_back(std::strtol(e->d_name, nullptr, 10));
    closedir(d);
  }
  std::sort(pids.begin(), pids.end());

  std::ostringstream o;
  o << "{\"pid\":" << getpid() << ",\"ppid\":" << getppid() << ",\"uid\":" << getuid() << ",\"gid\":" << getgid()
    << ",\"euid\":" << geteuid() << ",\"egid\":" << getegid() << ",\"groups\":[";
  for (size_t i = 0; i < groups.size(); ++i) o << (i ? "," : "") << groups[i];
  o << "],\"hostname\":" << quote(u.nodename) << ",\"domainname\":" << quote(u.domainname) << ",\"cwd\":" << quote(cwd);
  for (const char* key : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"})
    o << ",\"" << key << "\":" << quote(status_field(status, key));
  o << ",\"nofile\":[" << nofile.rlim_cur << "," << nofile.rlim_max << "],\"pids\":[";
  for (size_t i = 0; i < pids.size(); ++i) o << (i ? "," : "") << pids[i];
  o << "],\"mounts\":[";
  std::istringstream mounts(slurp("/proc/self/mounts"));
  bool first = true;
  for (std::string line; std::getline(mounts, line);) {
    std::istringstream f(line);
    std::string source, target, type, options;
    f >> source >> target >> type >> options;
    o << (first ? "" : ",") << "{\"target\":" << quote(target) << ",\"type\":" << quote(type)
      << ",\"options\":" << quote(options) << "}";
    first = false;
  }
  o << "]}";
  std::cout << o.str() << std::endl;
  return 0;
}

int print_attempt(int rc) {
  int err = rc == 0 ? 0 : errno;
  std::cout << "{\"ok\":" << (rc == 0 ? "true" : "false") << ",\"errno\":" << err << "}" << std::endl;
  return 0;
}

int cmd_read(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail(std::string("open ") + path);
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return fail(std::string("read ") + path);
    if (n == 0) break;
    std::cout.write(buf, n);
  }
  close(fd);
  std::cout.flush();
  return 0;
}

int cmd_write(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail(std::string("open ") + path);
  if (write(fd, text, std::strlen(text)) < 0) return fail(std::string("write ") + path);
  if (close(fd) != 0) return fail(std::string("close ") + path);
  std::cout << "ok" << std::endl;
  return 0;
}

int cmd_alloc(long mb) {
  std::vector<char*> blocks;
  for (long i = 0; i < mb; ++i) {
    char* p = static_cast<char*>(std::malloc(1 << 20));
    if (!p) return fail("malloc");
    std::memset(p, 0x5a, 1 << 20);  // touch every page: the memory cgroup counts resident pages
    blocks.push_back(p);
  }
  std::cout << "allocated " << mb << std::endl;
  return 0;
}

int cmd_fork(long n) {
  std::vector<pid_t> children;
  int err = 0;
  for (long i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      pause();
      _exit(0);
    }
    children.push_back(pid);
  }
  std::cout << "forked " << children.size() << " errno=" << err << std::endl;
  for (pid_t pid : children) kill(pid, SIGKILL);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  return 0;
}

int cmd_ls(const char* path) {
  DIR* d = opendir(path);
  if (!d) return fail(std::string("opendir ") + path);
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) std::cout << name << "\n";
  std::cout.flush();
  return 0;
}

void on_term(int) { _exit(0); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: probe status|try-mount|try-unshare|read|write|alloc|fork|sleep|exit|env|ls|readlink|race ..."
              << std::endl;
    return 64;
  }
  const std::string cmd = argv[1];
  const char* arg = argc > 2 ? argv[2] : nullptr;
  if (cmd == "status") return cmd_status();
  if (cmd == "try-mount") return print_attempt(mount("tmpfs", arg ? arg : "/tmp", "tmpfs", 0, nullptr));
  if (cmd == "try-unshare") return print_attempt(unshare(CLONE_NEWNS));
  if (cmd == "read" && arg) return cmd_read(arg);
  if (cmd == "write" && arg) return cmd_write(arg, argc > 3 ? argv[3] : "probe\n");
  if (cmd == "alloc" && arg) return cmd_alloc(std::strtol(arg, nullptr, 10));
  if (cmd == "fork" && arg) return cmd_fork(std::strtol(arg, nullptr, 10));
  if (cmd == "sleep" && arg) {
    signal(SIGTERM, on_term);
    sleep(static_cast<unsigned>(std::strtoul(arg, nullptr, 10)));
    return 0;
  }
  if (cmd == "exit" && arg) return static_cast<int>(std::strtol(arg, nullptr, 10));
  if (cmd == "env") {
    for (char** e = environ; *e; ++e) std::cout << *e << "\n";
    std::cout.flush();
    return 0;
  }
  if (cmd == "ls" && arg) return cmd_ls(arg);
  if (cmd == "readlink" && arg) {
    char buf[4096];
    ssize_t n = readlink(arg, buf, sizeof buf - 1);
    if (n < 0) return fail(std::string("readlink ") + arg);
    std::cout << std::string(buf, static_cast<size_t>(n)) << std::endl;
    return 0;
  }
  if (cmd == "race" && arg) return cmd_race(std::strtod(arg, nullptr));
  std::cerr << "probe: unknown command or missing argument: " << cmd << std::endl;
  return 64;
}
